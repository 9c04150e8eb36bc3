"""`make demo`: every DAG end to end against the sandbox, then a short summary.

Each DAG runs once with `dag.test()` (no scheduler) for the logical date and
conf listed in DEMO_RUNS; a DAG not listed runs for yesterday with its
defaults. The summary is read from `pipeline_run_report`, the row every run's
report task writes.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

# dag_id -> (days before today, run conf); order matters (archives need data first).
DEMO_RUNS: dict[str, tuple[int, dict]] = {}


def run_all_dags() -> list[dict]:
    from airflow.dag_processing.dagbag import DagBag

    from include.sandbox.environment import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        raise SystemExit("DAG import errors:\n" + "\n".join(f"{k}: {v}" for k, v in bag.import_errors.items()))
    ordered = [d for d in DEMO_RUNS if d in bag.dags] + sorted(d for d in bag.dags if d not in DEMO_RUNS)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    results = []
    for dag_id in ordered:
        days_back, conf = DEMO_RUNS.get(dag_id, (1, {}))
        logical_date = today - timedelta(days=days_back)
        started = time.monotonic()
        dag_run = bag.dags[dag_id].test(logical_date=logical_date, run_conf=conf or None)
        results.append({
            "dag_id": dag_id, "run_id": dag_run.run_id, "state": str(dag_run.state),
            "seconds": round(time.monotonic() - started, 1),
        })
    return results


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
