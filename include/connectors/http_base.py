"""What every HTTP connector shares: the secret from its Connection and a retry policy."""

from __future__ import annotations

from collections import Counter

from airflow.providers.http.hooks.http import HttpHook
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential


class TokenHttpHook(HttpHook):
    """HttpHook whose API key or token is the Connection's password (never logged).

    `retrying()` retries the subclass's `unavailable` exception (transport errors,
    timeouts, 429/5xx as each system maps them) with exponential back-off; every
    other answer is final. `calls` counts requests per endpoint or function.
    """

    unavailable: type[Exception] = RuntimeError
    max_backoff_seconds: float = 30

    def __init__(
        self,
        conn_id: str,
        method: str = "GET",
        timeout: float = 60,
        attempts: int = 4,
        backoff_seconds: float = 1,
    ) -> None:
        super().__init__(method=method, http_conn_id=conn_id)
        self.timeout = timeout
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.calls: Counter[str] = Counter()
        self._token: str | None = None

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
