"""The steps of `course_archive`: connectors (Moodle DB and web services, the backup
runner, the store, the project DB) around the pure rules in `archive.py`.

Each function is one task's body; the DAG file only wires them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime

from include.config import CourseArchiveSettings
from include.courses import archive

log = logging.getLogger(__name__)
LIVE = ("copied", "verified", "moved")  # statuses whose file is in the store


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _archive_category_ids(categories, settings: CourseArchiveSettings) -> set[int]:
    marker = settings.archive_category_idnumber.split("{", 1)[0]
    return {
        int(row.id)
        for row in categories.itertuples()
        if marker and str(row.idnumber or "").startswith(marker)
    }


def select_courses(settings: CourseArchiveSettings, end_before: date) -> dict:
    """The plan (at most `max_backups_per_run` courses) and the skipped courses with reasons."""
    from include.courses.hooks import moodle_db, pipelines_db

    moodle, state = moodle_db(), pipelines_db()
    try:
        categories = moodle.read_frame("course_categories")
        cutoff = int(
            datetime(end_before.year, end_before.month, end_before.day, tzinfo=UTC).timestamp()
        )
        candidates = moodle.read_frame("course_archive_candidates", {"end_before": cutoff})
        rows = _backup_rows(state)
    finally:
        moodle.close()
        state.close()
    archived = {int(r.course_id) for r in rows.itertuples() if r.status in ("moved", "pruned")}
    plan, skipped = archive.plan_archive(
        candidates,
        categories,
        root_category_id=settings.root_category_id,
        end_before=end_before,
        archived_ids=archived,
        archive_category_ids=_archive_category_ids(categories, settings),
        limit=settings.max_backups_per_run,
        prefix=settings.store_prefix,
        start_month=settings.academic_year_start_month,
    )
    for item in plan:
        log.info("plan: %s (id %s) -> %s", item["shortname"], item["course_id"], item["store_path"])
    for item in skipped:
        log.info("skip: %s (id %s): %s", item["shortname"], item["course_id"], item["reason"])
    return {"plan": plan, "skipped": skipped}


def check_plan(plan: list[dict]) -> str:
    """The quality gate on the plan: unique courses and archive paths, nothing empty."""
    import great_expectations as gx
    import pandas as pd

    from include.quality import check_frame, require

    frame = pd.DataFrame(plan, columns=["course_id", "shortname", "store_path", "academic_year"])
    report = check_frame(
        frame,
        [
            gx.expectations.ExpectColumnValuesToBeUnique(column="course_id"),
            gx.expectations.ExpectColumnValuesToBeUnique(column="store_path"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="shortname"),
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column="store_path", regex=r"^[^\s].*\.mbz$"
            ),
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column="academic_year", regex=r"^\d{4}-\d{4}$"
            ),
        ],
        "course_archive_plan",
    )
    return require(report).summary()


def _backup_rows(state, course_id: int | None = None, academic_year: str | None = None):
    """Backup rows: all of them, or the one of a course and academic year (read in SQL)."""
    params = {"course_id": course_id, "academic_year": academic_year}
    return state.read_frame(state.query("course_backup_rows"), params)


def _row(state, course_id: int, academic_year: str):
    match = _backup_rows(state, course_id, academic_year)
    return None if match.empty else match.iloc[0]


def _mark(state, item: dict, status: str, reason: str | None = None, category_id=None) -> None:
    with state.transaction() as cursor:
        cursor.execute(
            state.query("course_backup_mark"),
            {
                "status": status,
                "reason": reason,
                "at": _now(),
                "archive_category_id": category_id,
                "course_id": item["course_id"],
                "academic_year": item["academic_year"],
            },
        )


def backup_course(item: dict, settings: CourseArchiveSettings, run_id: str) -> dict:
    """Back up one course with user data and copy the file into the archive store.

    A course whose verified copy is already in the store is not backed up again
    (a re-run continues where the last one stopped).
    """
    from include import storage
    from include.connectors.backup_runner import MoodleBackupError, backup_runner
    from include.courses.hooks import pipelines_db

    state = pipelines_db()
    try:
        known = _row(state, item["course_id"], item["academic_year"])
        if known is not None and known.status in ("verified", "moved"):
            target = storage.store_path(known.store_path)
            if target.exists() and storage.sha256_of(target) == known.sha256:
                log.info("%s: verified copy already stored at %s", item["shortname"], target)
                return {"course_id": item["course_id"], "status": known.status, "resumed": True}
        runner = backup_runner(settings)
        record = {
            **{k: item[k] for k in ("course_id", "academic_year", "shortname", "category_id")},
            "store_path": item["store_path"],
            "run_id": run_id,
        }
        try:
            result = runner.backup(item["course_id"])
        except MoodleBackupError as exc:
            with state.transaction() as cursor:
                cursor.execute(
                    state.query("course_backup_upsert"),
                    {
                        **record,
                        "sha256": None,
                        "size_bytes": None,
                        "status": "failed",
                        "reason": str(exc),
                        "backed_up_at": None,
                    },
                )
            raise
        try:
            data = result.path.read_bytes()
            target = storage.store_path(item["store_path"])
            storage.write_bytes_if_changed(target, data)
        finally:
            runner.discard(result)
        digest = storage.sha256_bytes(data)
        with state.transaction() as cursor:
            cursor.execute(
                state.query("course_backup_upsert"),
                {
                    **record,
                    "sha256": digest,
                    "size_bytes": len(data),
                    "status": "copied",
                    "reason": None,
                    "backed_up_at": _now(),
                },
            )
        log.info(
            "%s: %d bytes stored at %s (sha256 %s)", item["shortname"], len(data), target, digest
        )
        return {"course_id": item["course_id"], "status": "copied", "bytes": len(data)}
    finally:
        state.close()


def _stored_rows(state):
    rows = _backup_rows(state)
    return rows[rows.status.isin(LIVE)]


def record_manifests(settings: CourseArchiveSettings, years: set[str] | None = None) -> list[str]:
    """`manifest.csv`/`manifest.json` (file, sha256, size) per academic-year folder."""
    from include import storage
    from include.courses.hooks import pipelines_db

    state = pipelines_db()
    try:
        rows = _stored_rows(state)
    finally:
        state.close()
    by_year: dict[str, list] = defaultdict(list)
    for row in rows.itertuples():
        by_year[row.academic_year].append(row)
    written = []
    for year in sorted(set(by_year) | (years or set())):
        folder = storage.store_path(settings.store_prefix, year, "manifest.json").parent
        prefix = f"{settings.store_prefix}/{year}/"
        entries = [
            storage.ManifestEntry(r.store_path.removeprefix(prefix), r.sha256, int(r.size_bytes))
            for r in by_year.get(year, [])
        ]
        csv_path, _ = storage.write_manifest(folder, entries)
        written.append(str(csv_path))
    return written


def verify_backups(plan: list[dict], settings: CourseArchiveSettings) -> dict:
    """Check each planned course's stored copy against the manifest and as a Moodle backup."""
    from include import storage
    from include.courses.hooks import pipelines_db

    state = pipelines_db()
    verified, failed = [], []
    manifests: dict[str, dict] = {}
    try:
        for item in plan:
            row = _row(state, item["course_id"], item["academic_year"])
            if row is None or row.status == "failed":
                reason = "no backup" if row is None else row.reason
                failed.append(
                    {
                        "course_id": item["course_id"],
                        "shortname": item["shortname"],
                        "reason": reason,
                    }
                )
                continue
            if row.status in ("verified", "moved"):
                verified.append(item["course_id"])
                continue
            year = item["academic_year"]
            if year not in manifests:
                folder = storage.store_path(settings.store_prefix, year, "manifest.json").parent
                manifests[year] = {e.file: e for e in storage.read_manifest(folder)}
            entry = manifests[year].get(
                row.store_path.removeprefix(f"{settings.store_prefix}/{year}/")
            )
            target = storage.store_path(row.store_path)
            if entry is None:
                reason = "not in the manifest"
            elif not target.exists():
                reason = "stored copy is missing"
            else:
                reason = archive.verify_copy(target.read_bytes(), entry.sha256, item["course_id"])
            if reason:
                _mark(state, item, "failed", f"verification: {reason}")
                failed.append(
                    {
                        "course_id": item["course_id"],
                        "shortname": item["shortname"],
                        "reason": reason,
                    }
                )
                log.error("%s: backup NOT verified: %s", item["shortname"], reason)
            else:
                _mark(state, item, "verified")
                verified.append(item["course_id"])
                log.info("%s: backup verified (sha256 %s)", item["shortname"], entry.sha256)
    finally:
        state.close()
    return {"verified": verified, "failed": failed}


