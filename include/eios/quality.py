"""The quality gate's row rules: each rejected row gets one readable reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from include.eios.moodle_rules import email_key, email_problem, name_problem
from include.eios.usernames import render_username, username_problem

STATUSES = ("studying", "academic_leave", "expelled", "graduated")
COLUMNS = (
    "student_id",
    "record_book",
    "login",
    "last_name",
    "first_name",
    "middle_name",
    "email",
    "faculty_id",
    "specialty",
    "group_code",
    "course_year",
    "study_form",
    "status",
    "status_date",
    "changed_at",
)


def _blank(value) -> bool:
    return (
        value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""
    )


def parse_changed_at(value) -> datetime | None:
    """EIOS `changed_at` (ISO-8601, naive = UTC) as a naive UTC datetime, or None."""
    if _blank(value):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def reject_reason(
    item: dict,
    faculty_id: str,
    group_pattern: re.Pattern,
    username_template: str,
    now: datetime,
) -> str:
    """'' when the row may be synced, else the first rule it breaks."""
    if _blank(item.get("student_id")):
        return "student_id missing"
    if _blank(item.get("last_name")) or _blank(item.get("first_name")):
        return "last_name or first_name missing"
    for name in ("last_name", "first_name", "middle_name"):
        value = "" if _blank(item.get(name)) else str(item[name]).strip()
        problem = name_problem(name, value, required=name != "middle_name")
        if problem:
            return problem
    if item.get("status") not in STATUSES:
        return f"status {item.get('status')!r} not one of {', '.join(STATUSES)}"
    if str(item.get("faculty_id")) != str(faculty_id):
        return f"faculty_id {item.get('faculty_id')!r} is not the scanned faculty {faculty_id}"
    email = item.get("email")
    if not _blank(email) and email_problem(str(email).strip()):
        return f"e-mail {str(email).strip()!r} malformed: Moodle's validate_email() refuses it"
    group = item.get("group_code")
    if _blank(group) or not group_pattern.match(str(group)):
        return f"group_code {group!r} does not match the pattern"
    changed_at = parse_changed_at(item.get("changed_at"))
    if changed_at is None:
        return f"changed_at {item.get('changed_at')!r} is not a date-time"
    if changed_at > now:
        return f"changed_at {item.get('changed_at')} is in the future"
    problem = username_problem(render_username(username_template, item))
    if problem:
        return problem
    return ""


def split_rejects(
    items: list[dict],
    faculty_id: str,
    group_code_pattern: str,
    username_template: str,
    now: datetime,
) -> tuple[list[dict], list[dict]]:
    """(accepted, rejects): rejects carry `reason`. Duplicated student ids or usernames
    reject every row that shares them (EIOS must say which one is right)."""
    pattern = re.compile(group_code_pattern)
    reasons = [reject_reason(i, faculty_id, pattern, username_template, now) for i in items]
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    for item, reason in zip(items, reasons, strict=True):
        if not reason:
            ids[str(item["student_id"])] = ids.get(str(item["student_id"]), 0) + 1
            name = render_username(username_template, item)
            names[name] = names.get(name, 0) + 1
    accepted, rejects = [], []
    for item, reason in zip(items, reasons, strict=True):
        if not reason and ids[str(item["student_id"])] > 1:
            reason = f"student_id {item['student_id']} appears more than once in the feed"
        elif not reason and names[render_username(username_template, item)] > 1:
            reason = f"username {render_username(username_template, item)!r} is not unique"
        if reason:
            rejects.append({**item, "reason": reason})
        else:
            accepted.append(item)
    return accepted, rejects


def reject_summary(rejects: list[dict], total: int, faculty_id: str) -> str:
    """One readable line: how many rows were rejected, for which reasons."""
    counts: dict[str, int] = {}
    for row in rejects:
        key = re.sub(r"'[^']*'|\d{4}-\S+", "…", row["reason"])
        counts[key] = counts.get(key, 0) + 1
    share = 100 * len(rejects) / total if total else 0
    reasons = "; ".join(f"{n} × {reason}" for reason, n in sorted(counts.items()))
    return (
        f"faculty {faculty_id}: {len(rejects)} of {total} rows rejected ({share:.1f} %): {reasons}"
    )


def accepted_expectations() -> list:
    """The GX suite every faculty's accepted rows must pass as a whole (blocking), run
    once over all faculties: unique within a faculty (a transfer lists a student in two)."""
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="student_id"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="username"),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["faculty_id", "student_id"]),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["faculty_id", "username"]),
        gx.expectations.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES)),
    ]


def _email_of(item: dict) -> str:
    return "" if _blank(item.get("email")) else str(item["email"]).strip()


def moodle_refusals(
    items: list[dict],
    users: list[dict],
    emails: list[dict],
    allow_same_email: bool,
) -> tuple[list[dict], list[dict]]:
    """(accepted, rejects): rows Moodle would refuse given its current state, found before
    any call. `users`: Moodle's EIOS users (`id, idnumber, email`); `emails`: every local
    account's `id, email` (Moodle checks them all).

    - a new student (studying, no Moodle user yet) without an e-mail: create_users
      requires one;
    - while `allow_same_email` is off (Moodle's `allowaccountssameemail`, default 0): an
      e-mail that would be sent (a new user, or a changed address) and that another
      Moodle account already uses, or that another row of the feed also wants: Moodle
      would refuse the second of them. Every row sharing such an address is rejected
      (EIOS must say whose it is), compared case-insensitively as Moodle does.
    """
    by_idnumber = {str(u["idnumber"]): u for u in users if not _blank(u.get("idnumber"))}
    owners: dict[str, set[int]] = {}
    for account in emails:
        if not _blank(account.get("email")):
            owners.setdefault(email_key(str(account["email"])), set()).add(int(account["id"]))
    wanted: dict[str, set[str]] = {}
    for item in items:
        if _email_of(item):
            wanted.setdefault(email_key(_email_of(item)), set()).add(str(item["student_id"]))
    accepted, rejects = [], []
    for item in items:
        user = by_idnumber.get(str(item["student_id"]))
        email = _email_of(item)
        reason = ""
        if user is None and item.get("status") == "studying" and not email:
            reason = "e-mail missing: Moodle requires one for a new user"
        sent = bool(email) and (
            user is None or email_key(_text_of(user.get("email")).strip()) != email_key(email)
        )
        if sent and user is None and item.get("status") != "studying":
            sent = False  # never created, nothing sent
        if sent and not allow_same_email:
            own = {int(user["id"])} if user is not None else set()
            if owners.get(email_key(email), set()) - own:
                reason = (
                    f"e-mail {email!r} is used by another Moodle account "
                    "(allowaccountssameemail is off)"
                )
            elif len(wanted[email_key(email)]) > 1:
                reason = (
                    f"e-mail {email!r} is shared with another student of the feed "
                    "(allowaccountssameemail is off)"
                )
        if reason:
            rejects.append({**item, "reason": reason})
        else:
            accepted.append(item)
    return accepted, rejects


def _text_of(value) -> str:
    return "" if _blank(value) else str(value)


_REASON_FIELDS = {"e-mail": "email", "username": "login", "changed_at": "changed_at"}


def reason_field(reason: str) -> str:
    """The field a row rule's reason names first (`e-mail '…' malformed` → `email`)."""
    word = reason.split(" ", 1)[0]
    if word in _REASON_FIELDS:
        return _REASON_FIELDS[word]
    return word if word in COLUMNS else "(row)"


def check_extract(
    items: list,
    faculty_id: str,
    group_code_pattern: str,
    username_template: str,
    now: datetime,
) -> tuple[list[dict], list[dict]]:
    """The gate's row checks in order: the schema first (include/eios/feed.py), then
    the row rules above on the rows the schema accepted.

    Returns (accepted rows, normalised; rejects): a reject is the row as EIOS sent it
    (when it was an object) with `key` (`<faculty>/<student_id>`), `field` and
    `reason`."""
    from include.eios.feed import student_key, validate_students

    rows, schema_rejects = validate_students(items, faculty_id, now)
    rejects = []
    by_key: dict[str, list] = {}
    for item in items:
        by_key.setdefault(student_key(faculty_id, item), []).append(item)
    for reject in schema_rejects:
        raw = next(iter(by_key.get(reject.key) or [None]))
        raw = raw if isinstance(raw, dict) else {}
        rejects.append(
            {**raw, "key": reject.key, "field": reject.field, "reason": f"schema: {reject.reason}"}
        )
    accepted, rule_rejects = split_rejects(
        rows, faculty_id, group_code_pattern, username_template, now
    )
    for row in rule_rejects:
        rejects.append(
            {
                **row,
                "key": student_key(faculty_id, row),
                "field": reason_field(row["reason"]),
            }
        )
    return accepted, rejects
