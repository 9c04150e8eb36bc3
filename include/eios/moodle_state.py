"""Moodle's users and group cohorts as the plan reads them: indexed once per run, and
split by faculty in one pass (include/eios/plan.py, include/eios/site_plan.py)."""

from __future__ import annotations

from dataclasses import dataclass


def as_text(value) -> str:
    """A cell as text: None and NaN (a missing value in a frame) are empty."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def is_group_cohort(idnumber: str) -> bool:
    """A live group cohort (`group:<code>`), not an archived one (`…:graduated-<year>`)."""
    return str(idnumber).startswith("group:") and ":graduated-" not in str(idnumber)


@dataclass(frozen=True)
class MoodleState:
    """Moodle's users and group cohorts, indexed once for every faculty's plan."""

    by_idnumber: dict[str, dict]  # idnumber (= student_id) -> user
    cohorts: dict[str, dict]  # live group cohort idnumber -> {id, name}
    member_of: dict[int, set[str]]  # user id -> live group cohorts


def moodle_state(users: list[dict], memberships: list[dict]) -> MoodleState:
    by_idnumber = {as_text(u["idnumber"]): u for u in users if as_text(u["idnumber"])}
    cohorts: dict[str, dict] = {}
    member_of: dict[int, set[str]] = {}
    for row in memberships:
        if not is_group_cohort(row["idnumber"]):
            continue
        cohorts.setdefault(row["idnumber"], {"id": int(row["cohortid"]), "name": row["name"]})
        if row.get("userid") is not None and row["userid"] == row["userid"]:
            member_of.setdefault(int(row["userid"]), set()).add(row["idnumber"])
    return MoodleState(by_idnumber, cohorts, member_of)


def users_by_faculty(
    users: list[dict], owner: dict[str, str], names: dict[str, str]
) -> dict[str, list[dict]]:
    """faculty id -> its Moodle users, in one pass: a student the run's feeds list belongs
    to the faculty planning them (`owner`); any other user to the faculty whose name is
    the user's department (so a student EIOS no longer lists is reported missing)."""
    by_name: dict[str, list[str]] = {}
    for faculty_id, name in names.items():
        by_name.setdefault(name, []).append(faculty_id)
    result: dict[str, list[dict]] = {faculty_id: [] for faculty_id in names}
    for user in users:
        sid = as_text(user["idnumber"])
        if sid in owner:
            if owner[sid] in result:
                result[owner[sid]].append(user)
            continue
        for faculty_id in by_name.get(as_text(user.get("department")), ()):
            result[faculty_id].append(user)
    return result
