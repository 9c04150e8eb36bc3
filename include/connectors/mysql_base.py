"""One DB-API connection per hook, on the MySQL provider's hook (Moodle's DB and ours).

Connecting is the call retried here (docs/architecture.md, "Retries"): a refused or
dropped connection, or a server out of connections, is tried again with exponential
back-off, as the HTTP hooks do. Statements are not retried inside the hook: a write is
part of a transaction the task repeats whole (every apply is idempotent). The numbers
come from the hook's arguments, else the Connection's extra (`retry_attempts`,
`retry_backoff_seconds`), else 3 attempts 1 s doubling.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from airflow.providers.mysql.hooks.mysql import MySqlHook
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from include.connectors.sql_files import fetch_frame, in_transaction

# MySQL client errors that a later attempt may not meet: too many connections, cannot
# connect (socket, TCP), server gone away, connection lost
TRANSIENT_CONNECT_ERRORS = frozenset({1040, 2002, 2003, 2006, 2013})


def is_transient_connect_error(exc: BaseException) -> bool:
    import MySQLdb

    return (
        isinstance(exc, MySQLdb.OperationalError)
        and bool(exc.args)
        and exc.args[0] in TRANSIENT_CONNECT_ERRORS
    )


class OneConnectionMySqlHook(MySqlHook):
    """Opens its connection on first use (retrying transient failures) and keeps it for
    the task's lifetime.

    (`DbApiHook.connection`/`_connection` are the Airflow Connection, so ours is `db`.)
    """

    _dbapi_connection = None
    default_attempts: int = 3
    default_backoff_seconds: float = 1
    max_backoff_seconds: float = 30

    def __init__(
        self,
        *args: Any,
        attempts: int | None = None,
        backoff_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._attempts = attempts
        self._backoff_seconds = backoff_seconds

    def _retry_policy(self) -> tuple[int, float]:
        if self._attempts is None or self._backoff_seconds is None:
            extra = self.get_connection(self.get_conn_id()).extra_dejson or {}
            if self._attempts is None:
                self._attempts = int(extra.get("retry_attempts", self.default_attempts))
            if self._backoff_seconds is None:
                self._backoff_seconds = float(
                    extra.get("retry_backoff_seconds", self.default_backoff_seconds)
                )
        return self._attempts, self._backoff_seconds

    @property
    def db(self):
        if self._dbapi_connection is None:
            attempts, backoff = self._retry_policy()
            for attempt in Retrying(
                stop=stop_after_attempt(attempts),
                wait=wait_exponential(multiplier=backoff, max=self.max_backoff_seconds),
                retry=retry_if_exception(is_transient_connect_error),
                reraise=True,
            ):
                with attempt:
                    self._dbapi_connection = self.get_conn()
        return self._dbapi_connection

    def fetch_frame(self, sql: str, params: Any = None):
        """Run a query and return a DataFrame; a fresh snapshot for every read."""
        self.db.commit()
        return fetch_frame(self.db, sql, params)

    @contextmanager
    def transaction(self):
        """A cursor inside one transaction: committed on success, rolled back on error."""
        connection = self.db
        with in_transaction(connection, connection.cursor()) as cursor:
            yield cursor

    def close(self) -> None:
        if self._dbapi_connection is not None:
            self._dbapi_connection.close()
            self._dbapi_connection = None


def lost_a_deadlock(exc: BaseException) -> bool:
    """MariaDB error 1213: InnoDB rolled the whole transaction back; it may simply run again."""
    import MySQLdb

    return isinstance(exc, MySQLdb.OperationalError) and exc.args[:1] == (1213,)


def deadlock_retrying() -> Retrying:
    """Re-run a transaction that lost a deadlock (`for attempt in deadlock_retrying(): with
    attempt, db.transaction() as cursor: ...`): concurrent mapped tasks writing the same
    tables (per-faculty feed rejects, per-provider registers) can deadlock on gap locks."""
    from tenacity import wait_random

    return Retrying(
        retry=retry_if_exception(lost_a_deadlock), stop=stop_after_attempt(5),
        wait=wait_random(0, 0.5), reraise=True,
    )  # fmt: skip
