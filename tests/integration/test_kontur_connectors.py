"""Kontur.Talk's connector against the sandbox over real HTTP, and the one module that
writes Moodle's tables, against the Moodle-schema MariaDB (rows as add_moduleinfo leaves)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from include.connectors.kontur import KonturTalkAuthError, KonturTalkHook, KonturTalkUnavailable
from include.sandbox.stack import connect
from tests.db import query


@pytest.fixture(scope="module")
def stack(mariadb, sandbox):
    from include.sandbox import stack as local_stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    local_stack.reset_data(mariadb, sizes=test_sizes())
    return sandbox


@pytest.fixture
def sandbox_db():
    connection = connect("sandbox")
    yield connection
    cursor = connection.cursor()
    cursor.execute(
        "UPDATE kontur_access SET expires_at = NULL, scopes = 'recordings:read rooms:read'"
    )
    connection.commit()
    connection.close()


WINDOW = (datetime.now(UTC) - timedelta(days=10), datetime.now(UTC))


def test_paging_follows_next_page_token_to_the_last_page(stack):
    hook = KonturTalkHook(backoff_seconds=0)
    pages = list(hook.recording_pages(*WINDOW, top=7))
    total = query("sandbox", "SELECT COUNT(*) FROM kontur_recording")[0][0]
    assert len(pages) == -(-total // 7) and sum(len(p) for p in pages) == total
    keys = [e["key"] for page in pages for e in page]
    assert len(set(keys)) == total  # no recording twice, none missing
    created = [e["createdDate"] for page in pages for e in page]
    assert created == sorted(created)  # byTimeOldFirst


def test_429_and_5xx_are_retried_with_back_off(stack):
    stack.arm("kontur", "/api/Domain/recordings", "http429", times=2)
    stack.arm("kontur", "/api/Domain/recordings", "http503", times=1)
    hook = KonturTalkHook(backoff_seconds=0)
    pages = list(hook.recording_pages(*WINDOW, top=1000))
    assert hook.retried == 3 and len(pages) == 1 and pages[0]
    stack.arm("kontur", "/api/Domain/recordings", "http502", times=5)
    with pytest.raises(KonturTalkUnavailable, match="HTTP 502"):
        list(KonturTalkHook(backoff_seconds=0, attempts=5).recording_pages(*WINDOW))


def test_401_says_the_key_is_expired(stack, sandbox_db):
    cursor = sandbox_db.cursor()
    cursor.execute("UPDATE kontur_access SET expires_at = '2026-01-01 00:00:00'")
    sandbox_db.commit()
    with pytest.raises(KonturTalkAuthError) as caught:
        list(KonturTalkHook(backoff_seconds=0).recording_pages(*WINDOW))
    message = str(caught.value)
    assert "HTTP 401" in message and "expired or revoked" in message
    assert "sandbox-kontur-key" not in message  # the key itself never appears


def test_403_says_the_key_lacks_the_recording_scope(stack, sandbox_db):
    cursor = sandbox_db.cursor()
    cursor.execute("UPDATE kontur_access SET scopes = 'rooms:read'")
    sandbox_db.commit()
    hook = KonturTalkHook(backoff_seconds=0)
    with pytest.raises(KonturTalkAuthError) as caught:
        list(hook.recording_pages(*WINDOW))
    assert "lacks the recording scope 'recordings:read'" in str(caught.value)
    assert "(it has: rooms:read)" in str(caught.value)
    assert hook.calls["api/Domain/recordings/v2"] == 1  # not retried


def _course_with_sections():
    (course_id,) = query(
        "moodle",
        "SELECT c.id FROM mdl_course c JOIN mdl_course_categories cc ON cc.id = c.category"
        " WHERE cc.path LIKE '/727/%%' ORDER BY c.id LIMIT 1",
    )[0]
    return course_id


def test_a_url_activity_is_written_as_add_moduleinfo_leaves_it(stack):
    from include.tasks.kontur_recordings import module_writer

    course_id = _course_with_sections()
    (cacherev_before,) = query(
        "moodle", "SELECT cacherev FROM mdl_course WHERE id = %s", course_id
    )[0]
    writer = module_writer()
    written = writer.add_url(
        course_id,
        5,
        "Записи занятий",
        "ktalk:unit-1",
        "Запись занятия: Тест, 2026-11-20",
        "https://space.ktalk.ru/recordings/unit-1",
    )
    assert written.created
    (url_module,) = query("moodle", "SELECT id FROM mdl_modules WHERE name = 'url'")[0]
    cm = query(
        "moodle",
        "SELECT course, module, instance, section, idnumber, visible, visibleoncoursepage,"
        " visibleold, downloadcontent, groupmode, completion, indent, deletioninprogress"
        " FROM mdl_course_modules WHERE id = %s",
        written.cmid,
    )[0]
    section = query(
        "moodle",
        "SELECT id, section, name, sequence FROM mdl_course_sections WHERE course = %s"
        " AND section = 5",
        course_id,
    )[0]
    assert cm == (
        course_id,
        url_module,
        written.instance,
        section[0],
        "ktalk:unit-1",
        1,
        1,
        1,
        1,
        0,
        0,
        0,
        0,
    )
    assert section[2] == "Записи занятий" and section[3] == str(written.cmid)
    url = query(
        "moodle",
        "SELECT course, name, intro, introformat, externalurl, display, displayoptions,"
        " parameters FROM mdl_url WHERE id = %s",
        written.instance,
    )[0]
    assert url == (
        course_id,
        "Запись занятия: Тест, 2026-11-20",
        "",
        1,
        "https://space.ktalk.ru/recordings/unit-1",
        0,
        'a:1:{s:10:"printintro";i:0;}',
        "a:0:{}",
    )
    course_ctx = query(
        "moodle",
        "SELECT path, depth FROM mdl_context WHERE contextlevel = 50 AND instanceid = %s",
        course_id,
    )[0]
    ctx = query(
        "moodle",
        "SELECT id, path, depth FROM mdl_context WHERE contextlevel = 70 AND instanceid = %s",
        written.cmid,
    )[0]
    assert ctx[1] == f"{course_ctx[0]}/{ctx[0]}" and ctx[2] == course_ctx[1] + 1
    (cacherev_after,) = query("moodle", "SELECT cacherev FROM mdl_course WHERE id = %s", course_id)[
        0
    ]
    assert cacherev_after > cacherev_before
    log = query(
        "moodle",
        "SELECT eventname, crud, edulevel, objecttable, objectid, contextid, contextlevel,"
        " courseid, other FROM mdl_logstore_standard_log WHERE objectid = %s",
        written.cmid,
    )
    assert len(log) == 1 and log[0][:8] == (
        "\\core\\event\\course_module_created",
        "c",
        1,
        "course_modules",
        written.cmid,
        ctx[0],
        70,
        course_id,
    )
    assert '"modulename": "url"' in log[0][8]
    # the same marker again: nothing is written
    again = writer.add_url(course_id, 5, "Записи занятий", "ktalk:unit-1", "other", "https://x/y")
    assert (again.created, again.cmid) == (False, written.cmid)
    assert (
        query("moodle", "SELECT COUNT(*) FROM mdl_course_modules WHERE idnumber = 'ktalk:unit-1'")[
            0
        ][0]
        == 1
    )


def test_moodle_lists_the_activity_and_deletes_it_cleanly_through_web_services(stack):
    from include.connectors.moodle_ws import MoodleWsError, MoodleWsHook
    from include.tasks.kontur_recordings import module_writer

    course_id = _course_with_sections()
    written = module_writer().add_url(
        course_id, 5, "Записи занятий", "ktalk:unit-2", "Запись 2", "https://space.ktalk.ru/r/2"
    )
    ws = MoodleWsHook(backoff_seconds=0)
    contents = ws.call("core_course_get_contents", {"courseid": course_id})
    listed = {m["id"]: m for s in contents for m in s["modules"]}
    assert listed[written.cmid]["modname"] == "url"
    assert listed[written.cmid]["contents"][0]["fileurl"] == "https://space.ktalk.ru/r/2"
    assert [s["section"] for s in contents] == sorted(s["section"] for s in contents)
    assert ws.call("core_course_delete_modules", {"cmids": [written.cmid]}) is None
    assert (
        query("moodle", "SELECT COUNT(*) FROM mdl_course_modules WHERE id = %s", written.cmid)[0][0]
        == 0
    )
    assert (
        query("moodle", "SELECT COUNT(*) FROM mdl_url WHERE id = %s", written.instance)[0][0] == 0
    )
    assert (
        query(
            "moodle",
            "SELECT COUNT(*) FROM mdl_context WHERE contextlevel = 70 AND instanceid = %s",
            written.cmid,
        )[0][0]
        == 0
    )
    (sequence,) = query(
        "moodle", "SELECT sequence FROM mdl_course_sections WHERE id = %s", written.section_id
    )[0]
    assert str(written.cmid) not in sequence.split(",")
    with pytest.raises(MoodleWsError) as caught:
        ws.call("core_course_delete_modules", {"cmids": [written.cmid]})
    assert caught.value.errorcode == "invalidcoursemodule"


def test_a_failure_inside_the_write_leaves_no_half_written_activity(stack):
    """A real constraint violation on the last insert (the log row) rolls back every row."""
    from include.tasks.kontur_recordings import module_writer

    course_id = _course_with_sections()
    counts = (
        "SELECT (SELECT COUNT(*) FROM mdl_url), (SELECT COUNT(*) FROM mdl_course_modules),"
        " (SELECT COUNT(*) FROM mdl_context), (SELECT COUNT(*) FROM mdl_course_sections),"
        " (SELECT GROUP_CONCAT(sequence ORDER BY id) FROM mdl_course_sections WHERE course = %s),"
        " (SELECT cacherev FROM mdl_course WHERE id = %s)"
    )
    before = query("moodle", counts, course_id, course_id)
    connection = connect("moodle")
    cursor = connection.cursor()
    cursor.execute(
        "ALTER TABLE mdl_logstore_standard_log ADD CONSTRAINT t_kontur_no_log"
        " CHECK (other IS NULL OR other NOT LIKE '%unit-3-fail%')"
    )
    try:
        with pytest.raises(Exception, match="t_kontur_no_log"):
            module_writer().add_url(
                course_id, 9, "Записи занятий", "ktalk:unit-3", "unit-3-fail", "https://x/3"
            )
    finally:
        cursor.execute("ALTER TABLE mdl_logstore_standard_log DROP CONSTRAINT t_kontur_no_log")
        connection.close()
    assert query("moodle", counts, course_id, course_id) == before
    assert (
        query("moodle", "SELECT COUNT(*) FROM mdl_course_modules WHERE idnumber = 'ktalk:unit-3'")[
            0
        ][0]
        == 0
    )


def test_a_page_is_created_once_and_updated_in_place(stack):
    from include.tasks.kontur_recordings import module_writer

    course_id = _course_with_sections()
    writer = module_writer()
    first = writer.put_page(course_id, 5, "Записи занятий", "ktalk-archive", "Архив", "<p>1</p>")
    same = writer.put_page(course_id, 5, "Записи занятий", "ktalk-archive", "Архив", "<p>1</p>")
    changed = writer.put_page(course_id, 5, "Записи занятий", "ktalk-archive", "Архив", "<p>2</p>")
    assert first.created and not same.created and not same.updated and changed.updated
    assert first.cmid == same.cmid == changed.cmid
    page = query(
        "moodle",
        "SELECT content, revision, display, displayoptions, contentformat FROM mdl_page"
        " WHERE id = %s",
        first.instance,
    )[0]
    assert page == (
        "<p>2</p>",
        2,
        5,
        'a:2:{s:10:"printintro";i:0;s:17:"printlastmodified";i:1;}',
        1,
    )


# --- the set-based writer: chunks, ids read back by marker, Moodle's integrity ---------


def course_sequence_problems(course_ids) -> list[str]:
    """What Moodle's `admin/cli/fix_course_sequence.php` (course_integrity_check) would
    report for the courses, plus every module's context path and instance link."""
    problems = []
    for course in course_ids:
        sections = query(
            "moodle", "SELECT id, sequence FROM mdl_course_sections WHERE course = %s", course
        )
        modules = dict(
            query("moodle", "SELECT id, section FROM mdl_course_modules WHERE course = %s", course)
        )
        seen: dict[int, int] = {}
        for section_id, sequence in sections:
            for cmid in [int(x) for x in (sequence or "").split(",") if x.strip()]:
                if cmid in seen:
                    problems.append(f"course {course}: module {cmid} in two sequences")
                seen[cmid] = section_id
                if modules.get(cmid) != section_id:
                    problems.append(f"course {course}: sequence {section_id} lists {cmid}")
        problems += [
            f"course {course}: module {m} in no sequence" for m in modules if m not in seen
        ]
        (course_path, course_depth) = query(
            "moodle",
            "SELECT path, depth FROM mdl_context WHERE contextlevel = 50 AND instanceid = %s",
            course,
        )[0]
        for cmid, path, depth, instance_ok in query(
            "moodle",
            "SELECT cm.id, ctx.path, ctx.depth, COALESCE(u.course, p.course) = cm.course"
            " FROM mdl_course_modules cm JOIN mdl_modules m ON m.id = cm.module"
            " LEFT JOIN mdl_context ctx ON ctx.contextlevel = 70 AND ctx.instanceid = cm.id"
            " LEFT JOIN mdl_url u ON m.name = 'url' AND u.id = cm.instance"
            " LEFT JOIN mdl_page p ON m.name = 'page' AND p.id = cm.instance"
            " WHERE cm.course = %s AND m.name IN ('url', 'page')",
            course,
        ):
            (context_id,) = query(
                "moodle",
                "SELECT id FROM mdl_context WHERE contextlevel = 70 AND instanceid = %s",
                cmid,
            )[0]
            if path != f"{course_path}/{context_id}" or depth != course_depth + 1:
                problems.append(f"course {course}: module {cmid} context {path} depth {depth}")
            if not instance_ok:
                problems.append(f"course {course}: module {cmid} instance in another course")
    return problems


