"""The project's DB hooks for the course steps, and the run report row.

Works around the foundation hooks' `connection` property, which shadows the
attribute MySqlHook.get_conn() reads and recurses (as the other pipelines do;
reported to the lead): the DB-API connection is opened by the provider's hook.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def opened(hook_class, conn_id: str):
    from airflow.providers.mysql.hooks.mysql import MySqlHook

    hook = hook_class()
    if isinstance(type(hook).__dict__.get("connection"), property):
        hook._dbapi_connection = MySqlHook(mysql_conn_id=conn_id).get_conn()
    return hook


def moodle_db():
    from include.connectors.moodle_db import MoodleDbHook

    return opened(MoodleDbHook, "moodle_db")


def pipelines_db():
    from include.connectors.pipelines_db import PipelinesDbHook

    return opened(PipelinesDbHook, "pipelines_db")


def record_run_report(context, summary: str, counts: dict, outputs: dict, status: str) -> dict:
    """`include.reporting.record_run_report`, with the hook opened as above."""
    dag_run = context["dag_run"]
    hook = pipelines_db()
    try:
        hook.record_run_report(
            dag_id=dag_run.dag_id,
            run_id=dag_run.run_id,
            logical_date=(context.get("logical_date") or dag_run.run_after).replace(tzinfo=None),
            status=status,
            summary=summary,
            counts=counts,
            outputs=outputs or {},
        )
    finally:
        hook.close()
    log.info("%s | %s", summary, counts)
    return {"status": status, "summary": summary, "counts": counts, "outputs": outputs or {}}
