"""One DB-API connection per hook, on the MySQL provider's hook (Moodle's DB and ours)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from airflow.providers.mysql.hooks.mysql import MySqlHook

from include.connectors.sql_files import fetch_frame


class OneConnectionMySqlHook(MySqlHook):
    """Opens its connection on first use and keeps it for the task's lifetime.

    (`DbApiHook.connection`/`_connection` are the Airflow Connection, so ours is `db`.)
    """

    _dbapi_connection = None

    @property
    def db(self):
        if self._dbapi_connection is None:
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
        cursor = connection.cursor()
        try:
            yield cursor
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()

    def close(self) -> None:
        if self._dbapi_connection is not None:
            self._dbapi_connection.close()
            self._dbapi_connection = None