def ensure_archive_category(
    hook, year: archive.AcademicYear, settings: CourseArchiveSettings
) -> int:
    """The id of the academic year's archive category, created if missing."""
    wanted = archive.archive_category(
        year, settings.archive_category_name, settings.archive_category_idnumber
    )
    found = hook.call(
        "core_course_get_categories",
        {"criteria": [{"key": "idnumber", "value": wanted["idnumber"]}], "addsubcategories": 0},
    )
    if found:
        return int(found[0]["id"])
    created = hook.call(
        "core_course_create_categories",
        {
            "categories": [
                {**wanted, "parent": settings.archive_parent_category_id, "description": ""}
            ]
        },
    )
    log.info("created archive category %s (id %s)", wanted["name"], created[0]["id"])
    return int(created[0]["id"])


def move_courses(plan: list[dict], verified: list[int], settings: CourseArchiveSettings) -> dict:
    """Move each verified course into its year's archive category and hide it."""
    from include.connectors.moodle_ws import MoodleWsHook
    from include.courses.hooks import pipelines_db

    hook, state = MoodleWsHook(), pipelines_db()
    moved, failed = [], []
    by_year: dict[str, list[dict]] = defaultdict(list)
    for item in plan:
        if item["course_id"] in set(verified):
            by_year[item["academic_year"]].append(item)
    try:
        for year_slug, items in sorted(by_year.items()):
            year = archive.AcademicYear(int(year_slug[:4]))
            category_id = ensure_archive_category(hook, year, settings)
            for start in range(0, len(items), 50):
                batch = items[start : start + 50]
                answer = hook.call(
                    "core_course_update_courses",
                    {
                        "courses": [
                            {"id": i["course_id"], "categoryid": category_id, "visible": 0}
                            for i in batch
                        ]
                    },
                )
                refused = {int(w["itemid"]): w for w in (answer or {}).get("warnings", [])}
                for item in batch:
                    if item["course_id"] in refused:
                        warning = refused[item["course_id"]]
                        reason = f"Moodle refused the move: {warning.get('warningcode')}: {warning.get('message')}"
                        failed.append(
                            {
                                "course_id": item["course_id"],
                                "shortname": item["shortname"],
                                "reason": reason,
                            }
                        )
                        continue
                    _mark(state, item, "moved", None, category_id)
                    moved.append(item["course_id"])
                    log.info("%s: moved to category %s and hidden", item["shortname"], category_id)
    finally:
        state.close()
    return {"moved": moved, "failed": failed}


