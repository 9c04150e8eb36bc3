"""The task bodies of `kontur_recordings`: connectors in, pure functions in the middle.

Each function takes plain values (settings dict, the run's clock and id) and
returns a small JSON-able dict for XCom; frames travel through the store
(`kontur_recordings/<run>/…`) and the project database.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta

from include.config import KonturRecordingsSettings, SettingsError, load_settings, parse_settings

log = logging.getLogger(__name__)

DAG_ID = "kontur_recordings"
MARKER_PREFIX = "ktalk:"
ARCHIVE_MARKER = "ktalk-archive"
CLEAR_CONFIRMATION = "CLEAR"


# --- database hooks ------------------------------------------------------------------
def pipelines_db():
    from include.connectors.pipelines_db import PipelinesDbHook

    return PipelinesDbHook()


def moodle_db():
    from include.connectors.moodle_db import MoodleDbHook

    return MoodleDbHook()


def module_writer():
    from include.connectors.moodle_modules import MoodleModuleWriter

    return MoodleModuleWriter(moodle_db())


# --- settings and clock --------------------------------------------------------------
def check_settings(params: dict) -> dict:
    """The validated settings (Variable + same-named params); a bad one fails at once."""
    settings = load_settings(KonturRecordingsSettings, DAG_ID, overrides=params)
    if params.get("clear_journal") and params.get("confirm_clear_journal") != CLEAR_CONFIRMATION:
        raise SettingsError(
            "confirm_clear_journal: clearing the publication journal needs the param "
            f"confirm_clear_journal = {CLEAR_CONFIRMATION!r}"
        )
    return settings.model_dump(mode="json")


def settings_of(stored: dict) -> KonturRecordingsSettings:
    return parse_settings(KonturRecordingsSettings, stored)


def run_clock(logical_date, run_after=None) -> datetime:
    """The run's 'now': its logical date (the schedule's tick), so a re-run decides alike."""
    moment = logical_date or run_after or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run_folder(run_id: str):
    from include.storage import store_path

    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)
    return store_path(DAG_ID, safe, "x").parent


def _write_text(path, text: str) -> str:
    with path.open("wb") as handle:
        handle.write(text.encode("utf-8"))
    return str(path)


def _read_text(path_text: str) -> str:
    import os

    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(path_text, conn_id=os.environ.get("PIPELINES_STORE_CONN_ID") or None)
    with path.open("rb") as handle:
        return handle.read().decode("utf-8")


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _naive(moment: datetime) -> datetime:
    """Naive UTC (the database's convention) from an aware or naive-UTC datetime."""
    return _naive_utc(moment) if moment.tzinfo else moment


# --- poll ----------------------------------------------------------------------------
def poll_recordings(stored: dict, clock: datetime, run_id: str, hook=None, db=None) -> dict:
    """Read [watermark − overlap, clock) following every page; the raw entities go to the store."""
    from include.connectors.kontur import KonturTalkHook

    settings = settings_of(stored)
    db = db or pipelines_db()
    hook = hook or KonturTalkHook(max_pages=settings.max_pages)
    mark = db.read_frame(db.query("kontur_read_watermark"))
    end = _naive_utc(clock)
    if mark.empty:
        start = end - timedelta(days=settings.initial_lookback_days)
        watermark = None
    else:
        watermark = mark["watermark"].iloc[0].to_pydatetime()
        start = min(watermark - timedelta(hours=settings.overlap_hours), end)  # a backfill
    entities, pages = [], 0
    for page in hook.recording_pages(start, end, top=settings.page_size):
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


# --- data-quality gate ---------------------------------------------------------------
REJECT_COLUMNS = ["key", "field", "reason"]


def check_recordings(polled: dict, run_id: str) -> dict:
    """Schema first (include/recordings/feed.py), then the row rules, then the GX suite on
    the accepted rows. Rejects (key, field, reason) go to `rejects.csv`; they never stop the
    accepted rows. Only a poll file that is not a list of entities fails the task."""
    from include.quality import check_frame, require
    from include.recordings.feed import validate_entities
    from include.recordings.quality import accepted_expectations, entities_frame, split_rejects
    from include.storage import write_csv

    entities = json.loads(_read_text(polled["entities_path"]))
    if not isinstance(entities, list):
        raise ValueError(f"{polled['entities_path']}: not a list of Kontur.Talk entities")
    now = datetime.now(UTC)
    rows, schema_rejects = validate_entities(entities, now)
    accepted, rule_rejects = split_rejects(entities_frame(rows), now)
    rejects = [r.as_dict() for r in schema_rejects] + rule_rejects[REJECT_COLUMNS].to_dict(
        "records"
    )
    folder = _run_folder(run_id)
    rejects_path = None
    if rejects:
        rejects_path = str(folder / "rejects.csv")
        write_csv(
            folder / "rejects.csv",
            REJECT_COLUMNS,
            ([r[c] for c in REJECT_COLUMNS] for r in rejects),
        )
        by_field = sorted({r["field"] for r in rejects})
        log.warning(
            "%d recording(s) rejected (fields: %s): see %s",
            len(rejects),
            ", ".join(by_field),
            rejects_path,
        )
    _write_text(folder / "rejects.json", json.dumps(rejects, ensure_ascii=False))
    summary = "no recordings in the window"
    if len(accepted):
        summary = require(
            check_frame(accepted, accepted_expectations(), "kontur_recordings_accepted")
        ).summary()
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


# --- stage and watermark -------------------------------------------------------------
def stage_recordings(checked: dict, run_id: str, db=None) -> dict:
    """Upsert the accepted recordings by key and record the rejects (`feed_reject`, once
    per key; a key now accepted is resolved) in one committed transaction."""
    import pandas as pd

    from include.feed_rejects import open_rejects, record_rejects, seen_now
    from include.recordings.feed import FEED

    db = db or pipelines_db()
    rows = json.loads(_read_text(checked["accepted_path"]))
    rejects = json.loads(_read_text(checked["rejects_json"])) if checked.get("rejects_json") else []
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
            "run_id": run_id,
        }
        for r in rows
    ]
    with db.transaction() as cursor:
        if params:
            cursor.executemany(db.query("kontur_upsert_recording"), params)
        record_rejects(
            db,
            cursor,
            FEED,
            rejects,
            run_id,
            seen_now(),
            resolved_keys=[p["recording_key"] for p in params],
        )
    return {
        "upserted": len(params),
        "rejects_recorded": len(rejects),
        "open_rejects": open_rejects(db, FEED).get(FEED, 0),
    }


