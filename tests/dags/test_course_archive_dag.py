"""`course_archive` end to end with dag.test(): the sandbox's stand-in for Moodle's
CLI backup, the real MariaDB, Moodle's web services over HTTP, the file store.

One fresh stack for the module; the runs build on each other as a semester's
archiving would: dry run, a throttled run with a failing and a corrupt backup,
the resumed runs, then retention.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import datetime, timedelta

import pytest

from include.sandbox.moodle_backup import FAULTS_ENV
from tests.airflow_runs import assert_no_error_logs, run_dag
from tests.db import query

# retries without waiting (read when the DAG files are parsed, once per session)
os.environ.setdefault("PIPELINES_RETRY_DELAY_SECONDS", "0")

SETTINGS = {
    "backup_command": [sys.executable, "-m", "include.sandbox.moodle_backup"],
    "archive_category_name": "Архив курсов {year}",
    "archive_category_idnumber": "course-archive-{start}-{end}",
    "backup_timeout_seconds": 60,
}


def _courses() -> dict[str, tuple]:
    """shortname -> (id, category id, visible) of the finished courses."""
    rows = query(
        "moodle",
        "SELECT shortname, id, category, visible FROM mdl_course WHERE shortname LIKE 'ARCH-%%'",
    )
    return {r[0]: r[1:] for r in rows}


def _report(run) -> tuple[str, str]:
    rows = query(
        "pipelines",
        "SELECT status, summary FROM pipeline_run_report WHERE dag_id = 'course_archive' AND run_id = %s",
        run.run_id,
    )
    return rows[0]


@pytest.fixture(scope="module")
def stack(mariadb, sandbox, airflow_db):
    import shutil

    from include.sandbox import environment
    from include.sandbox import stack as local_stack
    from include.sandbox.demo_data import test_sizes
    from include.storage import store_root

    sandbox.reset()
    local_stack.reset_data(mariadb, sizes=test_sizes())
    shutil.rmtree(
        environment.LOCAL_DIR / f"store-{os.environ.get('TEST_DB_PREFIX', 'test')}",
        ignore_errors=True,
    )
    faculty = query("moodle", "SELECT id FROM mdl_course_categories WHERE idnumber = 'fsu'")[0][0]
    return {"root": store_root(), "faculty": faculty, "before": _courses(), "sandbox": sandbox}


def _run(stack, settings=None, **conf):
    return run_dag(
        "course_archive",
        # every param given: the in-process DAG object must not carry a previous run's conf
        conf={
            "root_category_id": stack["faculty"],
            "dry_run": False,
            "max_backups_per_run": None,
            "end_before": None,
            **conf,
        },
        settings=SETTINGS if settings is None else settings,
    )


def test_dry_run_lists_the_plan_and_changes_nothing(stack):
    run = _run(stack, dry_run=True)
    assert run.state == "success", run.task_states
    status, summary = _report(run)
    assert status == "success"
    assert "dry run: would archive 3 courses" in summary
    assert "ARCH-001" in summary and "ARCH-003" not in summary  # ARCH-003 is outside the subtree
    assert _courses() == stack["before"]
    assert not (stack["root"] / "courses").exists()
    assert query("pipelines", "SELECT COUNT(*) FROM course_backup")[0][0] == 0


def test_a_failed_or_corrupt_backup_leaves_the_course_in_place(stack, monkeypatch):
    ids = {name: row[0] for name, row in stack["before"].items()}
    monkeypatch.setenv(
        FAULTS_ENV, json.dumps({str(ids["ARCH-001"]): "fail", str(ids["ARCH-002"]): "corrupt"})
    )
    run = _run(stack, max_backups_per_run=2)
    assert run.state == "failed"
    assert run.state_of("backup_course") == "failed,success"
    status, summary = _report(run)
    assert status == "failed"
    assert "ARCH-001" in summary and "dmlwriteexception" in summary  # Moodle's own message
    assert "ARCH-002" in summary and "unreadable archive" in summary
    assert "1 course waits for the next run" in summary  # throttled: ARCH-004
    assert _courses() == stack["before"]  # nothing moved, nothing hidden
    rows = dict(query("pipelines", "SELECT shortname, status FROM course_backup"))
    assert rows == {"ARCH-001": "failed", "ARCH-002": "failed"}


def test_a_rerun_backs_up_verifies_moves_and_hides(stack):
    # the backup command as `make demo` gives it: a run conf key overriding the setting
    settings = {k: v for k, v in SETTINGS.items() if k != "backup_command"}
    # Moodle answers 503 once while moving: the web-service hook retries
    stack["sandbox"].arm("moodle", "core_course_update_courses", "http503", times=1)
    run = _run(stack, settings, max_backups_per_run=2, backup_command=SETTINGS["backup_command"])
    assert run.state == "success", run.task_states
    assert stack["sandbox"].calls()["moodle:core_course_update_courses"] == 2
    courses = _courses()
    archive_category = query(
        "moodle",
        "SELECT id, name, path FROM mdl_course_categories WHERE idnumber LIKE 'course-archive-%%'",
    )
    assert len(archive_category) == 1  # created once
    category_id, name, _ = archive_category[0]
    year = name.removeprefix("Архив курсов ")
    for shortname in ("ARCH-001", "ARCH-002"):
        course_id, category, visible = courses[shortname]
        assert (category, visible) == (category_id, 0)
        stored = (
            stack["root"]
            / "courses"
            / year.replace("/", "-")
            / "Факультет_систем_управления"
            / ("Кафедра_АСУ" if shortname == "ARCH-001" else "Кафедра_КИБЭВС")
            / f"{shortname}-{course_id}.mbz"
        )
        assert stored.exists(), stored
        manifest = json.loads(
            (stack["root"] / "courses" / year.replace("/", "-") / "manifest.json").read_text()
        )
        entry = next(e for e in manifest if e["file"].endswith(f"{shortname}-{course_id}.mbz"))
        assert entry["sha256"] == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert courses["ARCH-004"] == stack["before"]["ARCH-004"]  # throttled: still waiting
    assert "archived 2 of 2 planned courses; 1 course waits for the next run" in _report(run)[1]


def test_the_next_run_continues_and_skips_the_archived(stack):
    run = _run(stack, max_backups_per_run=2)
    assert_no_error_logs(run)
    selection = run.xcom("select_courses")
    assert [p["shortname"] for p in selection["plan"]] == ["ARCH-004"]
    assert _courses()["ARCH-004"][2] == 0
    assert query("pipelines", "SELECT COUNT(*), SUM(status = 'moved') FROM course_backup")[0] == (
        3,
        3,
    )
    again = _run(stack, max_backups_per_run=2)  # nothing left: changes nothing
    assert again.state == "success" and again.xcom("select_courses")["plan"] == []
    # seen from the whole site, the archived courses are skipped with the reason
    site = _run(stack, root_category_id=0, dry_run=True)
    skipped = {s["shortname"]: s["reason"] for s in site.xcom("select_courses")["skipped"]}
    assert {k: v for k, v in skipped.items() if k.startswith("ARCH-")} == {
        "ARCH-001": "already archived",
        "ARCH-002": "already archived",
        "ARCH-004": "already archived",
    }
    planned = [p["shortname"] for p in site.xcom("select_courses")["plan"]]
    assert [p for p in planned if p.startswith("ARCH-")] == ["ARCH-003"]  # another faculty
    assert query("pipelines", "SELECT COUNT(*) FROM course_backup")[0][0] == 3


def test_retention_deletes_only_backups_older_than_a_year(stack, caplog):
    now = datetime.now()
    query(
        "pipelines",
        "UPDATE course_backup SET backed_up_at = %s WHERE shortname = 'ARCH-001'",
        now - timedelta(days=400),
    )
    query(
        "pipelines",
        "UPDATE course_backup SET backed_up_at = %s WHERE shortname = 'ARCH-002'",
        now - timedelta(days=330),
    )
    paths = dict(query("pipelines", "SELECT shortname, store_path FROM course_backup"))
    run = _run(stack)
    assert run.state == "success", run.task_states
    assert run.xcom("prune_backups")["deleted"] == [paths["ARCH-001"]]
    assert f"deleted {paths['ARCH-001']}" in caplog.text  # the task logs each file
    assert not (stack["root"] / paths["ARCH-001"]).exists()
    assert (stack["root"] / paths["ARCH-002"]).exists() and (
        stack["root"] / paths["ARCH-004"]
    ).exists()
    year_folder = stack["root"] / paths["ARCH-001"].split("/")[0] / paths["ARCH-001"].split("/")[1]
    listed = [e["file"] for e in json.loads((year_folder / "manifest.json").read_text())]
    assert (
        not any(f.endswith(paths["ARCH-001"].rsplit("/", 1)[1]) for f in listed)
        and len(listed) == 2
    )


def test_a_bad_setting_fails_the_run_at_once_naming_the_field(stack):
    run = run_dag("course_archive", settings={**SETTINGS, "max_backups_per_run": 0})
    assert run.state == "failed"
    assert run.state_of("resolve_settings") == "failed"
    assert run.state_of("select_courses") == "upstream_failed"
