"""Moodle web services (REST protocol) on Airflow's HttpHook.

Facts from a real Moodle (shared/moodle/README.md): every answer is HTTP 200,
errors included, as `{"exception", "errorcode", "message"}`; parameters use
PHP's array encoding (`users[0][username]=…`); the token travels in the form
body as `wstoken`, never in a URL, so it never reaches a log line.

PHP's `max_input_vars` (Moodle requires at least 5000 on PHP 8) **silently
truncates** a request with more form fields: on a real Moodle 4.5 a call with
600 users (5 403 fields) was cut to 5 000 and the tail of the call was lost.
So every call is sized by its form fields, not its items: a call whose fields
(the parameters as PHP encodes them, plus `wstoken`, `wsfunction` and
`moodlewsrestformat`) would exceed `max_input_vars` less a margin is sent in
parts, its one list parameter split between them, and the answers joined
(lists concatenated, `warnings` joined, `null` stays `null`). A call that
cannot be split is refused here (`MoodleWsTooLarge`), never sent to be cut.
Callers that need all or nothing per call (`core_user_create_users`) size
their batches themselves with `field_count()` / `fits()` so that no call
needs splitting.
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


class MoodleWsTooLarge(MoodleWsError):
    """The call has more form fields than PHP would read, and cannot be split: not sent."""

    def __init__(self, wsfunction: str, fields: int, budget: int):
        super().__init__(
            wsfunction,
            "toomanyfields",
            f"{fields} form fields, more than the {budget} that fit under max_input_vars",
        )


DEFAULT_MAX_INPUT_VARS = 5000  # what Moodle's environment check requires on PHP 8
HEADER_FIELDS = 3  # wstoken, wsfunction, moodlewsrestformat


def field_budget(max_input_vars: int) -> int:
    """Form fields a call may have: `max_input_vars` less a margin of 2 % (at least 10)."""
    return max(1, max_input_vars - max(10, max_input_vars // 50))


def field_count(params: dict[str, Any] | None) -> int:
    """The form fields of a call with these parameters, the three REST fields included."""
    return HEADER_FIELDS + len(encode_php_params(params or {}))


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
    default_attempts = 4
    conn_name_attr = "moodle_conn_id"
    default_conn_name = "moodle_ws"
    conn_type = "http"
    hook_name = "Moodle web services"

    def __init__(
        self,
        moodle_conn_id: str = default_conn_name,
        timeout: float = 120,
        attempts: int | None = None,
        backoff_seconds: float | None = None,
        max_input_vars: int = DEFAULT_MAX_INPUT_VARS,
    ) -> None:
        super().__init__(moodle_conn_id, "POST", timeout, attempts, backoff_seconds)
        self.max_input_vars = max_input_vars
        self.max_fields = field_budget(max_input_vars)

    def fits(self, params: dict[str, Any] | None) -> bool:
        """Whether a call with these parameters goes out as one request."""
        return field_count(params) <= self.max_fields

    def call(self, wsfunction: str, params: dict[str, Any] | None = None) -> Any:
        """One web-service call; sent in parts when it has too many form fields."""
        params = params or {}
        if not self.fits(params):
            return self._call_in_parts(wsfunction, params)
        return self._call_once(wsfunction, params)

    def _call_in_parts(self, wsfunction: str, params: dict[str, Any]) -> Any:
        lists = [k for k, v in params.items() if isinstance(v, (list, tuple)) and len(v) > 1]
        if len(lists) != 1:
            raise MoodleWsTooLarge(wsfunction, field_count(params), self.max_fields)
        key = lists[0]
        items = list(params[key])
        fixed = field_count({**params, key: []})
        parts: list[list] = [[]]
        used = fixed
        for item in items:
            size = len(encode_php_params({key: [item]}))
            if parts[-1] and used + size > self.max_fields:
                parts.append([])
                used = fixed
            parts[-1].append(item)
            used += size
        if any(field_count({**params, key: part}) > self.max_fields for part in parts):
            raise MoodleWsTooLarge(wsfunction, field_count(params), self.max_fields)
        log.info(
            "Moodle %s: %d items in %d calls (max_input_vars %d)",
            wsfunction,
            len(items),
            len(parts),
            self.max_input_vars,
        )
        return _join_answers([self._call_once(wsfunction, {**params, key: p}) for p in parts])

    def _call_once(self, wsfunction: str, params: dict[str, Any]) -> Any:
        fields = [
            ("wstoken", self.token),
            ("wsfunction", wsfunction),
            ("moodlewsrestformat", "json"),
            *encode_php_params(params),
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


def _join_answers(answers: list[Any]) -> Any:
    """The answers of a call sent in parts, as one answer."""
    answers = [a for a in answers if a is not None]
    if not answers:
        return None
    if all(isinstance(a, list) for a in answers):
        return [x for a in answers for x in a]
    if all(isinstance(a, dict) for a in answers):
        joined: dict[str, Any] = {}
        for answer in answers:
            for name, value in answer.items():
                if isinstance(value, list):
                    joined.setdefault(name, []).extend(value)
                else:
                    joined.setdefault(name, value)
        return joined
    return answers[-1]
