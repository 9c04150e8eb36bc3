"""The quality gate's row rules: each rejected row gets one readable reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from include.eios.usernames import render_username, username_problem

STATUSES = ("studying", "academic_leave", "expelled", "graduated")
# Moodle's validate_email(), close enough: one @, a dotted domain
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
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
    if item.get("status") not in STATUSES:
        return f"status {item.get('status')!r} not one of {', '.join(STATUSES)}"
    if str(item.get("faculty_id")) != str(faculty_id):
        return f"faculty_id {item.get('faculty_id')!r} is not the scanned faculty {faculty_id}"
    email = item.get("email")
    if not _blank(email) and not EMAIL.match(str(email).strip()):
        return f"e-mail {email!r} malformed"
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
    """The GX suite the accepted rows must pass as a whole (blocking)."""
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="student_id"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="student_id"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="username"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES)),
    ]
