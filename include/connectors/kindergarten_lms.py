"""The kindergarten LMS (attendance registers, contracts) on Airflow's HttpHook.

`JsonApiHook` is the transport both voucher systems share: the token travels
in the `Authorization` header (never in a URL, so never in a log line);
HTTP 5xx, 429, timeouts and connection errors are retried with exponential
back-off (tenacity), then raised as `ApiUnavailable` with the system's last
message; any other 4xx is final and raised as `ApiError` with the system's
own message. Paging (`offset`/`next_offset`) is followed here, never by callers,
and is bounded (include/connectors/paging.py: `max_pages`, repeated offsets).
"""

from __future__ import annotations

from typing import Any

import requests

from include.connectors.http_base import TokenHttpHook
from include.connectors.paging import DEFAULT_MAX_PAGES, FeedShapeError, excerpt, follow_pages


class ApiError(RuntimeError):
    """The system refused the request (4xx other than 429): a final answer, not retried."""

    def __init__(self, system: str, status: int, message: str) -> None:
        self.system, self.status, self.message = system, status, message
        super().__init__(f"{system}: HTTP {status}: {message}")


class ApiUnavailable(RuntimeError):
    """The system could not be reached or kept failing (5xx, 429, timeout) after retries."""


class JsonApiHook(TokenHttpHook):
    """JSON over HTTP with a bearer token from the connection's password."""

    system = "api"
    unavailable = ApiUnavailable
    default_attempts = 4

    def __init__(
        self,
        conn_id: str,
        timeout: float = 60,
        attempts: int | None = None,
        backoff_seconds: float | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        super().__init__(conn_id, "GET", timeout, attempts, backoff_seconds)
        self.max_pages = max_pages  # bound of every paged list (include/connectors/paging.py)

    def request(self, method: str, endpoint: str, params: dict | None = None, body: Any = None):
        for attempt in self.retrying():
            with attempt:
                answer = self._send(method, endpoint, params, body)
        return answer

    def _send(self, method: str, endpoint: str, params: dict | None, body: Any):
        self.method = method
        self.calls[endpoint.split("?")[0]] += 1
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            if body is not None:
                response = self.run(
                    endpoint,
                    json=body,
                    headers=headers,
                    extra_options={"timeout": self.timeout, "check_response": False},
                )
            else:
                response = self.run(
                    endpoint,
                    data=params,
                    headers=headers,
                    extra_options={"timeout": self.timeout, "check_response": False},
                )
        except requests.RequestException as exc:
            raise ApiUnavailable(f"{self.system} {endpoint}: {type(exc).__name__}") from exc
        message = _message(response)
        if response.status_code >= 500 or response.status_code == 429:
            raise ApiUnavailable(
                f"{self.system} {endpoint}: HTTP {response.status_code}: {message}"
            )
        if response.status_code >= 400:
            raise ApiError(self.system, response.status_code, message)
        try:
            return response.json()
        except ValueError:
            raise ApiUnavailable(
                f"{self.system} {endpoint}: HTTP {response.status_code}, the answer is not "
                f"JSON: {excerpt(response.text)}"
            ) from None

    def get(self, endpoint: str, params: dict | None = None):
        return self.request("GET", endpoint, params)

    def get_items(self, endpoint: str, params: dict | None = None) -> list:
        """The `items` of an unpaged list; any other shape raises `FeedShapeError`."""
        page = self.get(endpoint, params)
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise FeedShapeError(
                f"{self.system} {endpoint}: not a JSON object with an 'items' list: {excerpt(page)}"
            )
        return page["items"]

    def get_all(self, endpoint: str, params: dict | None = None, limit: int = 5000) -> list:
        """Every item of a paged list (`items` + `next_offset`), at most `max_pages` pages;
        a repeated offset or an empty page with one raises `PagingError`."""
        items: list = []
        for page in follow_pages(
            lambda offset: self.get(endpoint, {**(params or {}), "offset": offset, "limit": limit}),
            system=self.system,
            endpoint=endpoint,
            items_key="items",
            token_key="next_offset",
            max_pages=self.max_pages,
            first_token=0,
        ):
            items.extend(page)
        return items


def _message(response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(data, dict):
        return str(data.get("error") or data.get("detail") or data)[:300]
    return str(data)[:300]


class KindergartenLmsHook(JsonApiHook):
    """A provider's contracts and a day's attendance marks from the kindergarten LMS."""

    conn_name_attr = "lms_conn_id"
    default_conn_name = "kindergarten_lms"
    conn_type = "http"
    hook_name = "Kindergarten LMS"
    system = "kindergarten LMS"

    def __init__(
        self, lms_conn_id: str = default_conn_name, page_size: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(lms_conn_id, **kwargs)
        self.page_size = page_size  # None: 5000 contracts / 20000 marks per page

    def contracts(self, bin_: str) -> list[dict]:
        limit = self.page_size or 5000
        return self.get_all(f"api/v1/providers/{bin_}/contracts", limit=limit)

    def attendance(self, bin_: str, day) -> list[dict]:
        limit = self.page_size or 20000
        return self.get_all(f"api/v1/providers/{bin_}/attendance", {"date": str(day)}, limit=limit)
