"""`plan_site`: one plan for every faculty of a run, against one read of Moodle's state.

Every faculty's accepted rows are resolved to one row per student (include/eios/
resolve.py), the rows Moodle would refuse are set aside (include/eios/quality.py), one
set-based diff finds the students already as EIOS wants them (include/eios/diff.py), and
Moodle's users and cohorts are indexed once and split by faculty in one pass; then each
faculty's part is planned by `plan_sync` with what they share. The cost grows with the
students, not with faculties x students.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from include.eios.diff import unchanged_students
from include.eios.moodle_state import moodle_state, users_by_faculty
from include.eios.plan import SyncPlan, plan_sync
from include.eios.quality import moodle_refusals, parse_changed_at
from include.eios.resolve import claimed_by, resolve_feeds


@dataclass(frozen=True)
class Faculty:
    """A checked faculty as the plan needs it."""

    id: str
    name: str
    lower_bound: datetime | None = None
    fixed_ids: frozenset[str] = frozenset()  # rejected before, valid now: planned anyway


@dataclass
class FacultyPlan:
    plan: SyncPlan
    refused: list[dict] = field(default_factory=list)  # rows Moodle would refuse
    superseded: list[dict] = field(default_factory=list)  # another faculty's row won


def plan_site(
    faculties: list[Faculty],
    accepted: dict[str, list[dict]],
    rosters: dict[str, set[str]],
    users: list[dict],
    memberships: list[dict],
    emails: list[dict],
    *,
    blocked: set[str] = frozenset(),
    username_template: str,
    auth: str,
    on_leave: str,
    limit: int = 0,
    allow_same_email: bool = False,
) -> tuple[dict[str, FacultyPlan], int]:
    """(faculty id -> its plan, students the diff found unchanged).

    `accepted`: each faculty's accepted rows; `rosters`: every student id each faculty's
    extract lists (rejected rows too); `blocked`: ids listed by a faculty that failed its
    check (not planned: its row might be the winning one); `users`, `memberships`,
    `emails`: Moodle's state as plan_sync and moodle_refusals take it (the e-mails of the
    accounts that may own an address to be sent)."""
    winners, superseded = resolve_feeds(accepted)
    owner = claimed_by(rosters, winners)
    roster_ids = set().union(*rosters.values(), blocked) if rosters or blocked else set()
    kept, refused = moodle_refusals(
        [row for rows in winners.values() for row in rows], users, emails, allow_same_email
    )
    state = moodle_state(users, memberships)
    names = {f.id: f.name for f in faculties}
    by_id = {f.id: f for f in faculties}
    unchanged = unchanged_students(
        [row for row in kept if _considered(row, by_id[str(row["faculty_id"])])],
        users,
        state.member_of,
        departments=names,
        username_template=username_template,
        on_leave=on_leave,
    )
    own_users = users_by_faculty(users, owner, names)
    # every row's faculty_id is its feed's (a row rule): rows are grouped by it
    kept_by: dict[str, list[dict]] = {f.id: [] for f in faculties}
    refused_by: dict[str, list[dict]] = {f.id: [] for f in faculties}
    for row in kept:
        kept_by[str(row["faculty_id"])].append(row)
    for row in refused:
        refused_by[str(row["faculty_id"])].append(row)
    plans = {}
    for faculty in faculties:
        plan = plan_sync(
            kept_by[faculty.id],
            roster_ids,
            users,
            memberships,
            faculty_id=faculty.id,
            faculty_name=faculty.name,
            lower_bound=faculty.lower_bound,
            username_template=username_template,
            auth=auth,
            on_leave=on_leave,
            limit=limit,
            owner=owner,
            superseded=superseded.get(faculty.id, []),
            blocked_ids=blocked,
            fixed_ids=set(faculty.fixed_ids),
            state=state,
            faculty_users=own_users[faculty.id],
            unchanged=unchanged,
        )
        plans[faculty.id] = FacultyPlan(
            plan, refused_by[faculty.id], superseded.get(faculty.id, [])
        )
    return plans, len(unchanged)


def _considered(row: dict, faculty: Faculty) -> bool:
    """Whether plan_sync looks at the row (changed since the faculty's lower bound, or
    fixed since it was rejected): the diff skips the others, which plan nothing."""
    if faculty.lower_bound is None or str(row["student_id"]) in faculty.fixed_ids:
        return True
    return parse_changed_at(row["changed_at"]) >= faculty.lower_bound
