"""Property-based tests (hypothesis) of the EIOS feed's schema and row checks, pure: any
JSON at all in a faculty's items is split into accepted rows and rejects with a key, a
field and a reason, never a crash; a feed differing only in case and spacing plans 0
writes."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from include.config import EiosSyncSettings
from include.eios.feed import validate_students
from include.eios.plan import plan_sync
from include.eios.quality import COLUMNS, check_extract

NOW = datetime(2026, 11, 20, 12, 0, 0)
PATTERN = EiosSyncSettings().group_code_pattern
FAST = settings(max_examples=60, deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
rows = st.lists(
    json_values | st.dictionaries(st.sampled_from(COLUMNS), json_values, max_size=15), max_size=6
)


@FAST
@given(rows)
def test_any_items_are_accepted_or_rejected_with_a_field_and_a_reason(items):
    good, rejects = validate_students(items, "F1", NOW)
    assert len(good) + len(rejects) == len(items)
    accepted, all_rejects = check_extract(items, "F1", PATTERN, "{login}", NOW)
    assert len(accepted) + len(all_rejects) == len(items)
    for reject in all_rejects:
        assert reject["key"].startswith("F1/") and len(reject["key"]) <= 191
        assert reject["field"] and reject["reason"]
    for row in accepted:
        assert set(row) == set(COLUMNS) and row["faculty_id"] == "F1"


def _row(n: int) -> dict:
    return {
        "student_id": f"7{n:05d}",
        "login": f"s7{n:05d}",
        "last_name": "Иванова",
        "first_name": "Мария Анна",
        "middle_name": "",
        "email": f"maria.{n}@students.example.edu",
        "faculty_id": "F1",
        "group_code": "ЭК-21",
        "status": "studying",
        "changed_at": "2026-11-10T10:00:00",
    }


def _case(text: str, upper: list[bool]) -> str:
    flags = (upper + [False] * len(text))[: len(text)]
    return "".join(c.upper() if up else c for c, up in zip(text, flags, strict=True))


@FAST
@given(
    n=st.integers(0, 99999),
    upper=st.lists(st.booleans(), max_size=40),
    pad=st.sampled_from(["", " ", "  ", "   "]),
)
def test_a_feed_differing_only_in_case_and_spacing_makes_zero_writes(n, upper, pad):
    row = _row(n)
    moodle_user = {
        "id": 10,
        "username": row["login"],
        "idnumber": row["student_id"],
        "firstname": row["first_name"],
        "lastname": row["last_name"],
        "middlename": "",
        "email": row["email"],
        "auth": "manual",
        "suspended": 0,
        "department": "Факультет",
    }
    fed = row | {
        "email": pad + _case(row["email"], upper) + pad,
        "first_name": f"{pad}Мария{pad} {pad}Анна{pad}",
        "last_name": f"{pad}{row['last_name']}{pad}",
    }
    accepted, rejects = check_extract([fed], "F1", PATTERN, "{login}", NOW)
    assert rejects == [] and len(accepted) == 1
    members = [{"cohortid": 7, "idnumber": "group:ЭК-21", "name": "ЭК-21", "userid": 10}]
    plan = plan_sync(
        accepted, {row["student_id"]}, [moodle_user], members, faculty_id="F1",
        faculty_name="Факультет", lower_bound=None, username_template="{login}",
        auth="manual", on_leave="suspend",
    )  # fmt: skip
    assert plan.actions == []


def test_a_date_whose_zone_leaves_the_calendar_is_rejected_not_a_crash():
    """`0001-01-01T00:00:00+05:00` is before year 1 in UTC: a reject with its reason."""
    for changed_at, reason in (
        ("0001-01-01T00:00:00+05:00", "before 2000-01-01"),
        ("9999-12-31T23:00:00-05:00", "in the future"),
    ):
        good, rejects = validate_students([{**_row(1), "changed_at": changed_at}], "F1", NOW)
        assert not good and len(rejects) == 1
        assert (rejects[0].field, rejects[0].reason) == ("changed_at", reason), rejects[0]
