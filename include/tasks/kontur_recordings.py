"""`kontur_recordings`' tasks: poll Kontur.Talk, gate and stage the recordings, decide
once a day, plan with the pure routing, publish into Moodle, keep the archive pages.

Each task takes plain values and returns a small JSON dict for XCom; frames travel
through the store (`kontur_recordings/<run>/…`) and the project database. The run's
clock is its logical date (Airflow passes `logical_date`, `dag_run`, `run_id` and
`params` to the tasks that name them), so a re-run decides alike.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import get_current_context, task

from include.assets import KONTUR_PUBLISHED
from include.config import KonturRecordingsSettings, load_settings
from include.connectors.hooks import moodle_db, pipelines_db
from include.dag_defaults import API_READ_TIMEOUT, HEAVY_TIMEOUT
from include.notifications import approval_waiting_notifier
from include.tasks.kontur_moodle import (
    delete_activities,
    module_writer,
    publish_planned,
    read_text,
    write_archive_pages,
)
from include.tasks.settings import settings_of

log = logging.getLogger(__name__)

DAG_ID = "kontur_recordings"
APPROVE, REJECT = "Approve", "Reject"
ANSWER_KEY = "answer"  # the XCom every `ClearingApproval` outcome leaves
DEFAULT_APPROVAL_MINUTES = KonturRecordingsSettings.model_fields["approval_timeout_minutes"].default
LISTED_COURSES = 20  # an approval's body names at most this many courses
REJECT_COLUMNS = ["key", "field", "reason"]
UNMATCHED_COLUMNS = ["recording_key", "title", "local_date", "prefix", "category_id", "status",
                     "reason"]  # fmt: skip


def _settings(resolved: dict) -> KonturRecordingsSettings:
    return settings_of(KonturRecordingsSettings, resolved)


def run_clock(logical_date=None, dag_run=None) -> datetime:
    """The run's 'now': its logical date (the schedule's tick), so a re-run decides alike;
    a manual run without one: when it was triggered."""
    moment = logical_date or getattr(dag_run, "run_after", None) or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run_folder(run_id: str):
    from include.storage import store_path

    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id or "manual")
    return store_path(DAG_ID, safe, "x").parent


def _write_text(path, text: str) -> str:
    with path.open("wb") as handle:
        handle.write(text.encode("utf-8"))
    return str(path)


def _naive(moment: datetime) -> datetime:
    """Naive UTC (the database's convention) from an aware or naive-UTC datetime."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# --- settings ------------------------------------------------------------------------


@task(retries=0)
def resolve_settings(params: dict | None = None) -> dict:
    """The run's settings (Variable `kontur_recordings` + same-named params), read once;
    a bad one fails here, naming the field."""
    return load_settings(KonturRecordingsSettings, DAG_ID, params or {}).model_dump(mode="json")


# --- poll, gate, stage ---------------------------------------------------------------


@task(execution_timeout=API_READ_TIMEOUT)
def poll_recordings(
    settings: dict, run_id: str | None = None, logical_date=None, dag_run=None, hook=None
) -> dict:
    """Read [watermark − overlap, clock) following every page; the raw entities go to the
    store."""
    from include.connectors.kontur import KonturTalkHook

    config = _settings(settings)
    db = pipelines_db()
    hook = hook or KonturTalkHook(max_pages=config.max_pages)
    mark = db.read_frame(db.query("kontur_read_watermark"))
    end = _naive(run_clock(logical_date, dag_run))
    if mark.empty:
        start, watermark = end - timedelta(days=config.initial_lookback_days), None
    else:
        watermark = mark["watermark"].iloc[0].to_pydatetime()
        start = min(watermark - timedelta(hours=config.overlap_hours), end)  # a backfill
    entities, pages = [], 0
    for page in hook.recording_pages(start, end, top=config.page_size):
        entities.extend(page)
        pages += 1
    path = _run_folder(run_id) / "entities.json"
    _write_text(path, json.dumps(entities, ensure_ascii=False))
    return {
        "entities_path": str(path),
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "previous_watermark": watermark.isoformat() if watermark else None,
        "pages": pages,
        "entities": len(entities),
        "retried": hook.retried,
    }


@task(retries=0)
def check_recordings(polled: dict, run_id: str | None = None) -> dict:
    """Schema first (include/recordings/feed.py), then the row rules, then the GX suite on
    the accepted rows. Rejects (key, field, reason) go to `rejects.csv`; they never stop
    the accepted rows. Only a poll file that is not a list of entities fails the task."""
    from include.quality import check_frame, require
    from include.recordings.feed import validate_entities
    from include.recordings.quality import accepted_expectations, entities_frame, split_rejects
    from include.storage import write_csv

    entities = json.loads(read_text(polled["entities_path"]))
    if not isinstance(entities, list):
        raise ValueError(f"{polled['entities_path']}: not a list of Kontur.Talk entities")
    now = datetime.now(UTC)
    rows, schema_rejects = validate_entities(entities, now)
    accepted, rule_rejects = split_rejects(entities_frame(rows), now)
    rejects = [r.as_dict() for r in schema_rejects]
    rejects += rule_rejects[REJECT_COLUMNS].to_dict("records")
    folder = _run_folder(run_id)
    rejects_path = None
    if rejects:
        rejects_path = str(folder / "rejects.csv")
        write_csv(
            folder / "rejects.csv",
            REJECT_COLUMNS,
            ([r[c] for c in REJECT_COLUMNS] for r in rejects),
        )
        fields = ", ".join(sorted({r["field"] for r in rejects}))
        log.warning("%d recording(s) rejected (fields: %s): see %s", len(rejects), fields,
                    rejects_path)  # fmt: skip
    _write_text(folder / "rejects.json", json.dumps(rejects, ensure_ascii=False))
    summary = "no recordings in the window"
    if len(accepted):
        suite = accepted_expectations()
        summary = require(check_frame(accepted, suite, "kontur_recordings_accepted")).summary()
    accepted_path = folder / "accepted.json"
    _write_text(
        accepted_path, accepted.to_json(orient="records", date_format="iso", force_ascii=False)
    )
    return {
        "accepted_path": str(accepted_path),
        "accepted": len(accepted),
        "rejected": len(rejects),
        "rejects_path": rejects_path,
        "rejects_json": str(folder / "rejects.json"),
        "quality": summary,
    }


@task
def stage_recordings(checked: dict, run_id: str | None = None) -> dict:
    """Upsert the accepted recordings by key and record the rejects (`feed_reject`, once
    per key; a key now accepted is resolved) in one committed transaction."""
    import pandas as pd

    from include.feed_rejects import open_rejects, record_rejects, seen_now
    from include.recordings.feed import FEED

    db = pipelines_db()
    rows = json.loads(read_text(checked["accepted_path"]))
    rejects = json.loads(read_text(checked["rejects_json"])) if checked.get("rejects_json") else []
    params = [
        {
            "recording_key": r["key"],
            "recording_id": r["id"],
            "title": r["title"][:500],
            "created_date": _naive(pd.Timestamp(r["created_date"]).to_pydatetime()),
            "created_by_email": r["created_by_email"],
            "room_name": r["room_name"],
            "participants_count": r["participants_count"],
            "size_bytes": r["size"],
            "duration_seconds": int(r["duration"]),
            "run_id": run_id or "",
        }
        for r in rows
    ]
    with db.transaction() as cursor:
        if params:
            cursor.executemany(db.query("kontur_upsert_recording"), params)
        record_rejects(
            db, cursor, FEED, rejects, run_id or "", seen_now(),
            resolved_keys=[p["recording_key"] for p in params],
        )  # fmt: skip
    return {
        "upserted": len(params),
        "rejects_recorded": len(rejects),
        "open_rejects": open_rejects(db, FEED).get(FEED, 0),
    }


@task
def record_watermark(polled: dict, _staged: dict, run_id: str | None = None) -> dict:
    """Advance the watermark to the window's end: runs only after the upsert committed."""
    db = pipelines_db()
    with db.transaction() as cursor:
        cursor.execute(
            db.query("kontur_advance_watermark"),
            {"watermark": datetime.fromisoformat(polled["window_end"]), "run_id": run_id or ""},
        )
    return {"watermark": polled["window_end"], "previous": polled["previous_watermark"]}


# --- clearing, approved by a person ---------------------------------------------------
#
# A clearing runs in three steps: `plan_clear_…` counts what would go (and whether to ask
# at all), `decide_clear_…` (a `ClearingApproval`) waits in the UI's Required actions for
# Approve or Reject, with no default, and `clear_…` clears only after an Approve. Not
# asked (the param off, nothing to clear, a dry run): the decision is skipped and the run
# never waits. No answer within `approval_timeout_minutes`: the decision ends skipped,
# nothing is cleared and the run goes on; the report says so.


def _timeout_text(config: KonturRecordingsSettings) -> str:
    minutes = config.approval_timeout_minutes
    if minutes >= 60 and minutes % 60 == 0:
        return _plural(int(minutes // 60), "hour")
    return _plural(int(minutes), "minute") if minutes == int(minutes) else f"{minutes} minutes"


def _plural(count: int, noun: str) -> str:
    from include.reporting import plural

    return plural(count, noun)


def _course_lines(per_course: dict[int, int], noun: str) -> list[str]:
    """`- <fullname> (id 12): 3 recordings`, at most LISTED_COURSES of them; names from
    Moodle (a course gone from Moodle shows its id only)."""
    shown = sorted(per_course)[:LISTED_COURSES]
    names = {}
    if shown:
        courses = moodle_db().read_frame("recordings_courses")
        names = {int(i): n for i, n in zip(courses["id"], courses["fullname"], strict=True)}
    lines = [
        f"- {names.get(c, '(not in Moodle)')} (id {c}): {_plural(per_course[c], noun)}"
        for c in shown
    ]
    if len(per_course) > len(shown):
        lines.append(f"- … and {_plural(len(per_course) - len(shown), 'more course')}")
    return lines


def _approval_footer(config: KonturRecordingsSettings) -> str:
    return (
        f"**Approve** clears; **Reject**, or no answer within {_timeout_text(config)}, "
        "clears nothing (there is no default)."
    )


@task
def plan_clear_journal(settings: dict, _watermark: dict, params: dict | None = None) -> dict:
    """What clearing the publication journal would delete, and whether to ask: only with
    the param `clear_journal`, outside a dry run, and with a journal to clear."""
    params = params or {}
    if not params.get("clear_journal"):
        return {"requested": False, "ask": False, "outcome": "not asked"}
    config, db = _settings(settings), pipelines_db()
    per_course_frame = db.read_frame(db.query("kontur_journal_by_course"))
    per_course = {
        int(c): int(n)
        for c, n in zip(per_course_frame["course_id"], per_course_frame["recordings"], strict=True)
    }
    rows, days = sum(per_course.values()), len(db.read_frame(db.query("kontur_published_dates")))
    plan = {"requested": True, "rows": rows, "days": days, "courses": len(per_course)}
    if params.get("dry_run"):
        return plan | {"ask": False, "outcome": f"dry run: would clear {_plural(rows, 'row')}"}
    if not rows and not days:
        return plan | {"ask": False, "outcome": "the journal is empty: nothing to clear"}
    body = "\n".join(
        [
            "**Clear the publication journal of `kontur_recordings`?**",
            "",
            f"- {_plural(rows, 'journal row')} (table `kontur_publication`) in "
            f"{_plural(len(per_course), 'course')}, and {_plural(days, 'published day')} "
            "(table `kontur_publication_day`) will be deleted.",
            "- The URL activities stay in Moodle: their markers (`ktalk:<key>`) keep them "
            "from being published twice; the next publication adopts them into the journal "
            "again (an activity removed by *clear sections* is published again).",
            "",
            "Courses:",
            *_course_lines(per_course, "recording"),
            "",
            _approval_footer(config),
        ]
    )
    return plan | {"ask": True, "body": body}


def _answer_outcome(plan: dict, approval: dict | None, timeout: str) -> tuple[bool, str]:
    """(clear?, what the report says) from the plan and the decision's result (None: the
    decision was skipped, i.e. not asked or not answered in time)."""
    if not plan.get("ask"):
        return False, plan.get("outcome", "not asked")
    if approval is None or approval.get("timed_out"):
        return False, f"no answer within {timeout}: nothing cleared"
    who = f"{approval.get('by') or 'unknown'} at {approval.get('at')}"
    if not approval.get("approved"):
        return False, f"rejected by {who}: nothing cleared"
    return True, f"approved by {who}"


@task(trigger_rule="none_failed")
def clear_journal(settings: dict, plan: dict, approval: dict | None = None) -> dict:
    """Empty the publication journal (and the published days), only after an Approve of
    `decide_clear_journal`. Activities in Moodle stay; their markers keep them from
    being published twice."""
    config = _settings(settings)
    clear, outcome = _answer_outcome(plan, approval, _timeout_text(config))
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
    log.warning("publication journal cleared: %s, %s", _plural(cleared, "row"), outcome)
    return result | {"cleared": cleared, "outcome": f"{_plural(cleared, 'row')} cleared, {outcome}"}


class ClearingApproval(HITLOperator):
    """Approve or Reject a clearing (`decide_clear_…`), with no default.

    Reads the plan of `plan_task_id`: not to be asked, it skips itself at once (the run
    never waits); else it shows the plan's Markdown body in Required actions, mails the
    people who answer (`approval_waiting_notifier`), and waits the settings'
    `approval_timeout_minutes`. It returns `{approved, answer, by, at}`; it never skips
    or fails what follows on Reject (the clearing task reads the answer). No answer in
    time: the task ends skipped, its log saying nothing was cleared. Every outcome, a
    skip too, leaves the XCom `answer`, so the clearing task never asks for one that is
    not there (the task SDK logs such a miss as an error)."""

    def __init__(self, *, plan_task_id: str, **kwargs) -> None:
        kwargs.setdefault("notifiers", [approval_waiting_notifier()])
        kwargs["retries"] = 0  # a retry would ask again
        # set per run from the settings (execute); given here so that the task's
        # execution_timeout is not taken for the response timeout
        kwargs.setdefault("response_timeout", timedelta(minutes=DEFAULT_APPROVAL_MINUTES))
        super().__init__(options=[APPROVE, REJECT], multiple=False, defaults=None, **kwargs)
        self.plan_task_id = plan_task_id

    def execute(self, context):
        from airflow.sdk.exceptions import AirflowSkipException

        ti = context["ti"]
        plan = ti.xcom_pull(task_ids=self.plan_task_id) or {}
        if not plan.get("ask"):
            ti.xcom_push(ANSWER_KEY, {"asked": False})
            raise AirflowSkipException(f"nothing to decide: {plan.get('outcome', 'not asked')}")
        config = _settings(ti.xcom_pull(task_ids="resolve_settings"))
        self.body = plan["body"]
        self.response_timeout = timedelta(minutes=config.approval_timeout_minutes)
        self._timeout_text = _timeout_text(config)
        return super().execute(context)

    def execute_complete(self, context, event: dict):
        from airflow.sdk.exceptions import AirflowSkipException

        if event.get("error_type") == "timeout":
            context["ti"].xcom_push(ANSWER_KEY, {"asked": True, "timed_out": True})
            log.warning("no answer within the response timeout: nothing will be cleared")
            raise AirflowSkipException("no answer within the response timeout: nothing cleared")
        answered = super().execute_complete(context, event)
        chosen = answered["chosen_options"][0]
        user = answered.get("responded_by_user")
        name = user.get("name") if isinstance(user, dict) else getattr(user, "name", None)
        moment = answered.get("responded_at")
        at = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else None
        log.info("%s by %s at %s", chosen, name, at)
        answer = {"asked": True, "approved": chosen == APPROVE, "answer": chosen, "by": name,
                  "at": at}  # fmt: skip
        context["ti"].xcom_push(ANSWER_KEY, answer)
        return answer


@task
def decide_publication(
    settings: dict, _cleared: dict, params: dict | None = None, logical_date=None, dag_run=None
) -> dict:
    """The once-a-day gate (include/recordings/gate.py) over the journal of published days."""
    from include.recordings.gate import decide_publication as decide

    config, params = _settings(settings), params or {}
    db = pipelines_db()
    days = db.read_frame(db.query("kontur_published_dates"))
    decision = decide(
        run_clock(logical_date, dag_run),
        auto_publish=config.auto_publish,
        publish_at=config.publish_at,
        timezone=config.timezone,
        published_dates={str(d) for d in days["local_date"]} if len(days) else set(),
        publish_now=bool(params.get("publish_now")),
    )
    log.info("publication gate: %s (%s)", decision.publish, decision.reason)
    return decision.as_dict() | {"dry_run": bool(params.get("dry_run"))}


# --- plan, publish, archive, clear ---------------------------------------------------


@task
def plan_publication(settings: dict, decision: dict, run_id: str | None = None) -> dict:
    """Route, match and place every unpublished recording; unmatched ones go to a CSV."""
    from include.connectors.kontur import KonturTalkHook
    from include.recordings.placement import place_courses
    from include.recordings.routing import plan_publication as plan
    from include.recordings.routing import viewer_url_builder
    from include.storage import write_csv

    if not decision["publish"]:
        return {"planned": False, "reason": decision["reason"]}
    config = _settings(settings)
    db, moodle = pipelines_db(), moodle_db()
    candidates = db.read_frame(db.query("kontur_publication_candidates"))
    categories = moodle.read_frame("recordings_categories")
    courses = moodle.read_frame("recordings_courses")
    started = time.perf_counter()
    planned = plan(
        candidates,
        categories,
        courses,
        prefix_routes=config.prefix_routes,
        default_prefix=config.default_prefix,
        default_category_id=config.default_category_id,
        threshold_date=config.threshold_date,
        timezone=config.timezone,
        viewer_url=viewer_url_builder(config.viewer_url_template, KonturTalkHook().space_url),
    )
    match_seconds = time.perf_counter() - started
    publish = planned["status"] == "publish"
    course_ids = sorted({int(c) for c in planned.loc[publish, "course_id"]})
    sections = []
    if course_ids:
        ids = ",".join(map(str, course_ids))
        sections = moodle.read_frame("recordings_sections", {"course_ids": ids}).to_dict("records")
    places = place_courses(course_ids, sections, config.min_section, config.recordings_section_name)
    planned["section_number"] = [
        places[int(c)].section_number if s == "publish" else None
        for c, s in zip(planned["course_id"], planned["status"], strict=True)
    ]
    folder = _run_folder(run_id)
    plan_path = folder / "plan.json"
    _write_text(plan_path, planned.to_json(orient="records", date_format="iso", force_ascii=False))
    unreported = planned[planned["status"].isin(["unmatched", "ambiguous"])]
    unmatched_path = None
    if len(unreported):
        unmatched_path = str(folder / "unmatched.csv")
        rows = unreported[UNMATCHED_COLUMNS].itertuples(index=False)
        write_csv(folder / "unmatched.csv", UNMATCHED_COLUMNS, rows)
    counts = planned["status"].value_counts().to_dict()
    return {
        "planned": True,
        "plan_path": str(plan_path),
        "unmatched_path": unmatched_path,
        "counts": {k: int(v) for k, v in counts.items()},
        "new_sections": sum(1 for place in places.values() if place.create),
        "match_seconds": round(match_seconds, 3),
    }


@task(execution_timeout=HEAVY_TIMEOUT, pool="moodle_db_writer", outlets=[KONTUR_PUBLISHED])
def publish_recordings(
    settings: dict,
    decision: dict,
    planned: dict,
    run_id: str | None = None,
    outlet_events=None,
    writer=None,
) -> dict:
    """Write each planned recording as a URL activity (one Moodle transaction each), then
    its journal row; a marker already in Moodle is adopted, never duplicated. A day
    published emits `kontur_publications` through its alias (not outside a task run)."""
    from include.assets import KONTUR_PUBLICATIONS, emit_through, kontur_publication_extra

    if not planned.get("planned"):
        published = {"published": 0, "adopted": 0, "skipped": planned.get("reason", "not due")}
    else:
        published = publish_planned(
            _settings(settings), decision, planned, run_id or "", writer or module_writer()
        )
    if outlet_events is not None and (extra := kontur_publication_extra(decision, published)):
        emit_through(KONTUR_PUBLISHED, KONTUR_PUBLICATIONS, extra)
    return published


@task(pool="moodle_db_writer")
def publish_archive_pages(
    settings: dict, decision: dict, published: dict, params: dict | None = None, writer=None
) -> dict:
    """One Page activity per course listing every published recording; rebuilt in place
    (every course's with the param `build_archive`, else the courses just published)."""
    if decision.get("dry_run"):
        return {"pages": 0, "dry_run": True}
    db = pipelines_db()
    if (params or {}).get("build_archive"):
        frame = db.read_frame(db.query("kontur_published_courses"))
        course_ids = [int(c) for c in frame["course_id"]]
    else:
        course_ids = list(published.get("course_ids") or [])
    if not course_ids:
        return {"pages": 0, "created": 0, "updated": 0, "unchanged": 0}
    return write_archive_pages(_settings(settings), db, course_ids, writer or module_writer())


@task
def plan_clear_sections(
    settings: dict, _archive: dict, params: dict | None = None, logical_date=None, dag_run=None
) -> dict:
    """What `clear_sections` would remove (recording activities older than
    `clear_after_days`), and whether to ask: only with the param, outside a dry run, and
    with something to remove."""
    from zoneinfo import ZoneInfo

    params = params or {}
    if not params.get("clear_sections"):
        return {"requested": False, "ask": False, "outcome": "not asked"}
    config, db = _settings(settings), pipelines_db()
    local_now = run_clock(logical_date, dag_run).astimezone(ZoneInfo(config.timezone))
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
            f"- {_plural(len(due), 'URL activity')} published before "
            f"{cutoff} (older than {_plural(config.clear_after_days, 'day')}) in "
            f"{_plural(len(per_course), 'course')} will be deleted through "
            "`core_course_delete_modules`.",
            "- The journal keeps them: each course's archive page still lists them.",
            "",
            "Courses:",
            *_course_lines(per_course, "activity"),
            "",
            _approval_footer(config),
        ]
    )
    return plan | {"ask": True, "body": body}


@task(pool="moodle_ws", trigger_rule="none_failed")
def clear_sections(settings: dict, plan: dict, approval: dict | None = None) -> dict:
    """After an Approve of `decide_clear_sections`: remove the recording activities older
    than the plan's cut-off through `core_course_delete_modules`; the journal keeps them,
    so the archive page still lists them."""
    from include.connectors.hooks import moodle_ws

    config = _settings(settings)
    clear, outcome = _answer_outcome(plan, approval, _timeout_text(config))
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
        "outcome": f"{_plural(cleared, 'activity')} removed, {outcome}",
    }


