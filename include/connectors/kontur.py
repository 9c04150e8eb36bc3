"""Kontur.Talk's public API (`talk.public.api`) on Airflow's HttpHook.

Connection `kontur_talk`: host `https://{space}.ktalk.ru`, the API key in the
password, sent as header `X-Auth-Token` (never in a URL, never logged).
The API publishes no rate limit: 429 and 5xx (and timeouts) are retried with
exponential back-off; 401/403 fail at once with a message that says, from
`access-info`, whether the key is expired or lacks the recording scope.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import requests
from airflow.sdk.exceptions import AirflowFailException

from include.connectors.http_base import TokenHttpHook
from include.connectors.paging import DEFAULT_MAX_PAGES, excerpt, follow_pages

log = logging.getLogger(__name__)

RECORDINGS_ENDPOINT = "api/Domain/recordings/v2"
ACCESS_INFO_ENDPOINT = "api/domain/applications/access-info"
RECORDINGS_SCOPE = "recordings:read"


class KonturTalkUnavailable(RuntimeError):
    """Kontur.Talk could not be reached, timed out or answered 429/5xx after all retries."""


class KonturTalkError(RuntimeError):
    """Kontur.Talk refused the request (400/404/408/409): a final answer, its own message."""


class KonturTalkAuthError(AirflowFailException):
    """401/403: the API key is expired, revoked or lacks a scope. No retry can help."""


class KonturTalkHook(TokenHttpHook):
    """Lists recordings (cursor paging) and reads the key's access info."""

    unavailable = KonturTalkUnavailable
    default_attempts = 5
    max_backoff_seconds = 60
    conn_name_attr = "kontur_conn_id"
    default_conn_name = "kontur_talk"
    conn_type = "http"
    hook_name = "Kontur.Talk"

    def __init__(
        self,
        kontur_conn_id: str = default_conn_name,
        timeout: float = 60,
        attempts: int | None = None,
        backoff_seconds: float | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        super().__init__(kontur_conn_id, "GET", timeout, attempts, backoff_seconds)
        self.retried = 0
        self.max_pages = max_pages  # the setting `max_pages` (include/connectors/paging.py)

    @property
    def space_url(self) -> str:
        """`https://{space}.ktalk.ru` (the connection's host), for viewer links."""
        connection = self.get_connection(self.http_conn_id)
        host = connection.host or ""
        if "://" not in host:
            host = f"{connection.schema or 'https'}://{host}"
        return host.rstrip("/")

    def get_json(self, endpoint: str, params: dict[str, Any] | None = None) -> Any:
        """GET with back-off on transport errors, timeouts, 429 and 5xx."""
        for attempt in self.retrying(before_sleep=self._log_retry):
            with attempt:
                self.calls[endpoint] += 1
                answer = self._get(endpoint, params)
        return answer

    def _log_retry(self, state) -> None:
        self.retried += 1
        log.warning(
            "Kontur.Talk: retry %s after %s", state.attempt_number, state.outcome.exception()
        )

    def _request(self, endpoint: str, params: dict[str, Any] | None) -> requests.Response:
        try:
            return self.run(
                endpoint,
                data={k: v for k, v in (params or {}).items() if v is not None},
                headers={"X-Auth-Token": self.token, "Accept": "application/json"},
                extra_options={"timeout": self.timeout, "check_response": False},
            )
        except requests.RequestException as exc:
            raise KonturTalkUnavailable(f"Kontur.Talk {endpoint}: {type(exc).__name__}") from exc

    def _get(self, endpoint: str, params: dict[str, Any] | None) -> Any:
        response = self._request(endpoint, params)
        status = response.status_code
        if status >= 500 or status == 429:
            raise KonturTalkUnavailable(
                f"Kontur.Talk {endpoint}: HTTP {status}: {response.text[:300]}"
            )
        if status in (401, 403):
            raise KonturTalkAuthError(self._explain_refusal(endpoint, response))
        if status >= 400:
            raise KonturTalkError(f"Kontur.Talk {endpoint}: HTTP {status}: {response.text[:300]}")
        try:
            return response.json()
        except ValueError:
            raise KonturTalkUnavailable(
                f"Kontur.Talk {endpoint}: HTTP {status}, the answer is not JSON: "
                f"{excerpt(response.text)}"
            ) from None

    def _explain_refusal(self, endpoint: str, response: requests.Response) -> str:
        """Ask `access-info` why the key was refused; the message names the fix."""
        said = (
            f"Kontur.Talk answered HTTP {response.status_code} on {endpoint}: {response.text[:200]}"
        )
        fix = "renew the API key in the Airflow connection 'kontur_talk'"
        if endpoint == ACCESS_INFO_ENDPOINT:
            return f"{said}. The API key is expired or revoked: {fix}."
        info = self._request(ACCESS_INFO_ENDPOINT, None)
        if info.status_code in (401, 403):
            return f"{said}. access-info refuses the key too: the API key is expired or revoked: {fix}."
        try:
            access = info.json()
        except ValueError:
            access = {}
        scopes = access.get("scopes") or []
        expires = access.get("expiresAt")
        if expires and _parse(expires) <= datetime.now(UTC):
            return f"{said}. The API key expired at {expires}: {fix}."
        if RECORDINGS_SCOPE not in scopes:
            return (
                f"{said}. The API key lacks the recording scope '{RECORDINGS_SCOPE}' "
                f"(it has: {', '.join(scopes) or 'none'}): issue a key with that scope and {fix}."
            )
        return f"{said}. access-info reports the key valid with scopes {scopes}."

    def access_info(self) -> dict:
        """`{expiresAt, scopes}` of the API key: a cheap health check."""
        return self.get_json(ACCESS_INFO_ENDPOINT)

    def recording_pages(
        self, start_from: datetime, start_to: datetime, top: int = 500
    ) -> Iterator[list[dict]]:
        """Every page of recordings created in [start_from, start_to), oldest first,
        following `nextPageToken` to the last page. A repeated token, an empty page with
        a token or more than `max_pages` pages raise `PagingError`; a page that is not
        `{entities: [...], nextPageToken}` raises `FeedShapeError` with Kontur's text."""
        window = {
            "startFrom": _iso(start_from),
            "startTo": _iso(start_to),
            "top": top,
            "orderMode": "byTimeOldFirst",
        }
        yield from follow_pages(
            lambda token: self.get_json(RECORDINGS_ENDPOINT, {**window, "pageTokenString": token}),
            system="Kontur.Talk",
            endpoint=RECORDINGS_ENDPOINT,
            items_key="entities",
            token_key="nextPageToken",
            max_pages=self.max_pages,
        )


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