def record_watermark(polled: dict, run_id: str, db=None) -> dict:
    """Advance the watermark to the window's end: runs only after the upsert committed."""

    db = db or pipelines_db()
    with db.transaction() as cursor:
        cursor.execute(
            db.query("kontur_advance_watermark"),
            {"watermark": datetime.fromisoformat(polled["window_end"]), "run_id": run_id},
        )
    return {"watermark": polled["window_end"], "previous": polled["previous_watermark"]}


# --- journal clearing and the gate ---------------------------------------------------
def clear_journal(params: dict, db=None) -> dict:
    """Empty the publication journal (and the published days), when asked and confirmed.
    Activities in Moodle stay; their markers keep them from being published twice."""

    if not params.get("clear_journal"):
        return {"cleared": 0, "requested": False}
    if params.get("confirm_clear_journal") != CLEAR_CONFIRMATION:  # check_settings failed already
        raise SettingsError("confirm_clear_journal: not confirmed")
    db = db or pipelines_db()
    with db.transaction() as cursor:
        cursor.execute(db.query("kontur_clear_journal"))
        cleared = cursor.rowcount
        cursor.execute(db.query("kontur_clear_days"))
    log.warning("publication journal cleared: %d row(s)", cleared)
    return {"cleared": cleared, "requested": True}


def decide_publication(stored: dict, params: dict, clock: datetime, db=None) -> dict:
    """The once-a-day gate (include/recordings/gate.py) over the journal of published days."""
    from include.recordings.gate import decide_publication as decide

    settings = settings_of(stored)
    db = db or pipelines_db()
    days = db.read_frame(db.query("kontur_published_dates"))
    decision = decide(
        clock,
        auto_publish=settings.auto_publish,
        publish_at=settings.publish_at,
        timezone=settings.timezone,
        published_dates={str(d) for d in days["local_date"]} if len(days) else set(),
        publish_now=bool(params.get("publish_now")),
    )
    log.info("publication gate: %s (%s)", decision.publish, decision.reason)
    return decision.as_dict() | {"dry_run": bool(params.get("dry_run"))}


