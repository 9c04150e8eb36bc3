"""What every HTTP connector shares: the secret from its Connection and a retry policy.

The retry policy is the one retry layer for a call (docs/architecture.md, "Retries"):
transient answers are retried here with exponential back-off; Airflow's task retries
are for a whole task that failed. The policy's numbers come from, in order: the hook's
arguments, the Connection's extra (`retry_attempts`, `retry_backoff_seconds`), the
class defaults (3 attempts, 1 s doubling, at most 30 s apart).
"""

from __future__ import annotations

import copy
import json
from collections import Counter

from airflow.providers.http.hooks.http import HttpHook
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

# the retry policy's keys in a Connection's extra; HttpHook would send them as headers
RETRY_EXTRA_KEYS = ("retry_attempts", "retry_backoff_seconds")


class TokenHttpHook(HttpHook):
    """HttpHook whose API key or token is the Connection's password (never logged).

    `retrying()` retries the subclass's `unavailable` exception (transport errors,
    timeouts, 429/5xx as each system maps them) with exponential back-off; every
    other answer is final. `calls` counts requests per endpoint or function.
    """

    unavailable: type[Exception] = RuntimeError
    default_attempts: int = 3
    default_backoff_seconds: float = 1
    max_backoff_seconds: float = 30

    def __init__(
        self,
        conn_id: str,
        method: str = "GET",
        timeout: float = 60,
        attempts: int | None = None,
        backoff_seconds: float | None = None,
    ) -> None:
        super().__init__(method=method, http_conn_id=conn_id)
        self.timeout = timeout
        self._attempts = attempts
        self._backoff_seconds = backoff_seconds
        self.calls: Counter[str] = Counter()
        self._token: str | None = None
        self._extra: dict | None = None

    @classmethod
    def get_connection(cls, conn_id: str):
        """The Connection without the retry policy's keys in its extra: HttpHook sends
        every other key of the extra as an HTTP header."""
        connection = super().get_connection(conn_id)
        extra = connection.extra_dejson or {}
        if not any(key in extra for key in RETRY_EXTRA_KEYS):
            return connection
        stripped = copy.copy(connection)
        rest = {k: v for k, v in extra.items() if k not in RETRY_EXTRA_KEYS}
        stripped.extra = json.dumps(rest) if rest else None
        return stripped

    @property
    def connection_extra(self) -> dict:
        """The Connection's whole extra, retry policy included."""
        if self._extra is None:
            self._extra = HttpHook.get_connection(self.http_conn_id).extra_dejson or {}
        return self._extra

    @property
    def attempts(self) -> int:
        if self._attempts is None:
            self._attempts = int(self.connection_extra.get("retry_attempts", self.default_attempts))
        return self._attempts

    @attempts.setter
    def attempts(self, value: int) -> None:
        self._attempts = value

    @property
    def backoff_seconds(self) -> float:
        if self._backoff_seconds is None:
            self._backoff_seconds = float(
                self.connection_extra.get("retry_backoff_seconds", self.default_backoff_seconds)
            )
        return self._backoff_seconds

    @backoff_seconds.setter
    def backoff_seconds(self, value: float) -> None:
        self._backoff_seconds = value

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.get_connection(self.http_conn_id).password or ""
        return self._token

    def retrying(self, before_sleep=None) -> Retrying:
        return Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff_seconds, max=self.max_backoff_seconds),
            retry=retry_if_exception_type(self.unavailable),
            before_sleep=before_sleep,
            reraise=True,
        )