# --- report --------------------------------------------------------------------------


@task
def report_kontur_recordings(*results: dict) -> dict:
    """The run's summary and report row (`report_line`)."""
    from include.reporting import record_run_report

    return record_run_report(get_current_context(), *report_line(*results))


def report_line(
    polled: dict,
    checked: dict,
    decision: dict,
    planned: dict,
    published: dict,
    archive: dict,
    cleared: dict,
    staged: dict | None = None,
    journal: dict | None = None,
) -> tuple[str, dict, dict]:
    """(summary, counts, outputs) of the run report; open feed rejects are named in every
    run's summary until the source fixes them; a clearing asked for says what became of
    it (who approved it and when, rejected, not answered in time)."""
    from include.reporting import plural

    counts = {
        "pages": polled["pages"],
        "polled": polled["entities"],
        "accepted": checked["accepted"],
        "rejected": checked["rejected"],
        "publish": decision["publish"],
        "published": published.get("published", 0),
        "adopted": published.get("adopted", 0),
        "archive_pages": archive.get("pages", 0),
        "cleared": cleared.get("cleared", 0),
        "journal_cleared": (journal or {}).get("cleared", 0),
        "open_rejects": (staged or {}).get("open_rejects", 0),
    }
    counts |= {f"plan_{k}": v for k, v in (planned.get("counts") or {}).items()}
    summary = (
        f"polled {plural(polled['entities'], 'recording')} in {plural(polled['pages'], 'page')}, "
        f"{checked['rejected']} rejected; publication: {decision['reason']}"
    )
    if counts["open_rejects"]:
        summary += (
            f"; {plural(counts['open_rejects'], 'rejected recording')} still open in "
            "feed_reject (kontur_recordings) until Kontur.Talk sends them valid"
        )
    if decision["publish"]:
        summary += (
            f"; published {counts['published']}, adopted {counts['adopted']}, "
            f"unmatched {counts.get('plan_unmatched', 0)}, "
            f"ambiguous {counts.get('plan_ambiguous', 0)}"
            + (" (dry run: nothing written)" if decision.get("dry_run") else "")
        )
    for label, clearing in (("journal", journal or {}), ("sections", cleared)):
        if clearing.get("requested"):
            summary += f"; clear {label}: {clearing.get('outcome', 'done')}"
    outputs = {
        "rejects": checked.get("rejects_path"),
        "plan": planned.get("plan_path"),
        "unmatched": planned.get("unmatched_path"),
    }
    return summary, counts, {k: v for k, v in outputs.items() if v}
