"""kontur_recordings' set-based writer against a REAL Moodle (4.5 LTS; shared/real-moodle).

Marked `real_moodle` (deselected by default); run with the real site's connections
(tests/moodle/conftest.py) and its code at REAL_MOODLE_DIR (default
/tmp/real-moodle/moodle45):

    REAL_MOODLE_WS=… REAL_MOODLE_DB=… KEEP_MARIADB=1 .venv/bin/python -m pytest \\
        -m real_moodle tests/moodle/test_kontur_recordings_real_moodle.py -q -s

Kontur.Talk is the sandbox; the project DB and the store are the tests' own. The test's
category and three courses (KTRM-1..3) are made once by Moodle's own API
(tests/moodle/kontur_courses.php) and only they are written. The DAG's task functions
poll, gate, stage, plan and publish 60 recordings there as one set-based chunk; then
Moodle's `admin/cli/fix_course_sequence.php` must call every course of the site OK, and
Moodle's web services must list the activities. Re-runs are idempotent: the recording
keys are fixed, so a second run of this test (a fresh project DB) adopts the 60
activities already in Moodle and creates none.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.db import query
from tests.moodle.conftest import moodle_rows

pytestmark = [pytest.mark.real_moodle]

MOODLE_DIR = os.environ.get("REAL_MOODLE_DIR", "/tmp/real-moodle/moodle45")
COURSES, PER_COURSE = 3, 20
PREFIX = "КТРМ"


def php(*args: str) -> subprocess.CompletedProcess:
    """A Moodle CLI script, run as the site's own code (never a write of ours)."""
    return subprocess.run(
        ["php", *args], cwd=MOODLE_DIR, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture
def kontur_courses(real_moodle) -> dict:
    """The test's own category and courses on the real site (made once, then reused)."""
    made = php(str(Path(__file__).with_name("kontur_courses.php")), MOODLE_DIR, str(COURSES))
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout.strip().splitlines()[-1])


def _recordings(courses: dict) -> list[str]:
    """PER_COURSE recordings per course in the sandbox's Kontur.Talk, titled by the
    course's shortname; the keys are fixed, so every run of the test asks for the same."""
    created = (datetime.now(UTC) - timedelta(minutes=30)).replace(tzinfo=None)
    keys = []
    for shortname in courses:
        for n in range(PER_COURSE):
            key = f"ktrm-{shortname.lower()}-{n:02d}"
            query(
                "sandbox",
                "INSERT INTO kontur_recording (id, recording_key, title, created_date,"
                " duration_seconds) VALUES (%s, %s, %s, %s, 1800)",
                key,
                key,
                f"{PREFIX}: {shortname}",
                created + timedelta(seconds=n),
            )
            keys.append(key)
    return keys


def test_set_based_publication_into_a_real_moodle_keeps_every_course_ok(
    fresh_stack, store_root, real_moodle, kontur_courses
):
    from include.config import KonturRecordingsSettings
    from include.connectors.moodle_ws import MoodleWsHook
    from include.tasks import kontur_recordings as tasks

    db, courses = real_moodle, kontur_courses["courses"]
    keys = _recordings(courses)
    category = kontur_courses["category"]
    settings = KonturRecordingsSettings(
        prefix_routes={PREFIX: category}, default_prefix=PREFIX, default_category_id=category,
        page_size=1000,
    ).model_dump(mode="json")  # fmt: skip
    clock = datetime.now(UTC)
    run_id = f"real_moodle__{clock:%Y%m%dT%H%M%S}"
    polled = tasks.poll_recordings.function(settings, run_id=run_id, logical_date=clock)
    checked = tasks.check_recordings.function(polled, run_id)
    tasks.stage_recordings.function(checked, run_id)
    decision = tasks.decide_publication.function(
        settings, {}, params={"publish_now": True}, logical_date=clock
    )
    planned = tasks.plan_publication.function(settings, decision, run_id)
    assert planned["counts"]["publish"] == len(keys)  # the sandbox's others: unmatched here

    published = tasks.publish_recordings.function(settings, decision, planned, run_id)
    print(f"\npublished on the real Moodle: {json.dumps(published)}")
    assert published["published"] + published["adopted"] == len(keys)
    assert published["rejected"] == 0 and published["chunks"] == 1
    assert published["statements"] <= 20  # one set-based chunk, not 14 per recording
    archive = tasks.publish_archive_pages.function(settings, decision, published, run_id=run_id)
    print(f"archive pages: {json.dumps(archive)}")
    assert archive["pages"] == COURSES and archive["rejected"] == 0

    # exactly one activity per recording in Moodle, however often this test has run
    ids = ",".join(str(c) for c in courses.values())
    rows = moodle_rows(
        db,
        "SELECT cm.course, COUNT(*), COUNT(DISTINCT cm.idnumber) FROM mdl_course_modules cm"
        f" WHERE cm.course IN ({ids}) AND cm.idnumber LIKE 'ktalk:ktrm-%%' GROUP BY cm.course",
    )
    assert sorted(rows) == sorted((c, PER_COURSE, PER_COURSE) for c in courses.values())
    again = tasks.publish_recordings.function(settings, decision, planned, run_id)
    assert (again["published"], again["adopted"]) == (0, len(keys))  # markers adopted

    purged = php("admin/cli/purge_caches.php")
    assert purged.returncode == 0, purged.stderr
    checked_sequences = php("admin/cli/fix_course_sequence.php", "-c=*")
    print(checked_sequences.stdout)
    assert checked_sequences.returncode == 0 and checked_sequences.stderr == ""
    assert "...All courses are OK" in checked_sequences.stdout
    for course in courses.values():
        assert f"Course [{course}] is OK" in checked_sequences.stdout

    # Moodle itself lists them: URL activities with the viewer links, one archive page
    ws = MoodleWsHook(backoff_seconds=0)
    viewer = {row["recording_key"]: row for row in json.loads(Path(
        planned["plan_path"].removeprefix("file://")).read_text(encoding="utf-8"))}  # fmt: skip
    for shortname, course in courses.items():
        modules = [m for s in ws.call("core_course_get_contents", {"courseid": course})
                   for m in s["modules"]]  # fmt: skip
        # by path: the sandbox's port differs between sessions, and an adopted activity
        # keeps the link it was published with
        urls = {urlsplit(m["contents"][0]["fileurl"]).path for m in modules
                if m["modname"] == "url"}  # fmt: skip
        wanted = {urlsplit(viewer[k]["viewer_url"]).path for k in keys
                  if f"-{shortname.lower()}-" in k}  # fmt: skip
        assert len(wanted) == PER_COURSE and wanted <= urls
        assert [m["name"] for m in modules if m["modname"] == "page"] == [
            settings["archive_page_name"]
        ]
