"""What eios_sync keeps between runs and within one: the run's files in the store (staged
frames as JSON, rejects files, the history CSV) and the project database's state
(watermarks, held actions, feed rejects). Used by the tasks of include/tasks/eios_sync.py
and by its plan and apply modules (include/tasks/eios_plan.py, eios_apply.py)."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from include.config import EiosSyncSettings
from include.eios.feed import FEED
from include.eios.history import HEADER, expired_files, history_file_name, history_rows
from include.eios.quality import COLUMNS, parse_changed_at

log = logging.getLogger(__name__)

DAG_ID = "eios_sync"
REJECT_HEADER = [*COLUMNS, "key", "field", "reason"]  # the rejects file's columns


# --- settings --------------------------------------------------------------------


def settings_from(value: dict) -> EiosSyncSettings:
    from include.tasks.settings import settings_of

    return settings_of(EiosSyncSettings, value)


# --- the store ---------------------------------------------------------------


def store(*parts: str):
    from include.storage import store_path

    return store_path(DAG_ID, *parts)


def write_json(path, value) -> str:
    """`value` as JSON: dumped once, written once (json.dump to an ObjectStoragePath
    handle writes chunk by chunk, each through the store: 80-100x slower, issue 16)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    with path.open("w") as handle:
        handle.write(text)
    return str(path)


def read_json(path_text: str):
    from include.storage import stored_path

    with stored_path(path_text).open("r") as handle:
        return json.loads(handle.read())


def work(run: dict, faculty_id: str, name: str):
    """Staged frames of one run: `work/<stamp>_<run id>/<faculty>/<name>.json` (the stamp
    lets prune_history remove them with the history: they hold names and e-mails)."""
    return store("work", f"{run['stamp']}_{run['key']}", faculty_id, f"{name}.json")


def run_file(run: dict, name: str):
    """A staged file of the whole run: `work/<stamp>_<run id>/<name>.json`."""
    return store("work", f"{run['stamp']}_{run['key']}", f"{name}.json")


def write_rejects(config: dict, faculty_id: str, rejects: list[dict]) -> str:
    """The faculty's rejects file of this run, with `rejects` added to what it holds."""
    import csv
    import io

    from include.storage import write_csv

    path = store("rejects", config["run"]["stamp"], f"{faculty_id}.csv")
    rows = []
    if path.exists():
        rows = [list(r.values()) for r in csv.DictReader(io.StringIO(path.read_text()))]
    rows += [[_cell(r.get(c)) for c in REJECT_HEADER] for r in rejects]
    write_csv(path, REJECT_HEADER, rows)
    return str(path)


def _cell(value) -> str:
    return "" if value is None else str(value)


def write_history(run: dict) -> dict:
    """The run's history CSV from every faculty that got as far as apply."""
    from include.storage import write_csv

    folder = store("work", f"{run['stamp']}_{run['key']}", "x").parent
    rows: list[list[str]] = []
    outcomes: dict[str, int] = {}
    faculties = []
    for faculty in sorted(p for p in folder.iterdir() if p.is_dir()):
        results_file = faculty / "results.json"
        if not results_file.exists():
            continue
        faculties.append(faculty.name)
        results = read_json(str(results_file))
        rows += history_rows(run["time"], faculty.name, results)
        for row in results:
            outcome = row["result"].split(":")[0].split(" (")[0]
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    started = datetime.strptime(run["stamp"], "%Y-%m-%d_%H-%M-%S")
    path = store("history", history_file_name(started))
    write_csv(path, HEADER, rows)
    return {"history": str(path), "rows": len(rows), "outcomes": outcomes, "faculties": faculties}


def prune_files(now: datetime, retention_days: int) -> dict:
    """Remove history CSVs, rejects and staged work files older than the retention."""
    history = store("history", "x").parent
    names = [p.name for p in history.iterdir()] if history.exists() else []
    removed = expired_files(names, now, retention_days)
    for name in removed:
        (history / name).unlink()
    rejects = store("rejects", "x").parent
    for folder in list(rejects.iterdir()) if rejects.exists() else []:
        if expired_files([f"{folder.name}.csv"], now, retention_days):
            for file in folder.iterdir():
                file.unlink()
            folder.rmdir()
    staged = store("work", "x").parent
    for folder in list(staged.iterdir()) if staged.exists() else []:
        if expired_files([f"{folder.name[:19]}.csv"], now, retention_days):
            folder.fs.rm(folder.path, recursive=True)
    log.info("history: removed %d file(s) older than %d days", len(removed), retention_days)
    return {"removed": removed, "kept": len(names) - len(removed)}


# --- database hooks ------------------------------------------------------------


def pipelines_db():
    from include.connectors.pipelines_db import PipelinesDbHook

    return PipelinesDbHook()


def moodle_db():
    from include.connectors.moodle_db import MoodleDbHook

    return MoodleDbHook()


# --- the project database's state ----------------------------------------------------


def read_watermarks() -> dict:
    """faculty id → its watermark (the latest `changed_at` synced)."""
    hook = pipelines_db()
    try:
        marks = hook.read_frame(hook.query("eios_read_watermarks"))
    finally:
        hook.close()
    return {r.faculty_id: r.watermark for r in marks.itertuples()}


