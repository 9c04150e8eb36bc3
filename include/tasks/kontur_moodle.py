"""The Moodle side of `kontur_recordings`' tasks (include/tasks/kontur_recordings.py):
the publication plan (routed, matched and placed in Moodle's courses), URL activities
and their journal rows, the archive pages (both written set-based, by chunks), deleting
old activities."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from include.config import KonturRecordingsSettings
from include.connectors.hooks import moodle_db, pipelines_db
from include.tasks.kontur_feed import read_text, run_folder, write_text

log = logging.getLogger(__name__)

MARKER_PREFIX = "ktalk:"
# Activities per Moodle transaction: ~16 statements a chunk whatever its size, so 500
# keeps a run of 2 000 recordings at a few dozen statements and a transaction short.
PUBLISH_CHUNK = 500
JOURNAL_STATEMENT_BYTES = 512 * 1024  # a multi-row journal insert well under any packet
ARCHIVE_MARKER = "ktalk-archive"
UNMATCHED_COLUMNS = ["recording_key", "title", "local_date", "prefix", "category_id", "status",
                     "reason"]  # fmt: skip


def module_writer():
    """The one direct writer of Moodle's course modules, on Moodle's database."""
    from include.connectors.moodle_modules import MoodleModuleWriter

    return MoodleModuleWriter(moodle_db())


def plan_courses(config: KonturRecordingsSettings, run_id: str | None) -> dict:
    """Route, match and place every unpublished recording (include/recordings/routing.py,
    placement.py); the plan to the store, the unmatched and ambiguous ones to a CSV."""
    from include.connectors.kontur import KonturTalkHook
    from include.recordings.placement import place_courses
    from include.recordings.routing import plan_publication as plan
    from include.recordings.routing import viewer_url_builder
    from include.storage import write_csv

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
    folder = run_folder(run_id)
    plan_path = folder / "plan.json"
    write_text(plan_path, planned.to_json(orient="records", date_format="iso", force_ascii=False))
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


def publish_planned(config, decision: dict, planned: dict, run_id: str, writer) -> dict:
    """Write the planned recordings as URL activities, set-based: chunks of
    `PUBLISH_CHUNK`, each one Moodle transaction (include/connectors/moodle_modules.py)
    and then one multi-row insert of its journal rows. A marker already in Moodle is
    adopted, never duplicated; a malformed recording goes to `publish_rejects.csv` with
    its reason and never stops the others."""
    from include.connectors.moodle_modules import Activity

    rows = [r for r in json.loads(read_text(planned["plan_path"])) if r["status"] == "publish"]
    if decision.get("dry_run"):
        return {"published": 0, "adopted": 0, "dry_run": True, "would_publish": len(rows)}
    db = pipelines_db()
    started, published, adopted, journal_statements = time.perf_counter(), 0, 0, 0
    statements_before = writer.statements
    rejects, by_marker = [], {}
    for row in rows:
        try:
            activity = Activity(
                int(row["course_id"]), int(row["section_number"]),
                config.recordings_section_name, f"{MARKER_PREFIX}{row['recording_key']}",
                _text(row, "activity_name"), _text(row, "viewer_url"),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as error:
            rejects.append((row.get("recording_key"), row.get("course_id"), f"malformed: {error}"))
            continue
        by_marker[(activity.course_id, activity.idnumber)] = (activity, row)
    activities = sorted((a for a, _ in by_marker.values()), key=lambda a: a.course_id)
    for chunk in _chunks(activities):
        result = writer.write_urls(chunk)
        rejects += [(by_marker[_key(r.activity)][1]["recording_key"], r.activity.course_id,
                     r.reason) for r in result.rejected]  # fmt: skip
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        journal = [_journal_row(by_marker[(w.course_id, w.idnumber)][1], w, now, run_id)
                   for w in result.written]  # fmt: skip
        if journal:
            with db.transaction() as cursor:
                cursor.max_stmt_length = JOURNAL_STATEMENT_BYTES
                cursor.executemany(db.query("kontur_journal_insert"), journal)
            journal_statements += 1
        published += sum(w.created for w in result.written)
        adopted += sum(not w.created for w in result.written)
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
    valid = [row for _, row in by_marker.values()]
    return {
        "published": published,
        "adopted": adopted,
        "rejected": len(rejects),
        "rejects_path": _write_rejects(run_id, "publish_rejects.csv", rejects),
        "courses": len({r["course_id"] for r in valid}),
        "course_ids": sorted({int(r["course_id"]) for r in valid}),
        "chunks": -(-len(activities) // PUBLISH_CHUNK),
        "statements": statements,
        "journal_statements": journal_statements + 1,
        "statements_per_activity": round(statements / len(rows), 3) if rows else 0,
        "publish_seconds": round(time.perf_counter() - started, 3),
    }


def _text(row: dict, name: str) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is empty")
    return value


def _key(activity) -> tuple[int, str]:
    return activity.course_id, activity.idnumber


def _chunks(items: list) -> list[list]:
    return [items[i : i + PUBLISH_CHUNK] for i in range(0, len(items), PUBLISH_CHUNK)]


def _journal_row(row: dict, written, now: datetime, run_id: str) -> dict:
    return {
        "recording_key": row["recording_key"],
        "course_id": written.course_id,
        "cmid": written.cmid,
        "section_number": int(row["section_number"]),
        "activity_name": row["activity_name"][:255],
        "title": str(row.get("title") or "")[:500],
        "viewer_url": row["viewer_url"],
        "local_date": row["local_date"],
        "adopted": 0 if written.created else 1,
        "published_at": now,
        "run_id": run_id,
    }


def _write_rejects(run_id: str | None, name: str, rejects: list[tuple]) -> str | None:
    """What was not written, with the reason, to the run's folder (None when nothing)."""
    from include.storage import write_csv

    if not rejects:
        return None
    for key, course, reason in rejects:
        log.warning("not written: %s in course %s: %s", key, course, reason)
    path = run_folder(run_id) / name
    write_csv(path, ["key", "course_id", "reason"], rejects)
    return str(path)


