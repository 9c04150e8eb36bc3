"""`make demo`: every DAG end to end against the sandbox, then a short summary.

Each DAG runs once with `dag.test()` (no scheduler) for the logical date and
conf its demo-data generator lists in `DEMO_RUNS`; a DAG not listed runs for
yesterday with its defaults. The summary is read from `pipeline_run_report`, the row every run's
report task writes.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta


def demo_runs() -> dict[str, tuple[int, dict]]:
    """dag_id -> (days before today, run conf), from each generator's `DEMO_RUNS`,
    in the order of `GENERATORS` (a pipeline's data exists before its archive runs)."""
    from include.sandbox.demo_data import generator_modules

    runs: dict[str, tuple[int, dict]] = {}
    for module in generator_modules():
        runs.update(getattr(module, "DEMO_RUNS", {}))
    return runs


def run_all_dags() -> list[dict]:
    from airflow.dag_processing.dagbag import DagBag

    from include.sandbox.environment import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        raise SystemExit(
            "DAG import errors:\n" + "\n".join(f"{k}: {v}" for k, v in bag.import_errors.items())
        )
    planned = demo_runs()
    ordered = [d for d in planned if d in bag.dags] + sorted(
        d for d in bag.dags if d not in planned
    )
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    results = []
    for dag_id in ordered:
        days_back, conf = planned.get(dag_id, (1, {}))
        logical_date = today - timedelta(days=days_back)
        _forget_earlier_demo_run(dag_id, logical_date)
        started = time.monotonic()
        dag_run = bag.dags[dag_id].test(logical_date=logical_date, run_conf=conf or None)
        results.append(
            {
                "dag_id": dag_id,
                "run_id": dag_run.run_id,
                "state": str(dag_run.state),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    return results


def _forget_earlier_demo_run(dag_id: str, logical_date: datetime) -> None:
    """A re-run of `make demo` replaces the demo's own earlier run of that date
    (Airflow keeps one run per DAG and logical date)."""
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        for dag_run in session.query(DagRun).filter(
            DagRun.dag_id == dag_id, DagRun.logical_date == logical_date
        ):
            session.delete(dag_run)


def print_summary(results: list[dict]) -> None:
    from include.sandbox.stack import connect

    connection = connect("pipelines")
    cursor = connection.cursor()
    print("\n=== make demo: summary ===")
    if not results:
        print("No DAGs yet.")
    for result in results:
        cursor.execute(
            "SELECT summary, outputs FROM pipeline_run_report WHERE dag_id = %s AND run_id = %s",
            (result["dag_id"], result["run_id"]),
        )
        row = cursor.fetchone()
        print(f"- {result['dag_id']}: {result['state']} in {result['seconds']} s")
        if row:
            print(f"    {row[0]}")
            for name, where in json.loads(row[1]).items():
                print(f"    {name}: {where}")
    connection.close()