def faculties_to_scan(wanted: list[str], known: dict, config: dict, scan_from) -> list[dict]:
    """One entry per faculty to scan, with its lower bound of `changed_at`: the param
    `rescan_from`, else its watermark, else the setting `scan_from`, else none."""
    watermarks = read_watermarks()
    faculties = []
    for faculty_id in wanted:
        if config["rescan_from"]:
            lower = config["rescan_from"]
        elif watermarks.get(faculty_id) is not None:
            lower = watermarks[faculty_id].isoformat()
        elif scan_from:
            lower = scan_from.isoformat()
        else:
            lower = None
        faculties.append(
            {
                "id": faculty_id,
                "name": known[faculty_id],
                "lower_bound": lower,
                "confirmed": faculty_id in config["confirm"],
            }
        )
    return faculties


def record_feed_rejects(
    faculty_id: str, rejects: list[dict], run_id: str, resolved_keys: list[str]
) -> tuple[set[str], int, int]:
    """Once per key in `feed_reject`; a key of this faculty sent valid (or no longer sent:
    the extract is the whole roster) is resolved. -> (keys open before, recorded, still
    open in the feed)."""
    from include.connectors.mysql_base import deadlock_retrying
    from include.feed_rejects import open_rejects, record_rejects, seen_now

    db = pipelines_db()
    try:
        was_open = {
            str(r.record_key)
            for r in db.read_frame(
                db.query("feed_reject_open_in_scope"),
                {"feed": FEED, "scope_pattern": faculty_id},
            ).itertuples(index=False)
            if str(r.scope) == faculty_id
        }
        # faculties check in parallel and share the table: a lost deadlock runs again
        for attempt in deadlock_retrying():
            with attempt, db.transaction() as cursor:
                recorded = record_rejects(
                    db,
                    cursor,
                    FEED,
                    [
                        {"key": r["key"], "field": r["field"], "reason": r["reason"]}
                        for r in rejects
                    ],
                    run_id,
                    seen_now(),
                    scope=faculty_id,
                    # only the keys open now: resolving the others is a no-op, one
                    # statement each (40 000 of them at full scale)
                    resolved_keys=[k for k in resolved_keys if k in was_open],
                )
        still_open = open_rejects(db, FEED).get(FEED, 0)
    finally:
        db.close()
    return was_open, recorded, still_open


def open_feed_rejects() -> dict[str, int]:
    """EIOS rows still rejected (open in `feed_reject`): reported until EIOS fixes them."""
    from include.feed_rejects import open_rejects

    hook = pipelines_db()
    try:
        return {k: v for k, v in open_rejects(hook, FEED).items() if v}
    finally:
        hook.close()


def pending_held_actions() -> list[dict]:
    hook = pipelines_db()
    try:
        return hook.read_frame(hook.query("eios_pending_held_actions")).to_dict("records")
    finally:
        hook.close()


def record_state(applied: dict, config: dict) -> dict:
    """Watermark and held actions (nothing in a dry run)."""
    settings = settings_from(config["settings"])
    if settings.dry_run:
        return {**applied, "watermark_saved": None}
    results = read_json(applied["results"])
    watermark = applied["watermark"]
    pinned = [
        r["changed_at"]
        for r in results
        if r["changed_at"] and (r["result"] == "held" or r["result"].startswith("failed"))
    ]
    if pinned:  # held or failed rows are read again next run
        earliest = min(pinned, key=parse_changed_at)
        if watermark is None or parse_changed_at(earliest) < parse_changed_at(watermark):
            watermark = earliest
    if applied["empty_feed_held"]:
        watermark = None
    hook = pipelines_db()
    run_id = config["run"]["run_id"]
    try:
        with hook.transaction() as cursor:
            if watermark is not None:
                cursor.execute(
                    hook.query("eios_upsert_watermark"),
                    {
                        "faculty_id": applied["id"],
                        "watermark": parse_changed_at(watermark),
                        "run_id": run_id,
                    },
                )
            if applied["held"]:
                _hold_actions(hook, cursor, applied, results, run_id)
            else:
                cursor.execute(
                    hook.query("eios_close_held_actions"),
                    {
                        "faculty_id": applied["id"],
                        "status": "released" if applied["confirmed"] else "resolved",
                        "run_id": run_id,
                    },
                )
    finally:
        hook.close()
    return {**applied, "watermark_saved": watermark}


def _hold_actions(hook, cursor, applied: dict, results: list[dict], run_id: str) -> None:
    """One `eios_held_action` row per held result, with the name and EIOS status as
    staged, for the confirm page (migration 070)."""
    accepted = read_json(applied["accepted"]) if applied.get("accepted") else []
    staged = {str(s.get("student_id")): s for s in accepted}
    for row in results:
        if row["result"] != "held":
            continue
        student = staged.get(str(row.get("student_id") or ""), {})
        names = (student.get(k) for k in ("last_name", "first_name", "middle_name"))
        cursor.execute(
            hook.query("eios_hold_action"),
            {
                "faculty_id": applied["id"],
                "faculty_name": str(applied.get("name") or "")[:200],
                "kind": row["kind"],
                "student_id": row.get("student_id") or "",
                "cohort_idnumber": row.get("cohort_idnumber") or "",
                "username": row.get("username") or "",
                "student_name": " ".join(str(n).strip() for n in names if n)[:300],
                "eios_status": str(student.get("status") or "")[:32],
                "old": str(row.get("old", ""))[:500],
                "new": str(row.get("new", ""))[:500],
                "changed_at": row.get("changed_at") or "",
                "reason": applied["guard_reason"][:500],
                "run_id": run_id,
            },
        )
