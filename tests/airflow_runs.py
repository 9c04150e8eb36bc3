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
    """Run `dag_id` end to end in this process; returns its state and task states."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    bag = dag_bag()
    assert not bag.import_errors, bag.import_errors
    with dag_settings(dag_id, settings):
        dag_run = bag.dags[dag_id].test(logical_date=logical_date, run_conf=conf)
    result = DagRunResult(dag_id, dag_run.run_id, str(dag_run.state))
    with create_session() as session:
        for ti in session.query(TaskInstance).filter(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == dag_run.run_id
        ):
            result.task_states.setdefault(ti.task_id, []).append(str(ti.state))
            seconds = result.task_seconds.get(ti.task_id, 0.0) + (ti.duration or 0.0)
            result.task_seconds[ti.task_id] = seconds
    return result
