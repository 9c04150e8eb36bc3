"""The project's own database (`pipelines_db`): watermarks, journals, held actions, reports."""

from __future__ import annotations

import json
from typing import Any

from include.connectors.mysql_base import OneConnectionMySqlHook
from include.connectors.sql_files import sql_text


class PipelinesDbHook(OneConnectionMySqlHook):
    """Runs `sql/state/queries/*.sql` and small statements on the project's database."""

    conn_name_attr = "pipelines_conn_id"
    default_conn_name = "pipelines_db"
    hook_name = "Pipelines state database"

    def __init__(self, pipelines_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(
            pipelines_conn_id=pipelines_conn_id, **kwargs
        )  # DbApiHook reads conn_name_attr

    def read_frame(self, sql: str, params: Any = None):
        return self.fetch_frame(sql, params)

    def query(self, name: str) -> str:
        return sql_text(f"state/queries/{name}.sql")

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