def _courses(count: int) -> list[int]:
    rows = query(
        "moodle",
        "SELECT c.id FROM mdl_course c JOIN mdl_course_categories cc ON cc.id = c.category"
        " WHERE cc.path LIKE '/727/%%' ORDER BY c.id LIMIT %s",
        count,
    )
    assert len(rows) == count
    return [r[0] for r in rows]


def _activities(courses, tag: str, per_course: int):
    from include.connectors.moodle_modules import Activity

    return [
        Activity(course, 5 + n % 2 * 7, "Записи занятий", f"ktalk:{tag}-{course}-{n}",
                 f"Запись {tag} {course}/{n}", f"https://space.ktalk.ru/r/{tag}/{course}/{n}")
        for n in range(per_course)
        for course in courses
    ]  # fmt: skip


def _spaced_writer():
    """The writer on a connection whose auto-increment steps by 3 from 2 (as a Galera
    node's does): ids of rows inserted together are never consecutive."""
    from include.tasks.kontur_recordings import module_writer

    writer = module_writer()
    cursor = writer.hook.db.cursor()
    cursor.execute("SET SESSION auto_increment_increment = 3, auto_increment_offset = 2")
    cursor.close()
    return writer


def test_a_chunk_is_written_set_based_and_read_back_by_marker_where_ids_have_gaps(stack):
    courses = _courses(4)
    activities = _activities(courses, "gap", 75)  # 300, into section 5 and a new section 12
    writer = _spaced_writer()
    before = writer.server_questions()
    result = writer.write_urls(activities)
    questions = writer.server_questions() - before - 1
    print(f"300 URL activities in {questions} statements ({writer.statements} counted)")
    assert not result.rejected and all(w.created for w in result.written)
    assert questions <= 0.1 * len(activities)  # one chunk: a fixed count of statements
    cmids = sorted(w.cmid for w in result.written)
    assert {b - a for a, b in zip(cmids, cmids[1:], strict=False)} == {3}  # never +1
    assert all(cmid % 3 == 2 for cmid in cmids)
    (url_module,) = query("moodle", "SELECT id FROM mdl_modules WHERE name = 'url'")[0]
    for activity, written in zip(activities, result.written, strict=True):
        assert (written.course_id, written.idnumber) == (activity.course_id, activity.idnumber)
        cm = query(
            "moodle",
            "SELECT cm.course, cm.module, cm.instance, cs.section, cm.idnumber"
            " FROM mdl_course_modules cm JOIN mdl_course_sections cs ON cs.id = cm.section"
            " WHERE cm.id = %s",
            written.cmid,
        )[0]
        assert cm == (
            activity.course_id,
            url_module,
            written.instance,
            activity.section_number,
            activity.idnumber,
        )
        url = query(
            "moodle",
            "SELECT course, name, externalurl, intro FROM mdl_url WHERE id = %s",
            written.instance,
        )[0]
        assert url == (activity.course_id, activity.name, activity.body, "")
    logged = query(
        "moodle",
        "SELECT COUNT(*), COUNT(DISTINCT objectid) FROM mdl_logstore_standard_log"
        " WHERE eventname LIKE '%%course_module_created' AND other LIKE '%%Запись gap%%'",
    )[0]
    assert logged == (300, 300)
    assert course_sequence_problems(courses) == []

    again = writer.write_urls(activities)  # the same markers: adopted, nothing written
    assert [w.cmid for w in again.written] == [w.cmid for w in result.written]
    assert not any(w.created for w in again.written)
    (count,) = query(
        "moodle", "SELECT COUNT(*) FROM mdl_course_modules WHERE idnumber LIKE 'ktalk:gap-%%'"
    )[0]
    assert count == 300
    # Moodle's collation ignores case: a marker differing only in case is the same one
    shouted = replace(activities[0], idnumber=activities[0].idnumber.upper(), name="x")
    (same,) = writer.write_urls([shouted]).written
    assert (same.created, same.cmid) == (False, result.written[0].cmid)
    writer.hook.close()


