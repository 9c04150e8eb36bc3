"""One DAG per pipeline under the CeleryExecutor with two workers and the store on S3:
mapped tasks run on both workers (task instances' `hostname`), outputs equal a
single-machine run's, and a worker killed mid-task (SIGKILL on its whole process group,
as when a machine is lost) costs a retry on the other worker, nothing else: no second
URL activity, no second act, no file missing from a manifest. Stack: conftest.py."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, datetime

from include.sandbox.demo import demo_runs
from include.sandbox.demo_data.exams import DEMO_DATE
from include.sandbox.demo_data.recordings import DEMO_SETTINGS as RECORDING_SETTINGS
from tests.dags.test_eios_sync import users
from tests.dags.test_exam_archive import _manifest
from tests.db import query
from tests.e2e.conftest import assert_quiet_success

WORKERS = {"worker-1", "worker-2"}


def _quiet(stack, outcome) -> None:
    assert_quiet_success({"home": stack.home}, outcome)


def _hostnames(outcome, task_id: str) -> set[str]:
    return {t["hostname"] for t in outcome.mapped(task_id)}


def _seconds(outcome) -> float:
    started = datetime.fromisoformat(outcome.run["start_date"])
    ended = datetime.fromisoformat(outcome.run["end_date"])
    return (ended - started).total_seconds()


def _kill_worker_mid_task(api, stack, dag_id: str, run_id: str, task_id: str) -> dict:
    """Wait until a `task_id` instance runs on a worker, then SIGKILL that worker's whole
    process group (the worker, its pool process, the supervisor and the task)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        for ti in api.task_instances(dag_id, run_id):
            if ti["task_id"] == task_id and ti["state"] == "running":
                if ti["hostname"] in stack.worker_names:
                    time.sleep(0.5)  # inside the task: it has started its work
                    stack.processes[ti["hostname"]].kill()
                    return {**ti, "killed_at": time.monotonic()}
        time.sleep(0.2)
    raise AssertionError(f"{task_id} never ran in {dag_id} {run_id}")


def _retried_elsewhere(api, stack, outcome, killed: dict, figures, label: str) -> dict:
    """The killed task instance ran again on the other worker and succeeded; the worker
    is started again for the next tests."""
    survivor = next(
        t
        for t in outcome.task_instances
        if t["task_id"] == killed["task_id"] and t["map_index"] == killed["map_index"]
    )
    assert survivor["state"] == "success", survivor
    assert survivor["try_number"] >= killed["try_number"] + 1, (killed, survivor)
    assert survivor["hostname"] in WORKERS - {killed["hostname"]}, (killed, survivor)
    restarted_at = datetime.fromisoformat(survivor["start_date"])
    lost_at = datetime.fromisoformat(killed["start_date"])
    figures[f"{label}: lost task restarted after"] = (
        f"{(restarted_at - lost_at).total_seconds():.0f} s from its first start"
    )
    stack.start_worker(killed["hostname"])
    return survivor


def test_eios_sync_maps_faculties_over_both_workers(api, stack, sandbox, s3_store, figures):
    api.set_variable("eios_sync", {"faculties": ["ECON", "LAW", "TECH"], "ws_batch_size": 10})
    sandbox.reset()
    run = api.run("eios_sync", {"dry_run": False})
    _quiet(stack, run)
    assert len(run.mapped("sync_faculty.apply_changes")) == 3
    mapped = [t for t in run.task_instances if t["map_index"] >= 0]
    assert {t["hostname"] for t in mapped} == WORKERS  # the faculties' tasks on both
    created = users()
    studying = {
        r[0]
        for r in query("sandbox", "SELECT student_id FROM eios_student WHERE status = 'studying'")
    }
    rejected = {  # the quality gate's rejects, written to the S3 store by the mapped tasks
        row["student_id"]
        for path in (s3_store / "eios_sync" / "rejects").rglob("*.csv")
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    }
    assert set(created) == studying - rejected  # every accepted student, in all faculties
    duplicates = query(
        "moodle",
        "SELECT idnumber FROM mdl_user WHERE deleted = 0 AND idnumber <> ''"
        " GROUP BY idnumber HAVING COUNT(*) > 1",
    )
    assert not duplicates
    figures["eios_sync (3 faculties)"] = f"{_seconds(run):.0f} s"


