"""eios_sync's plan of every faculty at once (include/eios/site_plan.py): the set-based
diff (include/eios/diff.py) only ever skips students the per-student rules would plan
nothing for, and one plan of all faculties equals each faculty planned on its own."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from include.eios.diff import unchanged_students
from include.eios.moodle_state import moodle_state
from include.eios.plan import plan_sync
from include.eios.quality import moodle_refusals
from include.eios.site_plan import Faculty, plan_site

NAMES = {"F1": "Экономический факультет", "F2": "Юридический факультет"}
GROUPS = ("ЭК-21", "ЭК-22", "ПР-11")
STATUSES = ("studying", "studying", "expelled", "academic_leave", "graduated")


@st.composite
def site(draw):
    """A Moodle site and two faculties' feeds that partly agree with it."""
    rows, users, members = [], [], []
    for n in range(draw(st.integers(0, 12))):
        sid = str(500000 + n)
        faculty = draw(st.sampled_from(sorted(NAMES)))
        row = {
            "student_id": sid,
            "login": f"s{sid}",
            "last_name": draw(st.sampled_from(["Иванов", " Иванов ", "Петров"])),
            "first_name": "Иван",
            "middle_name": draw(st.sampled_from(["", "Иванович"])),
            "email": draw(st.sampled_from([f"s{sid}@example.edu", f"S{sid}@EXAMPLE.edu", ""])),
            "faculty_id": faculty,
            "group_code": draw(st.sampled_from(GROUPS)),
            "status": draw(st.sampled_from(STATUSES)),
            "status_date": "2026-06-30",
            "changed_at": f"2026-11-10T10:00:{n:02d}",
        }
        rows.append(row)
        if draw(st.booleans()):
            uid = 10 + n
            users.append(
                {
                    "id": uid,
                    "username": draw(st.sampled_from([f"s{sid}", f"old{sid}"])),
                    "idnumber": sid,
                    "firstname": draw(st.sampled_from(["Иван", "Иван  "])),
                    "lastname": "Иванов",
                    "middlename": "",
                    "email": f"s{sid}@example.edu",
                    "auth": "manual",
                    "suspended": draw(st.sampled_from([0, 1])),
                    "department": draw(st.sampled_from([*NAMES.values(), "Другой"])),
                }
            )
            for group in draw(st.sets(st.sampled_from(GROUPS), max_size=2)):
                members.append(
                    {
                        "cohortid": GROUPS.index(group) + 1,
                        "idnumber": f"group:{group}",
                        "name": group,
                        "userid": uid,
                    }  # fmt: skip
                )
    for number, group in enumerate(GROUPS, start=1):
        members.append({"cohortid": number, "idnumber": f"group:{group}", "name": group,
                        "userid": None})  # fmt: skip
    on_leave = draw(st.sampled_from(["suspend", "suspend_and_remove_from_cohort"]))
    return rows, users, members, on_leave


@settings(max_examples=200, deadline=None)
@given(site())
def test_the_diff_skips_only_students_the_rules_plan_nothing_for(example):
    rows, users, members, on_leave = example
    state = moodle_state(users, members)
    unchanged = unchanged_students(
        rows, users, state.member_of, departments=NAMES, username_template="{login}",
        on_leave=on_leave,
    )  # fmt: skip
    for row in rows:
        alone = plan_sync(
            [row], {row["student_id"]}, users, members, faculty_id=row["faculty_id"],
            faculty_name=NAMES[row["faculty_id"]], lower_bound=None,
            username_template="{login}", auth="manual", on_leave=on_leave,
        )  # fmt: skip
        planned = [a for a in alone.actions if a["kind"] not in ("create_cohort", "archive_cohort")]
        if row["student_id"] in unchanged:
            assert planned == [], (row, planned)