# --- plan ----------------------------------------------------------------------------
def plan_publication(
    stored: dict, decision: dict, run_id: str, db=None, moodle=None, base_url=None
) -> dict:
    """Route, match and place every unpublished recording; unmatched ones go to a CSV."""
    from include.recordings.placement import choose_section
    from include.recordings.routing import plan_publication as plan
    from include.recordings.routing import viewer_url_builder
    from include.storage import write_csv

    if not decision["publish"]:
        return {"planned": False, "reason": decision["reason"]}
    settings = settings_of(stored)
    db, moodle = db or pipelines_db(), moodle or moodle_db()
    if base_url is None:
        from include.connectors.kontur import KonturTalkHook

        base_url = KonturTalkHook().space_url
    candidates = db.read_frame(db.query("kontur_publication_candidates"))
    categories = moodle.read_frame("recordings_categories")
    courses = moodle.read_frame("recordings_courses")
    started = time.perf_counter()
    planned = plan(
        candidates,
        categories,
        courses,
        prefix_routes=settings.prefix_routes,
        default_prefix=settings.default_prefix,
        default_category_id=settings.default_category_id,
        threshold_date=settings.threshold_date,
        timezone=settings.timezone,
        viewer_url=viewer_url_builder(settings.viewer_url_template, base_url),
    )
    match_seconds = time.perf_counter() - started
    to_publish = planned[planned["status"] == "publish"].copy()
    course_ids = sorted({int(c) for c in to_publish["course_id"]})
    sections = (
        moodle.read_frame("recordings_sections", {"course_ids": ",".join(map(str, course_ids))})
        if course_ids
        else None
    )
    numbers: dict[int, tuple[int, bool]] = {}
    for course_id in course_ids:
        rows = sections[sections["course"] == course_id].to_dict("records")
        place = choose_section(rows, settings.min_section, settings.recordings_section_name)
        numbers[course_id] = (place.section_number, place.create)
    planned["section_number"] = [
        numbers[int(c)][0] if s == "publish" else None
        for c, s in zip(planned["course_id"], planned["status"], strict=True)
    ]
    folder = _run_folder(run_id)
    plan_path = folder / "plan.json"
    _write_text(plan_path, planned.to_json(orient="records", date_format="iso", force_ascii=False))
    unreported = planned[planned["status"].isin(["unmatched", "ambiguous"])]
    unmatched_path = None
    if len(unreported):
        unmatched_path = str(folder / "unmatched.csv")
        write_csv(
            folder / "unmatched.csv",
            ["recording_key", "title", "local_date", "prefix", "category_id", "status", "reason"],
            unreported[
                [
                    "recording_key",
                    "title",
                    "local_date",
                    "prefix",
                    "category_id",
                    "status",
                    "reason",
                ]
            ].itertuples(index=False),
        )
    counts = planned["status"].value_counts().to_dict()
    return {
        "planned": True,
        "plan_path": str(plan_path),
        "unmatched_path": unmatched_path,
        "counts": {k: int(v) for k, v in counts.items()},
        "new_sections": sum(1 for _, create in numbers.values() if create),
        "match_seconds": round(match_seconds, 3),
    }


# --- publish -------------------------------------------------------------------------
def publish_recordings(
    stored: dict, decision: dict, planned: dict, run_id: str, db=None, writer=None
) -> dict:
    """Write each planned recording as a URL activity (one Moodle transaction each),
    then its journal row; a marker already in Moodle is adopted, never duplicated."""

    if not planned.get("planned"):
        return {"published": 0, "adopted": 0, "skipped": planned.get("reason", "not due")}
    rows = [r for r in json.loads(_read_text(planned["plan_path"])) if r["status"] == "publish"]
    if decision.get("dry_run"):
        return {"published": 0, "adopted": 0, "dry_run": True, "would_publish": len(rows)}
    settings = settings_of(stored)
    db, writer = db or pipelines_db(), writer or module_writer()
    started, published, adopted = time.perf_counter(), 0, 0
    statements_before = writer.statements
    for row in rows:
        written = writer.add_url(
            int(row["course_id"]),
            int(row["section_number"]),
            settings.recordings_section_name,
            f"{MARKER_PREFIX}{row['recording_key']}",
            row["activity_name"],
            row["viewer_url"],
        )
        with db.transaction() as cursor:
            cursor.execute(
                db.query("kontur_journal_insert"),
                {
                    "recording_key": row["recording_key"],
                    "course_id": int(row["course_id"]),
                    "cmid": written.cmid,
                    "section_number": int(row["section_number"]),
                    "activity_name": row["activity_name"][:255],
                    "title": row["title"][:500],
                    "viewer_url": row["viewer_url"],
                    "local_date": row["local_date"],
                    "adopted": 0 if written.created else 1,
                    "published_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
                    "run_id": run_id,
                },
            )
        published += written.created
        adopted += not written.created
    with db.transaction() as cursor:
        cursor.execute(
            db.query("kontur_record_day"),
            {
                "local_date": decision["local_date"],
                "run_id": run_id,
                "published": published,
                "finished_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
            },
        )
    statements = writer.statements - statements_before
    return {
        "published": published,
        "adopted": adopted,
        "courses": len({r["course_id"] for r in rows}),
        "course_ids": sorted({int(r["course_id"]) for r in rows}),
        "statements": statements,
        "statements_per_activity": round(statements / len(rows), 1) if rows else 0,
        "publish_seconds": round(time.perf_counter() - started, 3),
    }