def prune_backups(settings: CourseArchiveSettings, today: date, dry_run: bool) -> dict:
    """Delete stored backups older than the retention; log each file deleted."""
    from include import storage
    from include.courses.hooks import pipelines_db

    state = pipelines_db()
    deleted, years = [], set()
    try:
        rows = state.read_frame(state.query("course_backup_stored"))
        expired = archive.expired_backups(rows.to_dict("records"), today, settings.retention_months)
        cutoff = archive.retention_cutoff(today, settings.retention_months)
        for row in expired:
            made = row["backed_up_at"]
            if dry_run:
                log.info(
                    "dry run: would delete %s (backup made %s, before %s)",
                    row["store_path"],
                    made,
                    cutoff,
                )
                deleted.append(row["store_path"])
                continue
            storage.store_path(row["store_path"]).unlink(missing_ok=True)
            _mark(state, row, "pruned", f"retention: made {made:%Y-%m-%d}, kept until {cutoff}")
            years.add(row["academic_year"])
            deleted.append(row["store_path"])
            log.info(
                "deleted %s (backup of %s made %s, older than %s)",
                row["store_path"],
                row["shortname"],
                made,
                cutoff,
            )
    finally:
        state.close()
    if years:
        record_manifests(settings, years)
    log.info(
        "retention: %d backup(s) %s, cutoff %s",
        len(deleted),
        "due" if dry_run else "deleted",
        cutoff,
    )
    return {"deleted": deleted, "cutoff": str(cutoff)}


def report(context, selection, verification, moved, pruned) -> dict:
    """The run's report row; names every course whose backup failed, then fails the run."""
    from airflow.sdk.exceptions import AirflowFailException

    from include.courses.hooks import pipelines_db
    from include.reporting import plural, record_run_report, verb

    if selection is None:
        raise AirflowFailException("no plan: select_courses or check_plan failed (see their logs)")
    verification = verification or {"verified": [], "failed": []}
    moved = moved or {"moved": [], "failed": []}
    pruned = pruned or {"deleted": []}
    dry_run = bool(context["params"].get("dry_run"))
    plan = selection["plan"]
    failed = {f["course_id"]: f for f in verification["failed"] + moved["failed"]}
    if not dry_run and plan:
        state = pipelines_db()
        try:
            rows = _backup_rows(state)
        finally:
            state.close()
        done = {int(r.course_id) for r in rows.itertuples() if r.status == "moved"}
        for item in plan:
            if item["course_id"] not in done and item["course_id"] not in failed:
                failed[item["course_id"]] = {**item, "reason": "not archived (see the task log)"}
    waiting = sum(1 for s in selection["skipped"] if s["reason"].startswith("throttled"))
    counts = {
        "planned": len(plan),
        "moved": len(moved["moved"]),
        "failed": len(failed),
        "waiting": waiting,
        "skipped": len(selection["skipped"]) - waiting,
        "backups_deleted": len(pruned["deleted"]),
    }
    if dry_run:
        names = ", ".join(f"{i['shortname']} → {i['store_path']}" for i in plan) or "nothing"
        old = plural(len(pruned["deleted"]), "old backup")
        summary = (
            f"dry run: would archive {plural(len(plan), 'course')}: {names}; would delete {old}"
        )
    else:
        summary = (
            f"archived {len(moved['moved'])} of {plural(len(plan), 'planned course')};"
            f" {plural(waiting, 'course')} {verb(waiting, 'waits', 'wait')} for the next run"
        )
        if failed:
            summary += "; NOT archived (left in place): " + "; ".join(
                f"{f['shortname']} (id {cid}): {f['reason']}" for cid, f in sorted(failed.items())
            )
    from include.storage import store_root

    prefix = context["params"].get("store_prefix") or "courses"
    outputs = {"archive": str(store_root() / prefix)}
    record_run_report(context, summary, counts, outputs, status="failed" if failed else "success")
    if failed:
        raise AirflowFailException(summary)
    return counts