def test_archive_pages_are_written_and_updated_set_based_where_ids_have_gaps(stack):
    from include.connectors.moodle_modules import Activity

    courses = _courses(6)
    pages = [Activity(c, 5, "Записи занятий", "ktalk-gap-archive", "Архив", f"<p>{c}</p>")
             for c in courses]  # fmt: skip
    writer = _spaced_writer()
    first = writer.write_pages(pages)
    assert all(w.created for w in first.written) and not first.rejected
    edited = list(pages)
    edited[1] = Activity(courses[1], 5, "Записи занятий", "ktalk-gap-archive", "Архив", "<p>x</p>")
    before = writer.server_questions()
    second = writer.write_pages(edited)
    assert writer.server_questions() - before - 1 <= 8  # lock, markers, pages, upsert, log…
    assert [w.updated for w in second.written] == [i == 1 for i in range(6)]
    assert [w.cmid for w in second.written] == [w.cmid for w in first.written]
    rows = query(
        "moodle",
        "SELECT p.course, p.content, p.revision FROM mdl_page p JOIN mdl_course_modules cm"
        " ON cm.instance = p.id AND cm.idnumber = 'ktalk-gap-archive' ORDER BY p.course",
    )
    assert rows == [(c, "<p>x</p>" if c == courses[1] else f"<p>{c}</p>",
                     2 if c == courses[1] else 1) for c in courses]  # fmt: skip
    assert course_sequence_problems(courses) == []
    writer.hook.close()


