"""`unchanged_students`: the set-based diff of every faculty's rows against Moodle at once.

One pandas pass over all the run's winning rows finds the students Moodle already holds
as EIOS wants them (same username, names, e-mail and department as Moodle compares them,
the right suspension, and for a studying student exactly its group cohort). Only the
others go through the per-student rules of include/eios/plan.py, which build the
actions and their payloads. The diff may only ever say "unchanged" when the rules would
plan nothing (tests/unit/test_eios_site_plan.py checks it against them).
"""

from __future__ import annotations

from include.eios.moodle_rules import email_key
from include.eios.moodle_state import as_text
from include.eios.usernames import render_username
from include.feed_schema import collapse_spaces

NAMES = (("first_name", "firstname"), ("last_name", "lastname"), ("middle_name", "middlename"))


def _name(value) -> str:
    return collapse_spaces(as_text(value))


def unchanged_students(
    rows: list[dict],
    users: list[dict],
    member_of: dict[int, set[str]],
    *,
    departments: dict[str, str],
    username_template: str,
    on_leave: str,
) -> set[str]:
    """Student ids of `rows` (each faculty's winning rows; `faculty_id` names the row's
    faculty, `departments` its name) whose Moodle user needs no change. `users`: Moodle's
    EIOS users; `member_of`: user id -> live group cohorts."""
    import pandas as pd

    if not rows or not users:
        return set()
    feed = pd.DataFrame(
        {
            "student_id": [str(r["student_id"]) for r in rows],
            "status": [r["status"] for r in rows],
            "cohort": [f"group:{r['group_code']}" for r in rows],
            "username": [render_username(username_template, r) for r in rows],
            **{moodle: [_name(r.get(eios)) for r in rows] for eios, moodle in NAMES},
            "email": [email_key(as_text(r.get("email")).strip()) for r in rows],
            "department": [_name(departments[str(r["faculty_id"])]) for r in rows],
        }
    )
    moodle = pd.DataFrame(
        {
            "student_id": [as_text(u["idnumber"]) for u in users],
            "user_id": [int(u["id"]) for u in users],
            "m_username": [as_text(u["username"]) for u in users],
            **{f"m_{moodle}": [_name(u.get(moodle)) for u in users] for _, moodle in NAMES},
            "m_email": [email_key(as_text(u.get("email")).strip()) for u in users],
            "m_department": [_name(u.get("department")) for u in users],
            "suspended": [bool(int(u["suspended"])) for u in users],
        }
    )
    both = feed.merge(moodle, on="student_id", how="inner")
    memberships = pd.DataFrame(
        [(uid, cohort) for uid, cohorts in member_of.items() for cohort in cohorts],
        columns=["user_id", "cohort"],
    )
    groups = memberships.groupby("user_id").size()
    both["groups"] = both["user_id"].map(groups).fillna(0).astype(int)
    in_cohort = both[["user_id", "cohort"]].merge(memberships, how="left", indicator=True)
    both["in_cohort"] = (in_cohort["_merge"] == "both").to_numpy()

    same = both["username"] == both["m_username"]
    for _, field in NAMES:
        same &= both[field] == both[f"m_{field}"]
    same &= both["department"] == both["m_department"]
    same &= (both["email"] == "") | (both["email"] == both["m_email"])  # blank: Moodle's kept
    studying = both["status"] == "studying"
    studying_done = studying & ~both["suspended"] & (both["groups"] == 1) & both["in_cohort"]
    keeps_groups = (both["status"] == "graduated") | (on_leave == "suspend") | (both["groups"] == 0)
    leaving_done = ~studying & both["suspended"] & keeps_groups
    done = same & (studying_done | leaving_done)
    once = ~both["student_id"].duplicated(keep=False)  # two Moodle users, one id: the rules
    return set(both.loc[done & once, "student_id"])
