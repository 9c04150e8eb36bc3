"""Moodle web services (REST protocol) on Airflow's HttpHook.

Facts from a real Moodle (shared/moodle/README.md): every answer is HTTP 200,
errors included, as `{"exception", "errorcode", "message"}`; parameters use
PHP's array encoding (`users[0][username]=…`); the token travels in the form
body as `wstoken`, never in a URL, so it never reaches a log line.
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from include.connectors.http_base import TokenHttpHook

log = logging.getLogger(__name__)

REST_ENDPOINT = "webservice/rest/server.php"


class MoodleWsError(RuntimeError):
    """Moodle answered with an exception object (a final answer, not retried)."""

    def __init__(self, wsfunction: str, errorcode: str, message: str, debuginfo: str | None = None):
        self.wsfunction = wsfunction
        self.errorcode = errorcode
        self.message = message
        self.debuginfo = debuginfo
        super().__init__(f"Moodle {wsfunction}: {errorcode}: {message}")


class MoodleWsUnavailable(RuntimeError):
    """Moodle could not be reached or answered 5xx/garbage after all retries."""


def encode_php_params(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Flatten nested dicts/lists into PHP's `a[0][b]=c` form fields, in order."""
    fields: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            fields.extend(encode_php_params(value, name))
        elif isinstance(value, (list, tuple)):
            fields.extend(encode_php_params(dict(enumerate(value)), name))
        elif isinstance(value, bool):
            fields.append((name, "1" if value else "0"))
        elif value is None:
            fields.append((name, ""))
        else:
            fields.append((name, str(value)))
    return fields


class MoodleWsHook(TokenHttpHook):
    """Calls Moodle web-service functions; counts calls per function.

    Transport failures, timeouts and HTTP 5xx are retried with exponential
    back-off, then raised as `MoodleWsUnavailable` carrying the last error.
    A Moodle exception object is raised at once as `MoodleWsError`.
    """

    unavailable = MoodleWsUnavailable
    conn_name_attr = "moodle_conn_id"
    default_conn_name = "moodle_ws"
    conn_type = "http"
    hook_name = "Moodle web services"

    def __init__(
        self,
        moodle_conn_id: str = default_conn_name,
        timeout: float = 120,
        attempts: int = 4,
        backoff_seconds: float = 1,
    ) -> None:
        super().__init__(moodle_conn_id, "POST", timeout, attempts, backoff_seconds)

    def call(self, wsfunction: str, params: dict[str, Any] | None = None) -> Any:
        fields = [
            ("wstoken", self.token),
            ("wsfunction", wsfunction),
            ("moodlewsrestformat", "json"),
            *encode_php_params(params or {}),
        ]
        for attempt in self.retrying():
            with attempt:
                self.calls[wsfunction] += 1
                answer = self._post(wsfunction, fields)
        if isinstance(answer, dict) and "exception" in answer:
            if answer.get("debuginfo"):
                log.warning("Moodle %s debuginfo: %s", wsfunction, answer["debuginfo"])
            raise MoodleWsError(
                wsfunction,
                str(answer.get("errorcode", "")),
                str(answer.get("message", "")),
                answer.get("debuginfo"),
            )
        return answer

    def _post(self, wsfunction: str, fields: list[tuple[str, str]]) -> Any:
        try:
            response = self.run(
                REST_ENDPOINT,
                data=fields,
                extra_options={"timeout": self.timeout, "check_response": False},
            )
        except requests.RequestException as exc:
            raise MoodleWsUnavailable(f"Moodle {wsfunction}: {exc}") from exc
        if response.status_code >= 500:
            raise MoodleWsUnavailable(
                f"Moodle {wsfunction}: HTTP {response.status_code}: {response.text[:300]}"
            )
        if response.status_code >= 400:
            raise MoodleWsError(wsfunction, f"http{response.status_code}", response.text[:300])
        try:
            return response.json()
        except ValueError:
            raise MoodleWsUnavailable(
                f"Moodle {wsfunction}: the answer is not JSON: {response.text[:300]}"
            ) from None

    @property
    def write_calls(self) -> int:
        """Calls that may change Moodle (anything but get/view functions)."""
        return sum(n for name, n in self.calls.items() if not _is_read_only(name))


def _is_read_only(wsfunction: str) -> bool:
    return any(
        part in wsfunction for part in ("_get_", "_search_", "_view_")
    ) or wsfunction.endswith("_get_site_info")
