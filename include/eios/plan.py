"""`plan_sync`: what must change in Moodle so that it matches EIOS (a pure diff).

Desired state: the faculty's accepted EIOS rows changed at or after the lower
bound (the watermark), after every faculty's rows were resolved to one row per
student (include/eios/resolve.py). Current state: Moodle's users (matched by
`idnumber` = `student_id`) and group cohorts (`idnumber` = `group:<code>`).
Values are compared as Moodle compares them (e-mails case-insensitively, names
trimmed with inner whitespace collapsed), so only a real change is sent. A second
plan over the same data is empty, so re-runs change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from include.eios.moodle_rules import email_key
from include.eios.moodle_state import (
    MoodleState,
    as_text,
    moodle_state,
    users_by_faculty,
)
from include.eios.quality import parse_changed_at
from include.eios.usernames import render_username
from include.feed_schema import collapse_spaces

LEAVING = ("expelled", "academic_leave", "graduated")
# the order in which the kinds are applied
KINDS = (
    "create_cohort",
    "create_user",
    "update_user",
    "unsuspend",
    "suspend",
    "remove_member",
    "add_member",
    "archive_cohort",
)
# kinds the mass-graduation guard holds
LEAVING_KINDS = ("suspend", "archive_cohort")
SYSTEM_CATEGORY = {"type": "system", "value": ""}


def cohort_idnumber(group_code: str) -> str:
    return f"group:{group_code}"


@dataclass
class SyncPlan:
    faculty_id: str
    actions: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)  # in Moodle, not in EIOS: reported only
    deferred_students: int = 0  # past per_faculty_limit, left for the next run
    active_in_moodle: int = 0
    watermark: str | None = None  # the next run's lower bound (ISO), None = unchanged

    @property
    def leaving(self) -> int:
        return sum(1 for a in self.actions if a["kind"] == "suspend")


def _action(kind: str, item: dict | None, username: str = "", **extra) -> dict:
    item = item or {}
    action = {
        "kind": kind,
        "student_id": str(item.get("student_id", "") or ""),
        "username": username,
        "group_code": str(item.get("group_code", "") or ""),
        "changed_at": str(item.get("changed_at", "") or ""),
        "old": "",
        "new": "",
        "leaving": kind in LEAVING_KINDS,
        "payload": {},
    }
    action.update(extra)
    return action


NAME_FIELDS = ("firstname", "lastname", "middlename", "department")


def same_value(field: str, current, desired) -> bool:
    """Whether Moodle's value already is the desired one, compared as Moodle does:
    e-mails case-insensitively and trimmed, names trimmed with inner whitespace
    collapsed, anything else exactly."""
    current, desired = as_text(current), as_text(desired)
    if field == "email":
        return email_key(current.strip()) == email_key(desired.strip())
    if field in NAME_FIELDS:
        return collapse_spaces(current) == collapse_spaces(desired)
    return current == desired


def plan_sync(
    items: list[dict],
    roster_ids: set[str],
    users: list[dict],
    memberships: list[dict],
    *,
    faculty_id: str,
    faculty_name: str,
    lower_bound: datetime | None,
    username_template: str,
    auth: str,
    on_leave: str,
    limit: int = 0,
    owner: dict[str, str] | None = None,
    superseded: list[dict] = (),
    blocked_ids: set[str] = frozenset(),
    fixed_ids: set[str] = frozenset(),
    state: MoodleState | None = None,
    faculty_users: list[dict] | None = None,
    unchanged: set[str] = frozenset(),
) -> SyncPlan:
    """The actions for one faculty.

    `items`: accepted EIOS rows of the faculty (the whole roster), after resolution;
    `roster_ids`: every student id EIOS listed, in any faculty's feed (rejected rows
    too: they are not missing);
    `owner`: student id → the faculty the student belongs to in this run (None: every
    id of `roster_ids` is this faculty's); `superseded`: this faculty's rows another
    faculty's row won (they plan nothing and move the watermark); `blocked_ids`:
    students also listed by a faculty that is not synced in this run (not planned; the
    watermark stays at their earliest row, so the next run plans them); `fixed_ids`:
    students whose row was rejected before and is accepted now, planned whatever the
    lower bound (a rejected row never held the watermark back, and EIOS may fix a row
    without moving its `changed_at`);
    `users`: Moodle users (`id, username, idnumber, firstname, lastname, middlename, email,
    auth, suspended, department`); `memberships`: group cohorts (`cohortid, idnumber, name,
    userid` — `userid` None for an empty cohort).
    Planning every faculty of a run at once (include/eios/site_plan.py) passes what all
    share, built once: `state` (Moodle's users and cohorts indexed), `faculty_users`
    (this faculty's Moodle users) and `unchanged` (students the set-based diff found
    already as EIOS wants them: no rule needs to look at them).
    """
    plan = SyncPlan(faculty_id=faculty_id)
    state = state or moodle_state(users, memberships)
    by_idnumber, cohorts, member_of = state.by_idnumber, state.cohorts, state.member_of
    if owner is None:
        owner = {sid: faculty_id for sid in roster_ids}
    if faculty_users is None:
        faculty_users = users_by_faculty(users, owner, {faculty_id: faculty_name})[faculty_id]
    plan.active_in_moodle = sum(1 for u in faculty_users if not int(u["suspended"]))
    for user in faculty_users:
        if as_text(user["idnumber"]) not in roster_ids and not int(user["suspended"]):
            plan.missing.append(
                _action(
                    "missing_in_eios",
                    {"student_id": user["idnumber"]},
                    as_text(user["username"]),
                    old="active",
                    new="missing in EIOS",
                    user_id=int(user["id"]),
                )
            )

    passive = {id(row) for row in superseded}
    ordered = sorted(
        [*items, *superseded],
        key=lambda i: (parse_changed_at(i["changed_at"]), str(i["student_id"])),
    )
    considered = [
        i
        for i in ordered
        if lower_bound is None
        or parse_changed_at(i["changed_at"]) >= lower_bound
        or str(i["student_id"]) in fixed_ids
    ]
    blocked = [i for i in considered if str(i["student_id"]) in blocked_ids]
    per_student: list[tuple[dict, list[dict]]] = []
    for item in considered:
        sid = str(item["student_id"])
        if id(item) in passive or sid in blocked_ids or sid in unchanged:
            continue
        actions = _student_actions(
            item, by_idnumber, member_of, username_template, auth, on_leave, faculty_name
        )
        if actions:
            per_student.append((item, actions))

    taken = per_student if not limit else per_student[:limit]
    if limit and len(per_student) > limit:
        plan.deferred_students = len(per_student) - limit
        plan.watermark = per_student[limit][0]["changed_at"]
    elif considered:
        plan.watermark = considered[-1]["changed_at"]
    if blocked:
        first = blocked[0]["changed_at"]
        if parse_changed_at(first) < parse_changed_at(plan.watermark):
            plan.watermark = first

    needed_cohorts: dict[str, dict] = {}
    for item, actions in taken:
        for action in actions:
            if action["kind"] == "add_member" and action["cohort_idnumber"] not in cohorts:
                needed_cohorts.setdefault(action["cohort_idnumber"], item)
            if action["kind"] == "remove_member":
                action["payload"] = {
                    "cohortid": cohorts[action["cohort_idnumber"]]["id"],
                    "userid": action["user_id"],
                }
            plan.actions.append(action)
    for idnumber, item in sorted(needed_cohorts.items()):
        plan.actions.append(
            _action(
                "create_cohort",
                {"group_code": item["group_code"], "changed_at": item["changed_at"]},
                new=idnumber,
                cohort_idnumber=idnumber,
                payload={
                    "categorytype": SYSTEM_CATEGORY,
                    "name": str(item["group_code"]),
                    "idnumber": idnumber,
                    "description": f"{faculty_name}: группа {item['group_code']}",
                    "visible": 1,
                },
            )
        )
    deferred_groups = {a["group_code"] for _, acts in per_student[len(taken) :] for a in acts}
    plan.actions.extend(_archives(items, cohorts, deferred_groups))
    plan.actions.sort(key=lambda a: (KINDS.index(a["kind"]), a["changed_at"], a["student_id"]))
    return plan


def _student_actions(
    item: dict,
    by_idnumber: dict[str, dict],
    member_of: dict[int, set[str]],
    username_template: str,
    auth: str,
    on_leave: str,
    faculty_name: str,
) -> list[dict]:
    sid = str(item["student_id"])
    username = render_username(username_template, item)
    cohort = cohort_idnumber(str(item["group_code"]))
    status = item["status"]
    user = by_idnumber.get(sid)
    desired = {
        "username": username,
        "firstname": collapse_spaces(as_text(item.get("first_name"))),
        "lastname": collapse_spaces(as_text(item.get("last_name"))),
        "middlename": collapse_spaces(as_text(item.get("middle_name"))),
        "email": as_text(item.get("email")).strip(),
        "department": faculty_name,
    }
    add = _action(
        "add_member",
        item,
        username,
        new=cohort,
        cohort_idnumber=cohort,
        payload={
            "cohorttype": {"type": "idnumber", "value": cohort},
            # Moodle takes `id` or `username` only (any other type: warning code 1, nothing
            # added): the id read from Moodle's database, or the new user's username
            "usertype": (
                {"type": "id", "value": int(user["id"])}
                if user is not None
                else {"type": "username", "value": username}
            ),
        },
    )
    if user is None:
        if status != "studying":
            return []  # never in Moodle and not studying: nothing to create
        payload = {**desired, "idnumber": sid, "auth": auth}
        if auth == "manual":
            payload["createpassword"] = 1
        return [_action("create_user", item, username, new=username, payload=payload), add]

    user_id = int(user["id"])
    actions = []
    if not desired["email"]:
        del desired["email"]  # Moodle refuses a blank e-mail: keep the one it has
    changed = {k: v for k, v in desired.items() if not same_value(k, user.get(k), v)}
    if changed:
        actions.append(
            _action(
                "update_user",
                item,
                username,
                user_id=user_id,
                old="; ".join(f"{k}={as_text(user.get(k))}" for k in changed),
                new="; ".join(f"{k}={v}" for k, v in changed.items()),
                payload={"id": user_id, **changed},
            )
        )
    suspended = bool(int(user["suspended"]))
    groups = set(member_of.get(user_id, set()))
    if status == "studying":
        if suspended:
            actions.append(
                _action(
                    "unsuspend",
                    item,
                    username,
                    user_id=user_id,
                    old="suspended",
                    new="active",
                    payload={"id": user_id, "suspended": 0},
                )
            )
        for other in sorted(groups - {cohort}):
            actions.append(_remove(item, username, user_id, other))
        if cohort not in groups:
            actions.append({**add, "user_id": user_id})
        return actions
    if not suspended:
        actions.append(
            _action(
                "suspend",
                item,
                username,
                user_id=user_id,
                old="active",
                new=f"suspended ({status})",
                payload={"id": user_id, "suspended": 1},
            )
        )
    if status != "graduated" and on_leave == "suspend_and_remove_from_cohort":
        for group in sorted(groups):
            actions.append({**_remove(item, username, user_id, group), "leaving": True})
    return actions


def _remove(item: dict, username: str, user_id: int, cohort: str) -> dict:
    return _action(
        "remove_member", item, username, user_id=user_id, old=cohort, cohort_idnumber=cohort
    )


def _archives(items: list[dict], cohorts: dict[str, dict], deferred_groups: set[str]) -> list:
    """A group cohort whose every student in EIOS graduated is renamed with the year."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(str(item["group_code"]), []).append(item)
    archives = []
    for code, members in sorted(groups.items()):
        idnumber = cohort_idnumber(code)
        if idnumber not in cohorts or code in deferred_groups:
            continue
        if any(m["status"] != "graduated" for m in members):
            continue
        year = max(str(m.get("status_date") or m["changed_at"])[:4] for m in members)
        latest = max(members, key=lambda m: str(m["changed_at"]))
        cohort = cohorts[idnumber]
        new_name = f"{cohort['name']} (выпуск {year})"
        archives.append(
            _action(
                "archive_cohort",
                {"group_code": code, "changed_at": latest["changed_at"]},
                old=f"{cohort['name']} [{idnumber}]",
                new=f"{new_name} [{idnumber}:graduated-{year}]",
                cohort_idnumber=idnumber,
                payload={
                    "id": cohort["id"],
                    "categorytype": SYSTEM_CATEGORY,
                    "name": new_name,
                    "idnumber": f"{idnumber}:graduated-{year}",
                    "visible": 0,
                },
            )
        )
    return archives
