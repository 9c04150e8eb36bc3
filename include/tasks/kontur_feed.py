"""The Kontur.Talk side of `kontur_recordings`' tasks (include/tasks/kontur_recordings.py):
poll the recordings of a window, gate them (schema, row rules, a GX suite), stage the
accepted ones and the rejects in the project database, advance the watermark; and what
every task of the DAG shares: its settings, its clock and its folder in the store."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta

from include.config import KonturRecordingsSettings
from include.connectors.hooks import pipelines_db
from include.tasks.settings import settings_of

log = logging.getLogger(__name__)

DAG_ID = "kontur_recordings"
REJECT_COLUMNS = ["key", "field", "reason"]


def settings_from(resolved: dict) -> KonturRecordingsSettings:
    return settings_of(KonturRecordingsSettings, resolved)


def run_clock(logical_date=None, dag_run=None) -> datetime:
    """The run's 'now': its logical date (the schedule's tick), so a re-run decides alike;
    a manual run without one: when it was triggered."""
    moment = logical_date or getattr(dag_run, "run_after", None) or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_folder(run_id: str | None):
    from include.storage import store_path

    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id or "manual")
    return store_path(DAG_ID, safe, "x").parent


def read_text(path_text: str) -> str:
    """A text file of the store, from the path a task passed through XCom."""
    from include.storage import stored_path

    with stored_path(path_text).open("rb") as handle:
        return handle.read().decode("utf-8")


def write_text(path, text: str) -> str:
    with path.open("wb") as handle:
        handle.write(text.encode("utf-8"))
    return str(path)


def naive(moment: datetime) -> datetime:
    """Naive UTC (the database's convention) from an aware or naive-UTC datetime."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def poll(config: KonturRecordingsSettings, end: datetime, run_id: str | None, hook) -> dict:
    """Read [watermark − overlap, end) following every page; the raw entities go to the
    store."""
    db = pipelines_db()
    mark = db.read_frame(db.query("kontur_read_watermark"))
    if mark.empty:
        start, watermark = end - timedelta(days=config.initial_lookback_days), None
    else:
        watermark = mark["watermark"].iloc[0].to_pydatetime()
        start = min(watermark - timedelta(hours=config.overlap_hours), end)  # a backfill
    entities, pages = [], 0
    for page in hook.recording_pages(start, end, top=config.page_size):
        entities.extend(page)
        pages += 1
    path = run_folder(run_id) / "entities.json"
    write_text(path, json.dumps(entities, ensure_ascii=False))
    return {
        "entities_path": str(path),
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "previous_watermark": watermark.isoformat() if watermark else None,
        "pages": pages,
        "entities": len(entities),
        "retried": hook.retried,
    }


def check(polled: dict, run_id: str | None) -> dict:
    """Schema first (include/recordings/feed.py), then the row rules, then the GX suite on
    the accepted rows; the rejects to `rejects.csv` and `rejects.json`."""
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
    folder = run_folder(run_id)
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
    write_text(folder / "rejects.json", json.dumps(rejects, ensure_ascii=False))
    summary = "no recordings in the window"
    if len(accepted):
        suite = accepted_expectations()
        summary = require(check_frame(accepted, suite, "kontur_recordings_accepted")).summary()
    accepted_path = folder / "accepted.json"
    write_text(
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


def stage(checked: dict, run_id: str | None) -> dict:
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
            "created_date": naive(pd.Timestamp(r["created_date"]).to_pydatetime()),
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


def advance_watermark(polled: dict, run_id: str | None) -> dict:
    """The watermark to the window's end (after the upsert committed)."""
    db = pipelines_db()
    with db.transaction() as cursor:
        cursor.execute(
            db.query("kontur_advance_watermark"),
            {"watermark": datetime.fromisoformat(polled["window_end"]), "run_id": run_id or ""},
        )
    return {"watermark": polled["window_end"], "previous": polled["previous_watermark"]}
