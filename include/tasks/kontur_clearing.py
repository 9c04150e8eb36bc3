"""The clearings of `kontur_recordings` (include/tasks/kontur_recordings.py), approved by
a person: what clearing the publication journal or old recording activities would remove
(the plan, with the Markdown body the approval shows), and the clearing itself, done only
after an Approve (include/recordings/clearing.py reads the answer)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from include.config import KonturRecordingsSettings
from include.connectors.hooks import moodle_db, pipelines_db
from include.recordings.clearing import answer_outcome
from include.reporting import plural
from include.tasks.kontur_moodle import delete_activities

log = logging.getLogger(__name__)

LISTED_COURSES = 20  # an approval's body names at most this many courses


def timeout_text(config: KonturRecordingsSettings) -> str:
    minutes = config.approval_timeout_minutes
    if minutes >= 60 and minutes % 60 == 0:
        return plural(int(minutes // 60), "hour")
    return plural(int(minutes), "minute") if minutes == int(minutes) else f"{minutes} minutes"


def course_lines(per_course: dict[int, int], noun: str) -> list[str]:
    """`- <fullname> (id 12): 3 recordings`, at most LISTED_COURSES of them; names from
    Moodle (a course gone from Moodle shows its id only)."""
    shown = sorted(per_course)[:LISTED_COURSES]
    names = {}
    if shown:
        courses = moodle_db().read_frame("recordings_courses")
        names = {int(i): n for i, n in zip(courses["id"], courses["fullname"], strict=True)}
    lines = [
        f"- {names.get(c, '(not in Moodle)')} (id {c}): {plural(per_course[c], noun)}"
        for c in shown
    ]
    if len(per_course) > len(shown):
        lines.append(f"- … and {plural(len(per_course) - len(shown), 'more course')}")
    return lines


def approval_footer(config: KonturRecordingsSettings) -> str:
    return (
        f"**Approve** clears; **Reject**, or no answer within {timeout_text(config)}, "
        "clears nothing (there is no default)."
    )


def journal_plan(config: KonturRecordingsSettings, params: dict) -> dict:
    """What clearing the publication journal would delete, and whether to ask: only with
    the param `clear_journal`, outside a dry run, and with a journal to clear."""
    params = params or {}
    if not params.get("clear_journal"):
        return {"requested": False, "ask": False, "outcome": "not asked"}
    db = pipelines_db()
    per_course_frame = db.read_frame(db.query("kontur_journal_by_course"))
    per_course = {
        int(c): int(n)
        for c, n in zip(per_course_frame["course_id"], per_course_frame["recordings"], strict=True)
    }
    rows, days = sum(per_course.values()), len(db.read_frame(db.query("kontur_published_dates")))
    plan = {"requested": True, "rows": rows, "days": days, "courses": len(per_course)}
    if params.get("dry_run"):
        return plan | {"ask": False, "outcome": f"dry run: would clear {plural(rows, 'row')}"}
    if not rows and not days:
        return plan | {"ask": False, "outcome": "the journal is empty: nothing to clear"}
    body = "\n".join(
        [
            "**Clear the publication journal of `kontur_recordings`?**",
            "",
            f"- {plural(rows, 'journal row')} (table `kontur_publication`) in "
            f"{plural(len(per_course), 'course')}, and {plural(days, 'published day')} "
            "(table `kontur_publication_day`) will be deleted.",
            "- The URL activities stay in Moodle: their markers (`ktalk:<key>`) keep them "
            "from being published twice; the next publication adopts them into the journal "
            "again (an activity removed by *clear sections* is published again).",
            "",
            "Courses:",
            *course_lines(per_course, "recording"),
            "",
            approval_footer(config),
        ]
    )
    return plan | {"ask": True, "body": body}


def clear_journal_after(
    config: KonturRecordingsSettings, plan: dict, approval: dict | None
) -> dict:
    """Empty the publication journal (and the published days), only after an Approve."""
    clear, outcome = answer_outcome(plan, approval, timeout_text(config))
    result = {
        "cleared": 0,
        "requested": bool(plan.get("requested")),
        "asked": bool(plan.get("ask")),
        "approved_by": (approval or {}).get("by") if clear else None,
        "approved_at": (approval or {}).get("at") if clear else None,
    }
    if not clear:
        if plan.get("requested"):
            log.warning("publication journal not cleared: %s", outcome)
        return result | {"outcome": outcome}
    db = pipelines_db()
    with db.transaction() as cursor:
        cursor.execute(db.query("kontur_clear_journal"))
        cleared = cursor.rowcount
        cursor.execute(db.query("kontur_clear_days"))
    log.warning("publication journal cleared: %s, %s", plural(cleared, "row"), outcome)
    return result | {"cleared": cleared, "outcome": f"{plural(cleared, 'row')} cleared, {outcome}"}


def sections_plan(config: KonturRecordingsSettings, params: dict, clock: datetime) -> dict:
    """What clearing the sections would remove (recording activities older than
    `clear_after_days`), and whether to ask: only with the param, outside a dry run, and
    with something to remove."""
    from zoneinfo import ZoneInfo

    params = params or {}
    if not params.get("clear_sections"):
        return {"requested": False, "ask": False, "outcome": "not asked"}
    db = pipelines_db()
    local_now = clock.astimezone(ZoneInfo(config.timezone))
    cutoff = (local_now - timedelta(days=config.clear_after_days)).date()
    due = db.read_frame(db.query("kontur_clear_candidates"), {"cutoff": cutoff})
    per_course = {int(c): int(n) for c, n in due.groupby("course_id").size().items()}
    plan = {"requested": True, "cutoff": str(cutoff), "due": len(due), "courses": len(per_course)}
    if params.get("dry_run"):
        return plan | {"ask": False, "outcome": f"dry run: would remove {len(due)}"}
    if due.empty:
        return plan | {"ask": False, "outcome": f"nothing published before {cutoff}"}
    body = "\n".join(
        [
            "**Remove old recording activities from their Moodle sections?**",
            "",
            f"- {plural(len(due), 'URL activity')} published before "
            f"{cutoff} (older than {plural(config.clear_after_days, 'day')}) in "
            f"{plural(len(per_course), 'course')} will be deleted through "
            "`core_course_delete_modules`.",
            "- The journal keeps them: each course's archive page still lists them.",
            "",
            "Courses:",
            *course_lines(per_course, "activity"),
            "",
            approval_footer(config),
        ]
    )
    return plan | {"ask": True, "body": body}


def clear_sections_after(
    config: KonturRecordingsSettings, plan: dict, approval: dict | None
) -> dict:
    """After an Approve: remove the recording activities older than the plan's cut-off
    through `core_course_delete_modules`; the journal keeps them."""
    from include.connectors.hooks import moodle_ws

    clear, outcome = answer_outcome(plan, approval, timeout_text(config))
    result = {
        "cleared": 0,
        "requested": bool(plan.get("requested")),
        "asked": bool(plan.get("ask")),
        "cutoff": plan.get("cutoff"),
        "approved_by": (approval or {}).get("by") if clear else None,
        "approved_at": (approval or {}).get("at") if clear else None,
    }
    if not clear:
        if plan.get("requested"):
            log.warning("sections not cleared: %s", outcome)
        return result | {"would_clear": plan.get("due", 0), "outcome": outcome}
    db = pipelines_db()
    due = db.read_frame(db.query("kontur_clear_candidates"), {"cutoff": plan["cutoff"]})
    cleared, missing = delete_activities(moodle_ws(), db, due)
    return result | {
        "cleared": cleared,
        "already_gone": missing,
        "outcome": f"{plural(cleared, 'activity')} removed, {outcome}",
    }
