"""The university information system (EIOS) on Airflow's HttpHook.

The contract is ours (docs/eios_sync.md): `GET /faculties` and the paged
`GET /faculties/{id}/students?changed_since=…&page_token=…`. The token is
the connection's password, sent as `Authorization: Bearer`, never logged.
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from include.connectors.http_base import TokenHttpHook
from include.connectors.paging import DEFAULT_MAX_PAGES, FeedShapeError, excerpt, follow_pages

log = logging.getLogger(__name__)


class EiosError(RuntimeError):
    """EIOS refused the request (4xx): a final answer, with the system's own message."""


class EiosUnavailable(RuntimeError):
    """EIOS could not be reached, timed out or answered 5xx/429 after all retries."""


class EiosHook(TokenHttpHook):
    """Reads faculties and the students feed; owns paging, retries and error mapping."""

    unavailable = EiosUnavailable
    default_attempts = 4
    conn_name_attr = "eios_conn_id"
    default_conn_name = "eios_default"
    conn_type = "http"
    hook_name = "EIOS (university information system)"

    def __init__(
        self,
        eios_conn_id: str = default_conn_name,
        timeout: float = 60,
        attempts: int | None = None,
        backoff_seconds: float | None = None,
        page_size: int = 1000,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        super().__init__(eios_conn_id, "GET", timeout, attempts, backoff_seconds)
        self.page_size = page_size
        self.max_pages = max_pages  # bound of the students feed (include/connectors/paging.py)

    def get_json(self, endpoint: str, params: dict[str, Any] | None = None) -> Any:
        """GET with retries on transport errors, timeouts, 429 and 5xx."""
        for attempt in self.retrying():
            with attempt:
                self.calls[endpoint.split("?")[0]] += 1
                answer = self._get(endpoint, params)
        return answer

    def _get(self, endpoint: str, params: dict[str, Any] | None) -> Any:
        try:
            response = self.run(
                endpoint,
                data={k: v for k, v in (params or {}).items() if v is not None},
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                extra_options={"timeout": self.timeout, "check_response": False},
            )
        except requests.RequestException as exc:
            raise EiosUnavailable(f"EIOS {endpoint}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise EiosUnavailable(
                f"EIOS {endpoint}: HTTP {response.status_code}: {response.text[:300]}"
            )
        if response.status_code >= 400:
            raise EiosError(f"EIOS {endpoint}: HTTP {response.status_code}: {response.text[:300]}")
        try:
            return response.json()
        except ValueError:
            raise EiosUnavailable(
                f"EIOS {endpoint}: HTTP {response.status_code}, the answer is not JSON: "
                f"{excerpt(response.text)}"
            ) from None

    def faculties(self) -> list[dict]:
        """`[{id, name}]` of every faculty; any other shape raises `FeedShapeError` with
        EIOS's text (a faculty list is small and each entry is needed: no row is skipped)."""
        answer = self.get_json("faculties")
        if not isinstance(answer, list) or not all(
            isinstance(f, dict)
            and isinstance(f.get("id"), str | int)
            and not isinstance(f.get("id"), bool)
            and isinstance(f.get("name"), str)
            for f in answer
        ):
            raise FeedShapeError(
                f"EIOS faculties: not a JSON list of {{id, name}} objects: {excerpt(answer)}"
            )
        return answer

    def students(self, faculty_id: str, changed_since: str | None = None) -> list[dict]:
        """Every item of the faculty's feed changed at or after `changed_since` (all pages,
        at most `max_pages`; a repeated token or an empty page with one raises `PagingError`)."""
        endpoint = f"faculties/{faculty_id}/students"
        items: list[dict] = []
        for page in follow_pages(
            lambda token: self.get_json(
                endpoint,
                {"changed_since": changed_since, "page_token": token, "page_size": self.page_size},
            ),
            system="EIOS",
            endpoint=endpoint,
            items_key="items",
            token_key="next_page_token",
            max_pages=self.max_pages,
        ):
            items.extend(page)
        return items