# --- archive page and clearing sections ----------------------------------------------
def build_archive_pages(
    stored: dict, decision: dict, published: dict, rebuild_all: bool, db=None, writer=None
) -> dict:
    """One Page activity per course listing every published recording; rebuilt in place."""
    from include.recordings.archive import archive_page_html

    if decision.get("dry_run"):
        return {"pages": 0, "dry_run": True}
    db = db or pipelines_db()
    if rebuild_all:
        course_ids = [
            int(c) for c in db.read_frame(db.query("kontur_published_courses"))["course_id"]
        ]
    else:
        course_ids = list(published.get("course_ids") or [])
    if not course_ids:
        return {"pages": 0, "created": 0, "updated": 0, "unchanged": 0}
    settings = settings_of(stored)
    writer = writer or module_writer()
    entries = db.read_frame(
        db.query("kontur_archive_entries"), {"course_ids": ",".join(map(str, course_ids))}
    )
    created = updated = unchanged = 0
    for course_id, group in entries.groupby("course_id"):
        html = archive_page_html(
            [
                {"local_date": str(r.local_date), "title": r.title, "viewer_url": r.viewer_url}
                for r in group.itertuples(index=False)
            ]
        )
        written = writer.put_page(
            int(course_id),
            int(group["section_number"].min()),
            settings.recordings_section_name,
            ARCHIVE_MARKER,
            settings.archive_page_name,
            html,
        )
        created += written.created
        updated += written.updated
        unchanged += not (written.created or written.updated)
    return {
        "pages": created + updated + unchanged,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
    }


def clear_sections(
    stored: dict, requested: bool, dry_run: bool, clock: datetime, db=None, moodle_ws=None
) -> dict:
    """Remove recording activities older than `clear_after_days` from the sections through
    `core_course_delete_modules`; the journal keeps them, so the archive page still lists them."""
    from zoneinfo import ZoneInfo

    from include.connectors.moodle_ws import MoodleWsError, MoodleWsHook

    if not requested:
        return {"cleared": 0, "requested": False}
    settings = settings_of(stored)
    db = db or pipelines_db()
    cutoff = (
        clock.astimezone(ZoneInfo(settings.timezone)) - timedelta(days=settings.clear_after_days)
    ).date()
    due = db.read_frame(db.query("kontur_clear_candidates"), {"cutoff": cutoff})
    if dry_run or due.empty:
        return {"cleared": 0, "would_clear": len(due), "requested": True, "cutoff": str(cutoff)}
    moodle_ws = moodle_ws or MoodleWsHook()
    cleared = missing = 0
    for start in range(0, len(due), 50):
        batch = due.iloc[start : start + 50]
        try:
            moodle_ws.call("core_course_delete_modules", {"cmids": [int(c) for c in batch["cmid"]]})
            gone = list(batch["recording_key"])
        except MoodleWsError as exc:
            if exc.errorcode != "invalidcoursemodule":
                raise
            gone = []  # one was removed by hand already: delete one by one
            for row in batch.itertuples(index=False):
                try:
                    moodle_ws.call("core_course_delete_modules", {"cmids": [int(row.cmid)]})
                except MoodleWsError as single:
                    if single.errorcode != "invalidcoursemodule":
                        raise
                    missing += 1
                gone.append(row.recording_key)
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        with db.transaction() as cursor:
            cursor.executemany(
                db.query("kontur_mark_cleared"),
                [{"recording_key": key, "cleared_at": now} for key in gone],
            )
        cleared += len(gone)
    return {"cleared": cleared, "already_gone": missing, "requested": True, "cutoff": str(cutoff)}


def report_line(
    polled: dict,
    checked: dict,
    decision: dict,
    planned: dict,
    published: dict,
    archive: dict,
    cleared: dict,
    staged: dict | None = None,
) -> tuple[str, dict, dict]:
    """(summary, counts, outputs) of the run report; open feed rejects are named in every
    run's summary until the source fixes them."""
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
        "open_rejects": (staged or {}).get("open_rejects", 0),
    }
    counts |= {f"plan_{k}": v for k, v in (planned.get("counts") or {}).items()}
    from include.reporting import plural

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
    outputs = {
        "rejects": checked.get("rejects_path"),
        "plan": planned.get("plan_path"),
        "unmatched": planned.get("unmatched_path"),
    }
    return summary, counts, {k: v for k, v in outputs.items() if v}