def test_exam_archive_renders_quizzes_on_both_workers_as_one_machine_does(
    api, stack, s3_store, airflow_db, figures
):
    from include.storage import store_root
    from tests.airflow_runs import run_dag

    conf = {"date": DEMO_DATE.isoformat()}
    run = api.run("exam_archive", conf)
    _quiet(stack, run)
    assert len(run.mapped("render_quiz_archive")) >= 4
    assert _hostnames(run, "render_quiz_archive") == WORKERS
    figures[f"exam_archive ({len(run.mapped('render_quiz_archive'))} quizzes)"] = (
        f"{_seconds(run):.0f} s"
    )

    started = time.monotonic()
    single = run_dag("exam_archive", conf=conf)  # one machine: dag.test, the local store
    assert single.state == "success", single
    figures["exam_archive, one process (dag.test)"] = f"{time.monotonic() - started:.0f} s"
    day = date.fromisoformat(conf["date"])
    on_s3 = {p: (r["sha256"], r["bytes"]) for p, r in _manifest(s3_store, day).items()}
    local = {p: (r["sha256"], r["bytes"]) for p, r in _manifest(store_root(), day).items()}
    assert on_s3 == local and len(on_s3) >= 4 * 8


def test_vouchers_ingest_over_both_workers_and_acts_survive_a_lost_worker(
    api, stack, s3_store, figures
):
    runs = demo_runs()
    api.set_variable(  # the Variable the three voucher DAGs share, then the ingest's own
        "vouchers", {"extra_holidays": [], "extra_working_days": [], "max_pages": 1000}
    )
    api.set_variable("voucher_ingest", {"provider_batch_size": 1})
    ingest = api.run("voucher_ingest", runs["voucher_ingest"][1])
    _quiet(stack, ingest)
    assert len(ingest.mapped("ingest_marks")) == 4
    assert _hostnames(ingest, "ingest_marks") == WORKERS
    figures["voucher_ingest (4 providers)"] = f"{_seconds(ingest):.0f} s"

    period = runs["voucher_acts"][1]["period"]
    run_id = api.trigger("voucher_acts", {"billing_basis": "attendance", "period": period})
    killed = _kill_worker_mid_task(api, stack, "voucher_acts", run_id, "render_acts")
    acts = api.wait_for_run("voucher_acts", run_id)
    assert acts.state == "success", acts
    _retried_elsewhere(api, stack, acts, killed, figures, "voucher_acts render_acts")
    acts_rows = query(
        "pipelines",
        "SELECT act_number, bin, status, pdf_path FROM voucher_act WHERE period = %s",
        period,
    )
    assert len(acts_rows) == 4  # one act per provider
    assert len({bin_ for _, bin_, _, _ in acts_rows}) == 4  # none twice
    ready = {number: pdf for number, _, status, pdf in acts_rows if not status.startswith("held")}
    pdfs = {p.stem: p for p in (s3_store / "vouchers" / "acts" / period).rglob("*.pdf")}
    assert ready and set(pdfs) == set(ready), (pdfs, ready)  # every ready act's PDF, no other
    assert all(pdfs[number].stat().st_size > 1000 for number in ready)
    figures["voucher_acts with a lost worker"] = f"{_seconds(acts):.0f} s"


def test_course_audit_and_archive_back_up_courses_on_both_workers(api, stack, figures):
    runs = demo_runs()
    audit = api.run("course_audit", runs["course_audit"][1])
    _quiet(stack, audit)
    archive = api.run("course_archive", runs["course_archive"][1])
    _quiet(stack, archive)
    backups = archive.mapped("backup_course")
    assert len(backups) >= 2 and _hostnames(archive, "backup_course") == WORKERS
    stored = query("pipelines", "SELECT course_id, COUNT(*) FROM course_backup GROUP BY course_id")
    assert len(stored) == len(backups) and all(n == 1 for _, n in stored)
    figures[f"course_archive ({len(backups)} courses)"] = f"{_seconds(archive):.0f} s"


def test_kontur_recordings_publish_survives_a_lost_worker(api, stack, figures):
    api.set_variable("kontur_recordings", {**RECORDING_SETTINGS, "page_size": 7})
    before = query("moodle", "SELECT COUNT(*) FROM mdl_url")[0][0]
    run_id = api.trigger("kontur_recordings", {"publish_now": True})
    killed = _kill_worker_mid_task(api, stack, "kontur_recordings", run_id, "publish_recordings")
    run = api.wait_for_run("kontur_recordings", run_id)
    assert run.state == "success", run
    _retried_elsewhere(api, stack, run, killed, figures, "kontur_recordings publish_recordings")
    published = query("pipelines", "SELECT COUNT(*) FROM kontur_publication")[0][0]
    assert published >= 5
    urls = query("moodle", "SELECT COUNT(*) FROM mdl_url")[0][0]
    assert urls == before + published  # one URL activity per publication: none twice
    twice = query(
        "moodle", "SELECT course, externalurl FROM mdl_url GROUP BY 1, 2 HAVING COUNT(*) > 1"
    )
    assert not twice
    figures["kontur_recordings with a lost worker"] = f"{_seconds(run):.0f} s"
