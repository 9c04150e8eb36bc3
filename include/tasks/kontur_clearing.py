"""The clearings of `kontur_recordings` (include/tasks/kontur_recordings.py), approved by
a person: what clearing the publication journal or old recording activities would remove
(the plan, with the Markdown body the approval shows), and the clearing itself, done only
after an Approve (include/recordings/clearing.py reads the answer)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from airflow.sdk import XComArg

from include.config import KonturRecordingsSettings
from include.connectors.hooks import moodle_db, pipelines_db
from include.recordings.clearing import answer_outcome
from include.reporting import plural
from include.tasks.kontur_moodle import delete_activities

log = logging.getLogger(__name__)

LISTED_COURSES = 20  # an approval's body names at most this many courses


def approval_of(plan: XComArg, subject: str) -> XComArg:
    """The person's answer to a clearing's plan, for the clearing task: the plan task
    `plan_clear_<what>` is followed by a `ClearingApproval` `decide_clear_<what>` mailing
    `subject`, whose XCom `answer` this is."""
    # imported here: include/tasks/kontur_recordings.py (the class's home) imports this module
    from include.tasks.kontur_recordings import ANSWER_KEY, ClearingApproval

    plan_task_id = plan.operator.task_id
    decision = ClearingApproval(
        task_id=plan_task_id.replace("plan_", "decide_", 1),
        subject=subject,
        plan_task_id=plan_task_id,
    )
    plan >> decision
    return decision.output[ANSWER_KEY]


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


def asking(
    plan: dict,
    config: KonturRecordingsSettings,
    params: dict,
    *,
    would: str,
    nothing: str | None,
    question: str,
    facts: list[str],
    per_course: dict[int, int],
    noun: str,
) -> dict:
    """The plan, and whether to ask: not in a dry run (the outcome says what it `would`
    do), not with `nothing` to clear (the outcome says why). Asked, its Markdown body is
    the question, the facts, the courses and what Approve and Reject do."""
    if params.get("dry_run"):
        return plan | {"ask": False, "outcome": f"dry run: would {would}"}
    if nothing:
        return plan | {"ask": False, "outcome": nothing}
    body = "\n".join(
        [
            f"**{question}**",
            "",
            *facts,
            "",
            "Courses:",
            *course_lines(per_course, noun),
            "",
            f"**Approve** clears; **Reject**, or no answer within {timeout_text(config)}, "
            "clears nothing (there is no default).",
        ]
    )
    return plan | {"ask": True, "body": body}


def decided(
    config: KonturRecordingsSettings, plan: dict, approval: dict | None, what: str
) -> tuple[bool, str, dict]:
    """The person's answer read (include/recordings/clearing.py): whether to clear, the
    outcome's text, and the report's fields every clearing has (`cleared` 0 until done).
    A requested clearing not done is logged as a warning naming `what`."""
    clear, outcome = answer_outcome(plan, approval, timeout_text(config))
    by = approval or {}
    result = {
        "cleared": 0,
        "requested": bool(plan.get("requested")),
        "asked": bool(plan.get("ask")),
        "approved_by": by.get("by") if clear else None,
        "approved_at": by.get("at") if clear else None,
    }
    if not clear and plan.get("requested"):
        log.warning("%s not cleared: %s", what, outcome)
    return clear, outcome, result


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
    return asking(
        plan,
        config,
        params,
        would=f"clear {plural(rows, 'row')}",
        nothing=None if rows or days else "the journal is empty: nothing to clear",
        question="Clear the publication journal of `kontur_recordings`?",
        facts=[
            f"- {plural(rows, 'journal row')} (table `kontur_publication`) in "
            f"{plural(len(per_course), 'course')}, and {plural(days, 'published day')} "
            "(table `kontur_publication_day`) will be deleted.",
            "- The URL activities stay in Moodle: their markers (`ktalk:<key>`) keep them "
            "from being published twice; the next publication adopts them into the journal "
            "again (an activity removed by *clear sections* is published again).",
        ],
        per_course=per_course,
        noun="recording",
    )


def clear_journal_after(
    config: KonturRecordingsSettings, plan: dict, approval: dict | None
) -> dict:
    """Empty the publication journal (and the published days), only after an Approve."""
    clear, outcome, result = decided(config, plan, approval, "publication journal")
    if not clear:
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
    return asking(
        plan,
        config,
        params,
        would=f"remove {len(due)}",
        nothing=f"nothing published before {cutoff}" if due.empty else None,
        question="Remove old recording activities from their Moodle sections?",
        facts=[
            f"- {plural(len(due), 'URL activity')} published before "
            f"{cutoff} (older than {plural(config.clear_after_days, 'day')}) in "
            f"{plural(len(per_course), 'course')} will be deleted through "
            "`core_course_delete_modules`.",
            "- The journal keeps them: each course's archive page still lists them.",
        ],
        per_course=per_course,
        noun="activity",
    )


def clear_sections_after(
    config: KonturRecordingsSettings, plan: dict, approval: dict | None
) -> dict:
    """After an Approve: remove the recording activities older than the plan's cut-off
    through `core_course_delete_modules`; the journal keeps them."""
    from include.connectors.hooks import moodle_ws

    clear, outcome, result = decided(config, plan, approval, "sections")
    result["cutoff"] = plan.get("cutoff")
    if not clear:
        return result | {"would_clear": plan.get("due", 0), "outcome": outcome}
    db = pipelines_db()
    due = db.read_frame(db.query("kontur_clear_candidates"), {"cutoff": plan["cutoff"]})
    cleared, missing = delete_activities(moodle_ws(), db, due)
    return result | {
        "cleared": cleared,
        "already_gone": missing,
        "outcome": f"{plural(cleared, 'activity')} removed, {outcome}",
    }
