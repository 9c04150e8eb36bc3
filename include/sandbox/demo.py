"""`make demo`: every DAG end to end against the sandbox, then a short summary.

Each DAG runs once with `dag.test()` (no scheduler) for the logical date and
conf its demo-data generator lists in `DEMO_RUNS`; a DAG not listed runs for
yesterday with its defaults. The summary is read from `pipeline_run_report`, the row every run's
report task writes.

The terminal shows one progress line per DAG as it runs, then the summary; all
that Airflow and the tasks log or print goes to `DEMO_LOG`, which the summary names.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from include.sandbox.environment import LOCAL_DIR, PROJECT_ROOT

DEMO_LOG = LOCAL_DIR / "demo.log"

log = logging.getLogger(__name__)


def demo_runs() -> dict[str, tuple[int, dict]]:
    """dag_id -> (days before today, run conf), from each generator's `DEMO_RUNS`,
    in the order of `GENERATORS` (a pipeline's data exists before its archive runs)."""
    from include.sandbox.demo_data import generator_modules

    runs: dict[str, tuple[int, dict]] = {}
    for module in generator_modules():
        runs.update(getattr(module, "DEMO_RUNS", {}))
    return runs


def run_all_dags(log_path: Path = DEMO_LOG, only: list[str] | None = None) -> list[dict]:
    """Run every DAG (or those in `only`), one progress line each on the terminal;
    Airflow's and the tasks' output goes to `log_path`."""
    with output_to_log(log_path) as terminal:
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
        if bag.import_errors:
            errors = "\n".join(f"{k}: {v}" for k, v in bag.import_errors.items())
            log.error("DAG import errors:\n%s", errors)
            raise SystemExit(f"DAG import errors (see {log_path}):\n{errors}")
        planned = demo_runs()
        ordered = [d for d in planned if d in bag.dags] + sorted(
            d for d in bag.dags if d not in planned
        )
        ordered = [d for d in ordered if only is None or d in only]
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        width = max((len(d) for d in ordered), default=0)
        results = []
        for dag_id in ordered:
            days_back, conf = planned.get(dag_id, (1, {}))
            logical_date = today - timedelta(days=days_back)
            terminal.write(f"{dag_id:<{width}} … ")
            terminal.flush()
            log.info("=== make demo: %s for %s ===", dag_id, logical_date.date())
            _forget_earlier_demo_run(dag_id, logical_date)
            started = time.monotonic()
            result = {"dag_id": dag_id, "run_id": None, "state": "error", "failed_tasks": []}
            try:
                dag_run = bag.dags[dag_id].test(logical_date=logical_date, run_conf=conf or None)
                result |= {"run_id": dag_run.run_id, "state": str(dag_run.state)}
                result["failed_tasks"] = _failed_tasks(dag_id, dag_run.run_id)
            except Exception:  # one DAG's crash must not hide the others' results
                log.exception("make demo: %s did not run to the end", dag_id)
            result["seconds"] = round(time.monotonic() - started, 1)
            results.append(result)
            terminal.write(progress_end(result, log_path) + "\n")
            terminal.flush()
    return results


def progress_end(result: dict, log_path: Path) -> str:
    """The end of a DAG's progress line: `success in 12.3 s`, or what failed and where to look."""
    line = f"{result['state']} in {result['seconds']} s"
    if result["state"] == "success":
        return line
    failed = ", ".join(result.get("failed_tasks") or [])
    where = f"search {_shown(log_path)} for {result['dag_id']}"
    return f"{line} (failed: {failed}; {where})" if failed else f"{line} ({where})"


@contextmanager
def output_to_log(path: Path) -> Iterator[TextIO]:
    """While the block runs, what Airflow and the tasks log or print goes to `path`.

    Standard output and error are redirected at the file-descriptor level (so
    child processes, e.g. the PDF workers, write there too) and as `sys.stdout` /
    `sys.stderr`, and Airflow's logging (root and `airflow` handlers, structlog) is
    configured again, without colours, to write there. Yields a stream to the
    terminal for the progress lines.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    saved_streams = sys.stdout, sys.stderr
    terminal = os.fdopen(os.dup(saved_out), "w", buffering=1, encoding="utf-8")
    with open(path, "w", buffering=1, encoding="utf-8") as log_file:
        os.dup2(log_file.fileno(), 1)
        os.dup2(log_file.fileno(), 2)
        sys.stdout = sys.stderr = log_file
        _configure_airflow_logging(colors=False)
        try:
            yield terminal
        finally:
            log_file.flush()
            sys.stdout, sys.stderr = saved_streams
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()
            _configure_airflow_logging(colors=None)


def _configure_airflow_logging(colors: bool | None) -> None:
    """Airflow's own logging set-up again: its handlers write to the current stdout
    (the log file while redirected); `colors=False` keeps escape codes out of a file."""
    from airflow.logging_config import configure_logging

    name = "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG"
    old = os.environ.get(name)
    if colors is not None:
        os.environ[name] = str(colors)
    try:
        configure_logging()
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _failed_tasks(dag_id: str, run_id: str) -> list[str]:
    """The run's failed task ids (a mapped task once), in order."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance.task_id).filter(
            TaskInstance.dag_id == dag_id,
            TaskInstance.run_id == run_id,
            TaskInstance.state == "failed",
        )
        return sorted({row.task_id for row in rows})


def _shown(path: Path) -> str:
    """`path` relative to the project when it lies inside it (as the README names it)."""
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


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


def print_summary(results: list[dict], log_path: Path = DEMO_LOG) -> None:
    from include.sandbox.stack import connect

    connection = connect("pipelines")
    try:
        cursor = connection.cursor()
        reports = {}
        for result in results:
            cursor.execute(
                "SELECT summary, outputs FROM pipeline_run_report"
                " WHERE dag_id = %s AND run_id = %s",
                (result["dag_id"], result["run_id"]),
            )
            row = cursor.fetchone()
            if row:
                reports[result["dag_id"]] = (row[0], json.loads(row[1]))
    finally:
        connection.close()
    print("\n".join(summary_lines(results, reports, log_path)))


def summary_lines(
    results: list[dict], reports: dict[str, tuple[str, dict]], log_path: Path
) -> list[str]:
    """The summary: per DAG its state, its report's sentence and outputs; then the log."""
    from include.reporting import plural

    lines = ["", "=== make demo: summary ==="]
    if not results:
        lines.append("No DAGs yet.")
    for result in results:
        lines.append(f"- {result['dag_id']}: {progress_end(result, log_path)}")
        summary, outputs = reports.get(result["dag_id"], (None, {}))
        if summary:
            lines.append(f"    {summary}")
        lines.extend(f"    {name}: {where}" for name, where in outputs.items() if where)
    failed = [r["dag_id"] for r in results if r["state"] != "success"]
    if failed:
        lines.append(
            f"{plural(len(failed), 'DAG')} did not succeed: {', '.join(failed)}."
            f" The full Airflow log: {_shown(log_path)} (search it for the task ids above)."
        )
    else:
        lines.append(f"The full Airflow log: {_shown(log_path)}")
    return lines