@settings(max_examples=100, deadline=None)
@given(site(), st.sampled_from([None, datetime(2026, 11, 10, 10, 0, 6)]))
def test_one_plan_of_every_faculty_equals_each_planned_on_its_own(example, lower):
    """With or without a lower bound (a watermark: the diff then skips the rows before
    it, which the rules would not look at either)."""
    rows, users, members, on_leave = example
    feeds = {f: [r for r in rows if r["faculty_id"] == f] for f in sorted(NAMES)}
    rosters = {f: {r["student_id"] for r in feeds[f]} for f in feeds}
    common = {"username_template": "{login}", "auth": "manual", "on_leave": on_leave}
    plans, _ = plan_site(
        [Faculty(f, NAMES[f], lower) for f in sorted(NAMES)], feeds, rosters, users, members,
        users, **common,
    )  # fmt: skip
    every = {r["student_id"] for r in rows}
    owner = {r["student_id"]: r["faculty_id"] for r in rows}
    kept, refused = moodle_refusals(rows, users, users, False)
    for faculty in sorted(NAMES):
        assert plans[faculty].refused == [r for r in refused if r["faculty_id"] == faculty]
        alone = plan_sync(
            [r for r in kept if r["faculty_id"] == faculty], every, users, members, faculty_id=faculty,
            faculty_name=NAMES[faculty], lower_bound=lower, owner=owner, **common,
        )  # fmt: skip
        together = plans[faculty].plan
        assert together.actions == alone.actions
        assert together.missing == alone.missing
        assert together.active_in_moodle == alone.active_in_moodle
        assert together.watermark == alone.watermark


def test_students_moodle_already_holds_as_eios_wants_are_found_unchanged_at_once():
    rows = [
        {"student_id": "1", "login": "s1", "last_name": " Иванов ", "first_name": "Иван",
         "middle_name": "", "email": "S1@Example.edu", "faculty_id": "F1",
         "group_code": "ЭК-21", "status": "studying", "changed_at": "2026-11-10T10:00:00"},
        {"student_id": "2", "login": "s2", "last_name": "Петров", "first_name": "Пётр",
         "middle_name": "", "email": "", "faculty_id": "F2", "group_code": "ПР-11",
         "status": "graduated", "changed_at": "2026-11-10T10:00:00"},
    ]  # fmt: skip
    users = [
        {"id": 10, "username": "s1", "idnumber": "1", "firstname": "Иван", "lastname": "Иванов",
         "middlename": "", "email": "s1@example.edu", "suspended": 0, "department": NAMES["F1"]},
        {"id": 11, "username": "s2", "idnumber": "2", "firstname": "Пётр", "lastname": "Петров",
         "middlename": "", "email": "p@example.edu", "suspended": 1, "department": NAMES["F2"]},
    ]  # fmt: skip
    members = [
        {"cohortid": 1, "idnumber": "group:ЭК-21", "name": "ЭК-21", "userid": 10},
        {"cohortid": 2, "idnumber": "group:ПР-11", "name": "ПР-11", "userid": 11},
    ]
    state = moodle_state(users, members)
    common = {"username_template": "{login}", "on_leave": "suspend_and_remove_from_cohort"}
    assert unchanged_students(rows, users, state.member_of, departments=NAMES, **common) == {
        "1",
        "2",
    }
    users[0]["suspended"] = 1  # studying in EIOS, suspended in Moodle: the rules decide
    state = moodle_state(users, members)
    assert unchanged_students(rows, users, state.member_of, departments=NAMES, **common) == {"2"}


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet='a.@-_x"\\1', max_size=80).map(lambda t: t * 4)
    | st.from_regex(r"[a-z.]{0,70}@[a-z]{1,5}\.[a-z]{2,3}", fullmatch=True)
)
def test_the_email_rules_fast_path_answers_as_the_walk_does(address):
    """php_validate_email skips the look-ahead walk when no byte is a quote or a
    backslash (each byte is then one unit); the answer is the walk's."""
    from include.eios import moodle_rules

    data = address.encode("utf-8", "surrogatepass")
    units = moodle_rules._max_units(data)
    walked = (
        len(data) <= 320
        and max(units) < 255
        and not any(b == 0x40 and units[i] >= 65 for i, b in enumerate(data))
        and moodle_rules._PHP_EMAIL.match(data) is not None
    )
    assert moodle_rules.php_validate_email(address) == walked