def test_one_refused_activity_is_rejected_with_its_reason_and_the_rest_written(stack):
    from include.connectors.moodle_modules import Activity

    courses = _courses(3)
    activities = _activities(courses, "rej", 10)
    activities[17] = Activity(activities[17].course_id, 5, "Записи занятий",
                              activities[17].idnumber, "rej-refused", "https://x/17")  # fmt: skip
    activities.append(Activity(999999, 5, "Записи занятий", "ktalk:rej-nocourse", "n", "https://x"))
    connection = connect("moodle")
    cursor = connection.cursor()
    cursor.execute(
        "ALTER TABLE mdl_url ADD CONSTRAINT t_kontur_refused CHECK (name <> 'rej-refused')"
    )
    try:
        result = _spaced_writer().write_urls(activities)
    finally:
        cursor.execute("ALTER TABLE mdl_url DROP CONSTRAINT t_kontur_refused")
        connection.close()
    reasons = {r.activity.idnumber: r.reason for r in result.rejected}
    assert set(reasons) == {activities[17].idnumber, "ktalk:rej-nocourse"}
    assert "t_kontur_refused" in reasons[activities[17].idnumber]
    assert reasons["ktalk:rej-nocourse"] == "course 999999 does not exist"
    assert len(result.written) == 29 and all(w.created for w in result.written)
    assert course_sequence_problems(courses) == []


def test_parallel_writers_of_the_same_courses_both_finish_with_every_sequence_right(stack):
    import threading

    from include.tasks.kontur_recordings import module_writer

    courses = _courses(5)
    mine, theirs = _activities(courses, "par-a", 30), _activities(courses[::-1], "par-b", 30)
    start, results, errors = threading.Barrier(2), {}, []

    def write(name, activities):
        writer = module_writer()
        try:
            start.wait()
            results[name] = writer.write_urls(activities)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            writer.hook.close()

    threads = [threading.Thread(target=write, args=a) for a in (("a", mine), ("b", theirs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert all(len(r.written) == 150 and not r.rejected for r in results.values())
    assert course_sequence_problems(courses) == []
