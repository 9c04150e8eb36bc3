"""One DAG per pipeline under the CeleryExecutor with two workers and the store on S3:
mapped tasks run on both workers (task instances' `hostname`), outputs equal a
single-machine run's, and a worker killed mid-task (SIGKILL on its whole process tree,
the task's own process group too, as when a machine is lost) costs a retry on the other
worker once the scheduler notices the lost heartbeat, nothing else: no second URL
activity, no second act, no file missing from a manifest. Stack: conftest.py; waits
and the kill: runs.py."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, datetime
from urllib.parse import quote

from include.sandbox.demo import demo_runs
from include.sandbox.demo_data.exams import DEMO_DATE
from include.sandbox.demo_data.recordings import DEMO_SETTINGS as RECORDING_SETTINGS
from tests.dags.test_eios_sync import users
from tests.dags.test_exam_archive import _manifest
from tests.db import query
from tests.distributed.conftest import SIZES
from tests.distributed.runs import finish, kill_worker_mid_task, retried_elsewhere, run_to_end
from tests.e2e.conftest import assert_quiet_success

WORKERS = {"worker-1", "worker-2"}


def _quiet(stack, outcome) -> None:
    assert_quiet_success({"home": stack.home}, outcome)


def _hostnames(outcome, task_id: str) -> set[str]:
    return {t["hostname"] for t in outcome.mapped(task_id)}


def _spread(outcome, task_id: str) -> str:
    """Which worker ran which mapped instances: `worker-1: 0, 2; worker-2: 1, 3`."""
    by_host: dict[str, list[int]] = {}
    for ti in sorted(outcome.mapped(task_id), key=lambda t: t["map_index"]):
        by_host.setdefault(ti["hostname"], []).append(ti["map_index"])
    return "; ".join(f"{h}: {', '.join(map(str, i))}" for h, i in sorted(by_host.items()))


def _recovery(figures: dict) -> str:
    return (
        f"on {figures['lost worker']} lost; the scheduler noticed after"
        f" {figures['noticed after']}, the retry started on {figures['retried on']}"
        f" {figures['retried after']} after the kill"
    )


def _seconds(outcome) -> float:
    started = datetime.fromisoformat(outcome.run["start_date"])
    ended = datetime.fromisoformat(outcome.run["end_date"])
    return (ended - started).total_seconds()


def test_eios_sync_maps_faculties_over_both_workers(api, stack, sandbox, s3_store, figures):
    api.set_variable("eios_sync", {"faculties": ["ECON", "LAW", "TECH"], "ws_batch_size": 10})
    sandbox.reset()
    run = api.run("eios_sync", {"dry_run": False})
    _quiet(stack, run)
    applies = run.mapped("apply_changes")  # mapped over the faculties with actions
    assert len(applies) == 3
    assert {t["hostname"] for t in applies} == WORKERS  # the faculties' applies on both
    created = users()
    studying = {
        r[0]
        for r in query("sandbox", "SELECT student_id FROM eios_student WHERE status = 'studying'")
    }
    rejected = {  # the quality gate's rejects, written to the S3 store by check_quality
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
    # a render task per quiz, to spread the day over both workers (the default, one task
    # for the whole day, is what the single-machine run below keeps)
    api.set_variable("exam_archive", {"render_task_attempts": 1})  # a quiz is never split
    run = run_to_end(api, stack, "exam_archive", conf)
    _quiet(stack, run)
    assert len(run.mapped("render_quiz_archive")) >= 4
    assert _hostnames(run, "render_quiz_archive") == WORKERS
    figures[f"exam_archive ({len(run.mapped('render_quiz_archive'))} quizzes)"] = (
        f"{_seconds(run):.0f} s; render_quiz_archive on {_spread(run, 'render_quiz_archive')}"
    )

    started = time.monotonic()
    single = run_dag("exam_archive", conf=conf)  # one machine, one render task, local store
    assert single.state == "success", single
    figures["exam_archive, one process (dag.test)"] = f"{time.monotonic() - started:.0f} s"
    day = date.fromisoformat(conf["date"])
    on_s3 = {p: (r["sha256"], r["bytes"]) for p, r in _manifest(s3_store, day).items()}
    local = {p: (r["sha256"], r["bytes"]) for p, r in _manifest(store_root(), day).items()}
    assert on_s3 == local and len(on_s3) >= 4 * 8


def test_vouchers_ingest_over_both_workers_and_acts_survive_a_lost_worker(
    api, stack, s3_store, airflow_db, figures
):
    from include.storage import store_root
    from tests.airflow_runs import run_dag

    runs = demo_runs()
    api.set_variable(  # the Variable the three voucher DAGs share, then the ingest's own
        "vouchers", {"extra_holidays": [], "extra_working_days": [], "max_pages": 1000}
    )
    api.set_variable("voucher_ingest", {"provider_batch_size": 1})
    ingest = run_to_end(api, stack, "voucher_ingest", runs["voucher_ingest"][1])
    _quiet(stack, ingest)
    providers = SIZES["voucher_providers"]
    assert len(ingest.mapped("ingest_marks")) == providers
    assert _hostnames(ingest, "ingest_marks") == WORKERS
    figures[f"voucher_ingest ({providers} providers)"] = (
        f"{_seconds(ingest):.0f} s; ingest_marks on {_spread(ingest, 'ingest_marks')}"
    )

    # the ingest closed the month: its event would start voucher_acts in a deployment; it
    # starts no run in this tier (the scheduler's own scheduling is off,
    # TEST_ONLY_SETTINGS), so the test triggers the month's run itself
    period = runs["voucher_acts"][1]["period"]
    events = api.get(f"/api/v2/assets/events?source_run_id={quote(ingest.run_id)}&limit=100")
    closed = [(e.get("extra") or {}).get("period") for e in events["asset_events"]]
    assert period in closed, events
    run_id = api.trigger("voucher_acts", {"billing_basis": "attendance", "period": period})
    lost = kill_worker_mid_task(api, stack, "voucher_acts", run_id, "render_acts")
    acts = finish(api, stack, "voucher_acts", run_id)
    assert acts.state == "success", acts
    recovery = retried_elsewhere(api, stack, acts, lost)
    acts_rows = query(
        "pipelines",
        "SELECT act_number, bin, status, pdf_path FROM voucher_act WHERE period = %s",
        period,
    )
    assert len(acts_rows) == providers  # one act per provider
    assert len({bin_ for _, bin_, _, _ in acts_rows}) == providers  # none twice
    ready = {number: pdf for number, _, status, pdf in acts_rows if not status.startswith("held")}
    pdfs = {p.stem: p for p in (s3_store / "vouchers" / "acts" / period).rglob("*.pdf")}
    assert ready and set(pdfs) == set(ready), (pdfs, ready)  # every ready act's PDF, no other
    assert all(pdfs[number].stat().st_size > 1000 for number in ready)

    # the same month in one process (dag.test, the local store: the ingest first, its
    # daily marks files are the acts' input): the same act data, and still one act per
    # provider (the act number is derived, a re-run adds none)
    started = time.monotonic()
    for dag_id, conf in (
        ("voucher_ingest", runs["voucher_ingest"][1]),
        ("voucher_acts", {"billing_basis": "attendance", "period": period}),
    ):
        single = run_dag(dag_id, conf=conf)
        assert single.state == "success", single
    figures["voucher_ingest + voucher_acts, one process (dag.test)"] = (
        f"{time.monotonic() - started:.0f} s"
    )

    def act_data(root) -> dict[str, bytes]:
        return {
            p.name: p.read_bytes() for p in (root / "vouchers" / "acts" / period).rglob("*.json")
        }

    on_s3, local = act_data(s3_store), act_data(store_root())
    assert on_s3 == local and len(on_s3) >= 2 * len(ready), (sorted(on_s3), sorted(local))
    assert (
        query("pipelines", "SELECT COUNT(*) FROM voucher_act WHERE period = %s", period)[0][0]
        == providers
    )
    figures[f"voucher_acts ({len(ready)} ready acts) with a lost worker"] = (
        f"{_seconds(acts):.0f} s; render_acts[{lost.map_index}] {_recovery(recovery)};"
        f" compute_acts on {_spread(acts, 'compute_acts')}; render_acts (final tries) on"
        f" {_spread(acts, 'render_acts')}"
    )


def test_course_audit_and_archive_back_up_each_course_once_over_the_workers(api, stack, figures):
    """Where the backups run is not asserted: four 0.7-s backups can all go to one worker
    while the other runs `select_courses` (seen: 5 s); the spread over both workers is
    asserted where tasks outlast that (exam_archive, voucher_ingest)."""
    runs = demo_runs()
    audit = run_to_end(api, stack, "course_audit", runs["course_audit"][1])
    _quiet(stack, audit)
    archive = run_to_end(api, stack, "course_archive", runs["course_archive"][1])
    _quiet(stack, archive)
    backups = archive.mapped("backup_course")
    assert len(backups) >= 2 and _hostnames(archive, "backup_course") <= WORKERS
    assert {t["hostname"] for t in archive.task_instances if t["hostname"]} == WORKERS
    stored = query("pipelines", "SELECT course_id, COUNT(*) FROM course_backup GROUP BY course_id")
    assert len(stored) == len(backups) and all(n == 1 for _, n in stored)
    figures[f"course_archive ({len(backups)} courses)"] = (
        f"{_seconds(archive):.0f} s; backup_course on {_spread(archive, 'backup_course')}"
    )


def test_kontur_recordings_publish_survives_a_lost_worker(api, stack, figures):
    api.set_variable("kontur_recordings", {**RECORDING_SETTINGS, "page_size": 7})
    before = query("moodle", "SELECT COUNT(*) FROM mdl_url")[0][0]
    run_id = api.trigger("kontur_recordings", {"publish_now": True})
    lost = kill_worker_mid_task(api, stack, "kontur_recordings", run_id, "publish_recordings")
    run = finish(api, stack, "kontur_recordings", run_id)
    assert run.state == "success", run
    for decision in ("decide_clear_journal", "decide_clear_sections"):
        assert run.states(decision) == {"skipped"}, decision  # no clearing asked: no wait
    recovery = retried_elsewhere(api, stack, run, lost)
    published = query("pipelines", "SELECT COUNT(*) FROM kontur_publication")[0][0]
    assert published >= 5
    planned = api.xcom("kontur_recordings", run_id, "plan_publication")["counts"]["publish"]
    written = api.xcom("kontur_recordings", run_id, "publish_recordings")  # the retry's
    # every planned recording is in the journal: written by the retry, or adopted by it
    # when the lost try's Moodle transaction had committed
    total = written["published"] + written["adopted"]
    assert published == planned == total and written["rejected"] == 0, written
    urls = query("moodle", "SELECT COUNT(*) FROM mdl_url")[0][0]
    assert urls == before + published  # one URL activity per publication: none twice
    twice = query(
        "moodle", "SELECT course, externalurl FROM mdl_url GROUP BY 1, 2 HAVING COUNT(*) > 1"
    )
    assert not twice
    figures[f"kontur_recordings ({published} publications) with a lost worker"] = (
        f"{_seconds(run):.0f} s; publish_recordings {_recovery(recovery)}"
    )
