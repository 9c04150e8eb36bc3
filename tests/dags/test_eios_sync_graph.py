"""eios_sync's task graph as the Airflow UI shows it, and its doc_md (issues 3, 16, 18)."""

from __future__ import annotations

import pytest

from include.config import EiosSyncSettings
from tests.airflow_runs import dag_bag, run_dag


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setenv("PIPELINES_RETRY_DELAY_SECONDS", "0")


@pytest.fixture(scope="module")
def dag():
    return dag_bag().dags["eios_sync"]


ONE_FOR_ALL = (
    "resolve_settings",
    "extract_students",
    "check_quality",
    "plan_changes",
    "check_mass_graduation",
)  # and check_accepted_rows: after check_quality, beside the plan, before the guard


def test_one_task_per_step_for_all_faculties_and_apply_only_where_there_is_work(dag):
    """Issue 16: the task instances are bounded by the work, not by faculties x steps: one
    extract, one quality gate, one plan and one guard for every faculty; the apply is
    mapped over the faculties the guard found with actions to send."""
    for upstream, downstream in zip(ONE_FOR_ALL, ONE_FOR_ALL[1:], strict=False):
        task = dag.get_task(downstream)
        assert not task.is_mapped and task.task_group.group_id is None, downstream
        assert upstream in task.upstream_task_ids, downstream
    suite = dag.get_task("check_accepted_rows")  # the GX suite, beside the plan
    assert suite.upstream_task_ids == {"resolve_settings", "check_quality"}
    assert suite.downstream_task_ids == {
        "check_mass_graduation"
    }  # nothing applied unless it passed
    assert suite.retries == 0
    assert not dag.task_group_dict  # no mapped group of steps per faculty
    apply = dag.get_task("apply_changes")
    assert apply.is_mapped and apply.upstream_task_ids == {
        "check_mass_graduation",
        "resolve_settings",
    }
    assert apply.pool == "moodle_ws"
    record = dag.get_task("record_faculty_state")
    assert record.upstream_task_ids >= {"apply_changes"}
    assert record.trigger_rule == "all_done"  # a faculty whose apply failed stops no other
    for task_id in ("prune_history", "report_run", "verify_nothing_held"):
        assert task_id in dag.task_ids
    assert dag.get_task("report_run").trigger_rule == "all_done"  # the history CSV: always
    assert len(dag.task_ids) == 14
    assert dag.get_task("prune_history").downstream_task_ids == set()  # beside the report


def test_the_dag_file_only_wires():
    """#15: the DAG file is its doc_md, its params and the wiring of tasks imported from
    include/tasks/: no task body, no operator built by hand, no I/O."""
    import re
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "dags" / "eios_sync.py"
    code = source.read_text(encoding="utf-8").split('"""', 2)[2]
    assert re.findall(r"^def (\w+)", code, re.M) == ["eios_sync"]
    assert "@task" not in code and "HITLOperator" not in code and "Hook" not in code
    assert len(code.strip().splitlines()) < 70


def test_held_faculties_are_asked_in_required_actions_with_no_default(dag):
    """Issue 18: the guard's held faculties go to a human-in-the-loop task, skipped when
    nothing is held; no default, so a timeout releases nothing; a mail when it waits."""
    from airflow.providers.standard.operators.hitl import HITLOperator

    check = dag.get_task("check_held_faculties")
    assert check.trigger_rule == "all_done"
    # nothing held: a short circuit skips the question and the release without a process
    assert type(check).__name__ == "_ShortCircuitDecoratedOperator"
    assert check.ignore_downstream_trigger_rules is False
    assert "record_faculty_state" in check.upstream_task_ids
    decide = dag.get_task("decide_held_faculties")
    assert isinstance(decide, HITLOperator)
    assert decide.upstream_task_ids == {"check_held_faculties"}
    assert decide.multiple and decide.defaults is None and decide.retries == 0
    assert decide.notifiers and decide.response_timeout.total_seconds() < 24 * 3600
    apply = dag.get_task("apply_approved_faculties")
    assert apply.upstream_task_ids >= {"decide_held_faculties", "check_held_faculties"}
    assert apply.trigger_rule == "all_done"  # runs after a timeout: applies nothing
    assert "report_run" in apply.downstream_task_ids


def test_doc_md_explains_every_setting_and_the_manual_runs(dag):
    for name in EiosSyncSettings.model_fields:
        assert f"`{name}`" in dag.doc_md, name
        assert name in dag.params, name
    for how in ('{"dry_run": true}', "confirm_mass_graduation", "rescan_from"):
        assert how in dag.doc_md


@pytest.mark.usefixtures("airflow_db")
def test_a_bad_setting_fails_the_run_at_once_naming_the_field(fresh_stack, sandbox):
    result = run_dag("eios_sync", settings={"mass_graduation_threshold_pct": 0})
    assert result.state == "failed"
    assert result.state_of("resolve_settings") == "failed"
    assert result.state_of("extract_students") == "upstream_failed"
    assert result.state_of("report_run") == "failed"
