"""The `report` step of every DAG: a short summary in the log and a row for the UI pages."""

from __future__ import annotations

import logging

from include.dag_defaults import run_moment

log = logging.getLogger(__name__)


def record_run_report(
    context, summary: str, counts: dict, outputs: dict | None = None, status: str = "success"
) -> dict:
    """Write the run's `pipeline_run_report` row (replaced on re-run) and log the summary."""
    from include.connectors.pipelines_db import PipelinesDbHook

    dag_run = context["dag_run"]
    hook = PipelinesDbHook()
    try:
        hook.record_run_report(
            dag_id=dag_run.dag_id,
            run_id=dag_run.run_id,
            logical_date=run_moment(context).replace(tzinfo=None),
            status=status,
            summary=summary,
            counts=counts,
            outputs=outputs or {},
        )
    finally:
        hook.close()
    log.info("%s | %s", summary, counts)
    return {"status": status, "summary": summary, "counts": counts, "outputs": outputs or {}}
