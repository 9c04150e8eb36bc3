"""The sandbox's stand-ins for course_archive: Moodle's CLI backup (through the
project's backup runner) and the core_course_* web-service functions, against
the real MariaDB and real HTTP."""

from __future__ import annotations

import json
import sys

import pytest

from include.connectors.backup_runner import LocalBackupRunner, MoodleBackupError
from include.connectors.moodle_ws import MoodleWsError, MoodleWsHook
from include.courses.archive import inspect_mbz
from include.sandbox.moodle_backup import FAULTS_ENV
from tests.db import one

SANDBOX_BACKUP = [sys.executable, "-m", "include.sandbox.moodle_backup"]


@pytest.fixture
def moodle(fresh_stack):
    return MoodleWsHook(backoff_seconds=0)


def test_backup_cli_writes_a_real_mbz_with_user_data(fresh_stack, tmp_path):
    course_id = one("moodle", "SELECT id FROM mdl_course WHERE shortname = 'ARCH-001'")[0]
    result = LocalBackupRunner(SANDBOX_BACKUP, 60, str(tmp_path)).backup(course_id)
    assert result.path.name.startswith(f"backup-moodle2-course-{course_id}-arch-001-")
    assert "== Performing backup... ==" in result.output and "Backup completed." in result.output
    facts = inspect_mbz(result.path.read_bytes(), course_id)
    assert facts["users"] is True and facts["files"] > 4


def test_a_failing_backup_raises_with_moodles_message(fresh_stack, tmp_path, monkeypatch):
    course_id = one("moodle", "SELECT id FROM mdl_course WHERE shortname = 'ARCH-002'")[0]
    monkeypatch.setenv(FAULTS_ENV, json.dumps({str(course_id): "fail"}))
    with pytest.raises(MoodleBackupError, match="dmlwriteexception"):
        LocalBackupRunner(SANDBOX_BACKUP, 60, str(tmp_path)).backup(course_id)
    with pytest.raises(MoodleBackupError, match="invalidrecord"):
        LocalBackupRunner(SANDBOX_BACKUP, 60, str(tmp_path)).backup(999999)


def test_create_and_find_the_archive_category(moodle):
    created = moodle.call(
        "core_course_create_categories",
        {"categories": [{"name": "Архив 2030/2031", "idnumber": "archive-2030-2031", "parent": 0}]},
    )
    assert created[0]["name"] == "Архив 2030/2031"
    found = moodle.call(
        "core_course_get_categories",
        {"criteria": [{"key": "idnumber", "value": "archive-2030-2031"}]},
    )
    assert [c["id"] for c in found] == [created[0]["id"]]
    assert found[0]["path"] == f"/{created[0]['id']}"
    with pytest.raises(MoodleWsError) as caught:
        moodle.call(
            "core_course_create_categories",
            {"categories": [{"name": "Again", "idnumber": "archive-2030-2031"}]},
        )
    assert caught.value.errorcode == "categoryidnumbertaken"


def test_update_courses_moves_and_hides_and_warns_per_course(moodle):
    course = moodle.call(
        "core_course_get_courses_by_field", {"field": "shortname", "value": "ARCH-001"}
    )
    course = course["courses"][0]
    target = moodle.call(
        "core_course_create_categories", {"categories": [{"name": "Архив", "idnumber": "a-x"}]}
    )[0]["id"]
    answer = moodle.call(
        "core_course_update_courses",
        {
            "courses": [
                {"id": course["id"], "categoryid": target, "visible": 0},
                {"id": 999999, "visible": 0},
            ]
        },
    )
    assert [w["itemid"] for w in answer["warnings"]] == [999999]
    category, visible = one(
        "moodle", "SELECT category, visible FROM mdl_course WHERE id = %s", course["id"]
    )
    assert (category, visible) == (target, 0)
    course_path = one(
        "moodle",
        "SELECT path FROM mdl_context WHERE contextlevel = 50 AND instanceid = %s",
        course["id"],
    )[0]
    category_path = one(
        "moodle", "SELECT path FROM mdl_context WHERE contextlevel = 40 AND instanceid = %s", target
    )[0]
    assert course_path.startswith(category_path + "/")
