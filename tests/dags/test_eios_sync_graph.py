"""eios_sync's task graph as the Airflow UI shows it, and its doc_md (Must-show 1)."""

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


def test_extract_per_faculty_one_plan_for_all_then_apply_per_faculty(dag):
    """Issue 14: every faculty's rows are seen before anything is planned; the guard and
    the writes stay per faculty."""
    extract = dag.task_group_dict["extract_faculty"]
    sync = dag.task_group_dict["sync_faculty"]
    assert type(extract).__name__ == type(sync).__name__ == "MappedTaskGroup"
    assert [t.split(".")[-1] for t in extract.children] == ["extract_students", "check_quality"]
    branch = ["check_mass_graduation", "apply_changes", "record_faculty_state"]
    assert [t.split(".")[-1] for t in sync.children] == branch
    assert (
        "extract_faculty.check_quality"
        in dag.get_task("extract_faculty.extract_students").downstream_task_ids
    )
    plan = dag.get_task("plan_changes")
    assert plan.task_group.group_id is None  # one task, not mapped
    assert plan.upstream_task_ids >= {"extract_faculty.check_quality", "list_faculties"}
    assert plan.trigger_rule == "all_done"  # a faculty that failed its check stops no other
    assert "sync_faculty.check_mass_graduation" in plan.downstream_task_ids
    for upstream, downstream in zip(branch, branch[1:], strict=False):
        assert (
            f"sync_faculty.{downstream}"
            in dag.get_task(f"sync_faculty.{upstream}").downstream_task_ids
        )
    for task_id in ("record_history", "prune_history", "report_run", "verify_nothing_held"):
        assert task_id in dag.task_ids
    assert dag.get_task("record_history").trigger_rule == "all_done"


def test_held_faculties_are_asked_in_required_actions_with_no_default(dag):
    """Issue 18: the guard's held faculties go to a human-in-the-loop task, skipped when
    nothing is held; no default, so a timeout releases nothing; a mail when it waits."""
    from airflow.providers.standard.operators.hitl import HITLOperator

    check = dag.get_task("check_held_faculties")
    assert check.trigger_rule == "all_done"
    assert "sync_faculty.record_faculty_state" in check.upstream_task_ids
    decide = dag.get_task("decide_held_faculties")
    assert isinstance(decide, HITLOperator)
    assert decide.upstream_task_ids == {"check_held_faculties"}
    assert decide.multiple and decide.defaults is None and decide.retries == 0
    assert decide.notifiers and decide.response_timeout.total_seconds() < 24 * 3600
    apply = dag.get_task("apply_approved_faculties")
    assert apply.upstream_task_ids >= {"decide_held_faculties", "check_held_faculties"}
    assert apply.trigger_rule == "all_done"  # runs after a timeout: applies nothing
    assert "record_history" in apply.downstream_task_ids


def test_doc_md_explains_every_setting_and_the_manual_runs(dag):
    for name in EiosSyncSettings.model_fields:
        assert f"`{name}`" in dag.doc_md, name
        assert name in dag.params, name
    for how in ('{"dry_run": true}', "confirm_mass_graduation", "rescan_from"):
        assert how in dag.doc_md


@pytest.mark.usefixtures("airflow_db")
def test_a_bad_setting_fails_the_run_at_once_naming_the_field(mariadb, sandbox):
    result = run_dag("eios_sync", settings={"mass_graduation_threshold_pct": 0})
    assert result.state == "failed"
    assert result.state_of("resolve_settings") == "failed"
    assert result.state_of("list_faculties") == "upstream_failed"
    assert result.state_of("report_run") == "failed"