def write_archive_pages(config, db, course_ids: list[int], writer, run_id=None) -> dict:
    """One Page activity per course listing every published recording, rebuilt in place,
    set-based in chunks of `PUBLISH_CHUNK` pages (one Moodle transaction each)."""
    from include.connectors.moodle_modules import Activity
    from include.recordings.archive import archive_page_html

    entries = db.read_frame(
        db.query("kontur_archive_entries"), {"course_ids": ",".join(map(str, course_ids))}
    )
    pages = []
    for course_id, group in entries.groupby("course_id"):
        html = archive_page_html(
            [
                {"local_date": str(r.local_date), "title": r.title, "viewer_url": r.viewer_url}
                for r in group.itertuples(index=False)
            ]
        )
        pages.append(
            Activity(
                int(course_id),
                int(group["section_number"].min()),
                config.recordings_section_name,
                ARCHIVE_MARKER,
                config.archive_page_name,
                html,
            )  # fmt: skip
        )
    created = updated = unchanged = 0
    statements_before, rejects = writer.statements, []
    for chunk in _chunks(pages):
        result = writer.write_pages(chunk)
        created += sum(w.created for w in result.written)
        updated += sum(w.updated for w in result.written)
        unchanged += sum(not (w.created or w.updated) for w in result.written)
        rejects += [(ARCHIVE_MARKER, r.activity.course_id, r.reason) for r in result.rejected]
    return {
        "pages": created + updated + unchanged,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "rejected": len(rejects),
        "rejects_path": _write_rejects(run_id, "archive_rejects.csv", rejects),
        "statements": writer.statements - statements_before,
    }


def delete_activities(ws, db, due) -> tuple[int, int]:
    """Delete the `due` activities (cmid, recording_key) through
    `core_course_delete_modules`, 50 a call; one already removed by hand makes its batch
    go one by one. Each batch is marked cleared in the journal. -> (cleared, already gone)"""
    from include.connectors.moodle_ws import MoodleWsError

    cleared = missing = 0
    for start in range(0, len(due), 50):
        batch = due.iloc[start : start + 50]
        try:
            ws.call("core_course_delete_modules", {"cmids": [int(c) for c in batch["cmid"]]})
            gone = list(batch["recording_key"])
        except MoodleWsError as exc:
            if exc.errorcode != "invalidcoursemodule":
                raise
            gone = []  # one was removed by hand already: delete one by one
            for row in batch.itertuples(index=False):
                try:
                    ws.call("core_course_delete_modules", {"cmids": [int(row.cmid)]})
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
    return cleared, missing
