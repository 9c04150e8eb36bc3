"""Run a project DAG for real with `dag.test()` and read back what happened."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache


@cache
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    from include.sandbox.environment import PROJECT_ROOT

    return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


@dataclass
class DagRunResult:
    dag_id: str
    run_id: str
    state: str
    task_states: dict[str, list[str]] = field(default_factory=dict)
    task_seconds: dict[str, float] = field(default_factory=dict)
    error_logs: list[str] = field(default_factory=list)  # every ERROR+ log line of the run
    summary: str | None = None  # the run's pipeline_run_report summary, if it wrote one

    def xcom(self, task_id: str, map_index: int = -1):
        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        with create_session() as session:
            row = (
                session.query(XComModel)
                .filter(
                    XComModel.dag_id == self.dag_id,
                    XComModel.run_id == self.run_id,
                    XComModel.task_id == task_id,
                    XComModel.map_index == map_index,
                    XComModel.key == "return_value",
                )
                .one_or_none()
            )
            if row is None:
                return None
            value = row.value
            return json.loads(value) if isinstance(value, str) else value

    def duration(self, task_id: str) -> float:
        """Seconds the task ran (summed over its mapped instances)."""
        return self.task_seconds.get(task_id, 0.0)

    def state_of(self, task_id: str) -> str:
        states = set(self.task_states.get(task_id, []))
        return states.pop() if len(states) == 1 else ",".join(sorted(states))


ERROR_METHODS = {"error", "exception", "critical", "fatal"}


@contextmanager
def error_log_lines():
    """Every log line at ERROR or above while the block runs, as `logger: message`.

    Both kinds: stdlib `logging` records and structlog's own events (Airflow's
    Task SDK, e.g. `[error] XCom not found`, logs through structlog, not `logging`).
    The log output itself is left as it was.
    """
    import logging

    import structlog

    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(f"{record.name}: {record.getMessage()}")

    def collect(logger, method_name, event_dict):
        if method_name in ERROR_METHODS:
            name = event_dict.get("logger_name") or getattr(logger, "name", None) or "?"
            found.append(f"{name}: {event_dict.get('event')}")
        return event_dict

    handler = Collect(logging.ERROR)
    processors = structlog.get_config()["processors"]
    structlog.configure(processors=[collect, *processors])
    logging.getLogger().addHandler(handler)
    try:
        yield found
    finally:
        logging.getLogger().removeHandler(handler)
        structlog.configure(processors=processors)


def assert_no_error_logs(result: DagRunResult) -> None:
    """A successful run logs nothing at ERROR (an `[error]` line on a good run misleads)."""
    assert result.state == "success", result.task_states
    assert not result.error_logs, "\n".join(result.error_logs[:10])


# What a summary must not show: Python reprs and plural hedges ("course(s)").
NOT_A_SENTENCE = ("{", "}", "[", "]", "':", "(s)", "(es)", "(ies)", "(zes)", "(ren)")


def assert_reads_as_a_sentence(summary: str) -> None:
    """A run report's summary is prose: no dict or list repr, plurals spelled out."""
    found = [mark for mark in NOT_A_SENTENCE if mark in summary]
    assert not found, f"summary shows {found}: {summary}"


def run_summary(dag_id: str, run_id: str) -> str | None:
    """The summary of the run's `pipeline_run_report` row (None when it wrote none)."""
    from include.sandbox.stack import connect

    connection = connect("pipelines")
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT summary FROM pipeline_run_report WHERE dag_id = %s AND run_id = %s",
            (dag_id, run_id),
        )
        row = cursor.fetchone()
    finally:
        connection.close()
    return row[0] if row else None


@contextmanager
def dag_settings(dag_id: str, settings: dict | None):
    """The DAG's settings Variable (`AIRFLOW_VAR_<DAG_ID>`) for the duration of a run."""
    name = f"AIRFLOW_VAR_{dag_id.upper()}"
    old = os.environ.get(name)
    if settings is not None:
        os.environ[name] = json.dumps(settings)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def run_dag(
    dag_id: str,
    logical_date: datetime | None = None,
    conf: dict | None = None,
    settings: dict | None = None,
) -> DagRunResult:
    """Run `dag_id` end to end in this process; returns its state and task states, the
    ERROR log lines it wrote, and its report's summary, which must read as a sentence."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    bag = dag_bag()
    assert not bag.import_errors, bag.import_errors
    with dag_settings(dag_id, settings), error_log_lines() as errors:
        dag_run = bag.dags[dag_id].test(logical_date=logical_date, run_conf=conf)
    result = DagRunResult(dag_id, dag_run.run_id, str(dag_run.state), error_logs=errors)
    result.summary = run_summary(dag_id, dag_run.run_id)
    if result.summary is not None:
        assert_reads_as_a_sentence(result.summary)
    with create_session() as session:
        for ti in session.query(TaskInstance).filter(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == dag_run.run_id
        ):
            result.task_states.setdefault(ti.task_id, []).append(str(ti.state))
            seconds = result.task_seconds.get(ti.task_id, 0.0) + (ti.duration or 0.0)
            result.task_seconds[ti.task_id] = seconds
    return result
