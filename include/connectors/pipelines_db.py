"""The project's own database (`pipelines_db`): watermarks, journals, held actions, reports."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any

from airflow.providers.mysql.hooks.mysql import MySqlHook

from include.connectors.sql_files import fetch_frame, sql_text


class PipelinesDbHook(MySqlHook):
    """Runs `sql/state/queries/*.sql` and small statements on the project's database."""

    conn_name_attr = "pipelines_conn_id"
    default_conn_name = "pipelines_db"
    hook_name = "Pipelines state database"

    def __init__(self, pipelines_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(mysql_conn_id=pipelines_conn_id, **kwargs)
        self._connection = None

    @property
    def connection(self):
        if self._connection is None:
            self._connection = self.get_conn()
        return self._connection

    def read_frame(self, sql: str, params: Any = None):
        self.connection.commit()
        return fetch_frame(self.connection, sql, params)

    def query(self, name: str) -> str:
        return sql_text(f"state/queries/{name}.sql")

    @contextmanager
    def transaction(self):
        connection = self.connection
        cursor = connection.cursor()
        try:
            yield cursor
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()

    def apply_migrations(self) -> list[str]:
        from include.migrations import apply_migrations

        return apply_migrations(self.connection)

    def record_run_report(
        self,
        dag_id: str,
        run_id: str,
        logical_date,
        status: str,
        summary: str,
        counts: dict[str, Any],
        outputs: dict[str, Any],
    ) -> None:
        """One row per DAG run (replaced on re-run): what it did and where its outputs are."""
        with self.transaction() as cursor:
            cursor.execute(
                self.query("upsert_run_report"),
                {
                    "dag_id": dag_id,
                    "run_id": run_id,
                    "logical_date": logical_date,
                    "status": status,
                    "summary": summary,
                    "counts": json.dumps(counts, ensure_ascii=False, default=str),
                    "outputs": json.dumps(outputs, ensure_ascii=False, default=str),
                },
            )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
