"""One retry layer per call: the hooks retry transient errors with back-off, their policy
from the hook's arguments or the Connection's extra; Airflow's task retries come from
dag_defaults with Airflow's own retry-delay setting, and no task code reads a test knob."""

from __future__ import annotations

import json
import pathlib

import pytest

from include import dag_defaults
from include.paths import PROJECT_ROOT


def test_http_retry_policy_from_the_connection_extra_never_sent_as_headers(monkeypatch):
    from include.connectors.eios import EiosHook

    monkeypatch.setenv(
        "AIRFLOW_CONN_H12_RETRY_HTTP",
        json.dumps(
            {
                "conn_type": "http",
                "host": "http://127.0.0.1:9/x",
                "extra": {"retry_attempts": 7, "retry_backoff_seconds": 0.5, "X-Kept": "1"},
            }
        ),
    )
    hook = EiosHook("h12_retry_http")
    assert (hook.attempts, hook.backoff_seconds) == (7, 0.5)
    session = hook.get_conn()
    assert session.headers["X-Kept"] == "1"
    assert not {"retry_attempts", "retry_backoff_seconds"} & set(session.headers)
    # the hook's arguments win; without either, the system's default
    assert EiosHook("h12_retry_http", attempts=2).attempts == 2
    monkeypatch.setenv("AIRFLOW_CONN_H12_PLAIN", json.dumps({"conn_type": "http", "host": "x"}))
    assert EiosHook("h12_plain").attempts == EiosHook.default_attempts


def test_the_database_hooks_retry_a_refused_connection_then_give_up(monkeypatch):
    import MySQLdb

    from include.connectors.pipelines_db import PipelinesDbHook

    calls = []

    def refused(self):
        calls.append(1)
        raise MySQLdb.OperationalError(2003, "Can't connect to MySQL server")

    monkeypatch.setattr(PipelinesDbHook, "get_conn", refused)
    with pytest.raises(MySQLdb.OperationalError):
        _ = PipelinesDbHook(attempts=3, backoff_seconds=0).db
    assert len(calls) == 3

    calls.clear()

    def denied(self):
        calls.append(1)
        raise MySQLdb.OperationalError(1045, "Access denied")  # final: no retry

    monkeypatch.setattr(PipelinesDbHook, "get_conn", denied)
    with pytest.raises(MySQLdb.OperationalError):
        _ = PipelinesDbHook(attempts=3, backoff_seconds=0).db
    assert len(calls) == 1


def test_a_db_hook_connects_to_the_connection_it_is_given():
    from include.connectors.moodle_db import MoodleDbHook
    from include.connectors.pipelines_db import PipelinesDbHook

    assert PipelinesDbHook("other_db").get_conn_id() == "other_db"
    assert MoodleDbHook("other_db").get_conn_id() == "other_db"


def test_airflow_retries_are_few_and_wait_by_airflows_own_setting():
    args = dag_defaults.default_args()
    assert args["retries"] == dag_defaults.TASK_RETRIES <= 1
    assert "retry_delay" not in args  # [core] default_task_retry_delay applies


TEST_KNOBS = ("PIPELINES_RETRY_DELAY_SECONDS",)


def knob_readers(root: pathlib.Path, knobs=TEST_KNOBS) -> list[str]:
    """Files of production code (include/ but the sandbox, dags/, plugins/) naming a
    test-only knob."""
    found = []
    for folder in ("include", "dags", "plugins"):
        for path in sorted((root / folder).rglob("*.py")):
            if "sandbox" in path.relative_to(root).parts:
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(root)}: {k}" for k in knobs if k in text]
    return found


def test_no_task_code_reads_a_test_only_knob():
    assert knob_readers(PROJECT_ROOT) == []


def test_the_knob_rule_can_fail(tmp_path):
    (tmp_path / "include" / "tasks").mkdir(parents=True)
    (tmp_path / "include" / "tasks" / "x.py").write_text(
        'delay = os.environ.get("PIPELINES_RETRY_DELAY_SECONDS")\n'
    )
    (tmp_path / "include" / "sandbox").mkdir()
    (tmp_path / "include" / "sandbox" / "ok.py").write_text("PIPELINES_RETRY_DELAY_SECONDS\n")
    assert knob_readers(tmp_path) == ["include/tasks/x.py: PIPELINES_RETRY_DELAY_SECONDS"]
