"""House rule (issue 14): every task has an `execution_timeout`, none shorter than what a
full-scale run of it needs (bench/ and the docs' figures), so a hung call ends and retries
instead of wedging the schedule."""

from __future__ import annotations

from datetime import timedelta

from tests.airflow_runs import dag_bag

# tasks whose full-scale run is long get more than the 30-minute default
AT_LEAST = {
    ("exam_archive", "render_quiz_archive"): timedelta(hours=2),
    ("course_archive", "backup_course"): timedelta(hours=1, minutes=30),
    ("voucher_ingest", "ingest_marks"): timedelta(minutes=60),
    ("voucher_acts", "render_acts"): timedelta(minutes=60),
    ("eios_sync", "apply_changes"): timedelta(minutes=60),
    ("kontur_recordings", "poll_recordings"): timedelta(minutes=10),
}


def test_every_task_has_an_execution_timeout_that_fits_a_full_scale_run():
    dags = dag_bag().dags
    for dag in dags.values():
        for task in dag.tasks:
            assert task.execution_timeout, f"{dag.dag_id}.{task.task_id}: no execution_timeout"
            assert task.execution_timeout >= timedelta(minutes=10), task.task_id
    for (dag_id, task_id), least in AT_LEAST.items():
        task = dags[dag_id].get_task(task_id)
        assert task.execution_timeout >= least, f"{dag_id}.{task_id}"


def test_the_kontur_poll_times_out_well_before_the_next_runs_pile_up():
    poll = dag_bag().dags["kontur_recordings"].get_task("poll_recordings")
    assert poll.execution_timeout <= timedelta(minutes=15)
