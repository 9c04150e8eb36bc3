"""The tasks of `course_archive`: Moodle's DB and web services, the backup runner, the
store and the project DB around the pure rules of `include.courses.archive`. Every task
after `resolve_settings` receives its result (`settings`). Backups are streams: copied
in chunks while hashed, verified in one pass; no task holds a whole `.mbz` in memory.
The record of the backups (their rows, the stored copies, the manifests) is beside
them, in include/tasks/course_backups.py.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime

from airflow.sdk import get_current_context, task

from include.config import CourseArchiveSettings
from include.connectors.hooks import moodle_db, moodle_ws, pipelines_db
from include.courses import archive
from include.dag_defaults import LONG_TIMEOUT, run_moment
from include.tasks.course_backups import (
    all_backup_rows,
    backup_row,
    copy_into_store,
    execute,
    mark,
    now,
    read_manifest,
    write_manifests,
)
from include.tasks.settings import settings_of

log = logging.getLogger(__name__)
MOVE_BATCH = 50  # courses per core_course_update_courses call


def _settings(resolved: dict) -> CourseArchiveSettings:
    return settings_of(CourseArchiveSettings, resolved)


def _dry_run() -> bool:
    return bool(get_current_context()["params"].get("dry_run"))


def _failure(item: dict, reason: str) -> dict:
    return {"course_id": item["course_id"], "shortname": item["shortname"], "reason": reason}


@task
def select_courses(settings: dict) -> dict:
    """The plan (at most `max_backups_per_run` courses) and the skipped courses with
    reasons; courses that ended before `end_before` (param; default: the run's date)."""
    chosen = _settings(settings)
    context = get_current_context()
    picked = context["params"].get("end_before")
    end_before = date.fromisoformat(picked) if picked else run_moment(context).date()
    cutoff = int(
        datetime(end_before.year, end_before.month, end_before.day, tzinfo=UTC).timestamp()
    )
    moodle = moodle_db()
    try:
        categories = moodle.read_frame("course_categories")
        candidates = moodle.read_frame("course_archive_candidates", {"end_before": cutoff})
    finally:
        moodle.close()
    rows = all_backup_rows()
    plan, skipped = archive.plan_archive(
        candidates,
        categories,
        root_category_id=chosen.root_category_id,
        end_before=end_before,
        archived_ids={int(r.course_id) for r in rows.itertuples() if r.status in ("moved", "pruned")},
        archive_category_ids=archive.archive_category_ids(categories, chosen.archive_category_idnumber),
        limit=chosen.max_backups_per_run,
        prefix=chosen.store_prefix,
        start_month=chosen.academic_year_start_month,
    )  # fmt: skip
    for item in plan:
        log.info("plan: %s (id %s) -> %s", item["shortname"], item["course_id"], item["store_path"])
    for item in skipped:
        log.info("skip: %s (id %s): %s", item["shortname"], item["course_id"], item["reason"])
    return {"plan": plan, "skipped": skipped}


@task
def check_plan(selection: dict) -> list[dict]:
    """The quality gate on the plan: unique courses and archive paths, nothing empty.
    Returns the courses to back up (none in a dry run)."""
    import great_expectations as gx
    import pandas as pd

    from include.quality import check_frame, require

    plan = selection["plan"]
    frame = pd.DataFrame(plan, columns=["course_id", "shortname", "store_path", "academic_year"])
    expect = gx.expectations
    report = check_frame(frame, [
        expect.ExpectColumnValuesToBeUnique(column="course_id"),
        expect.ExpectColumnValuesToBeUnique(column="store_path"),
        expect.ExpectColumnValuesToNotBeNull(column="shortname"),
        expect.ExpectColumnValuesToMatchRegex(column="store_path", regex=r"^[^\s].*\.mbz$"),
        expect.ExpectColumnValuesToMatchRegex(column="academic_year", regex=r"^\d{4}-\d{4}$"),
    ], "course_archive_plan")  # fmt: skip
    log.info("%s", require(report).summary())
    if _dry_run():
        log.info("dry run: %d course(s) would be archived; nothing changes", len(plan))
        return []
    return plan


@task(retries=1, map_index_template="{{ course_shortname }}", execution_timeout=LONG_TIMEOUT)
def backup_course(item: dict, settings: dict) -> dict:
    """Back up one course with user data and copy the file into the archive store.

    A course whose verified copy is already in the store is not backed up again
    (a re-run continues where the last one stopped).
    """
    from include import storage
    from include.connectors.backup_runner import MoodleBackupError, backup_runner

    context = get_current_context()
    context["course_shortname"] = item["shortname"]
    state = pipelines_db()
    try:
        known = backup_row(state, item)
        if known is not None and known.status in ("verified", "moved"):
            target = storage.store_path(known.store_path)
            if target.exists() and storage.sha256_of(target) == known.sha256:
                log.info("%s: verified copy already stored at %s", item["shortname"], target)
                return {"course_id": item["course_id"], "status": known.status, "resumed": True}
        record = {
            **{k: item[k] for k in ("course_id", "academic_year", "shortname", "category_id")},
            "store_path": item["store_path"],
            "run_id": context["run_id"],
        }
        runner = backup_runner(_settings(settings))
        try:
            result = runner.backup(item["course_id"])
        except MoodleBackupError as exc:
            execute(state, "course_backup_upsert", {
                **record, "sha256": None, "size_bytes": None, "status": "failed",
                "reason": str(exc), "backed_up_at": None,
            })  # fmt: skip
            raise
        target = storage.store_path(item["store_path"])
        try:
            digest, size = copy_into_store(result.path, target)
        finally:
            runner.discard(result)
        execute(state, "course_backup_upsert", {
            **record, "sha256": digest, "size_bytes": size, "status": "copied", "reason": None,
            "backed_up_at": now(),
        })  # fmt: skip
        log.info("%s: %d bytes stored at %s (sha256 %s)", item["shortname"], size, target, digest)
        return {"course_id": item["course_id"], "status": "copied", "bytes": size}
    finally:
        state.close()


@task(trigger_rule="all_done")
def record_manifest(settings: dict, plan: list[dict]) -> list[str]:
    """The manifests of the academic years this run touched (and every stored one)."""
    return write_manifests(_settings(settings), {i["academic_year"] for i in plan})


@task(trigger_rule="all_done")
def verify_backups(settings: dict, plan: list[dict], _manifests) -> dict:
    """Check each planned course's stored copy against the manifest (SHA-256) and as a
    Moodle backup of that course, in one streamed pass over the file."""
    from include import storage

    chosen = _settings(settings)
    state = pipelines_db()
    verified, failed = [], []
    manifests: dict[str, dict] = {}
    try:
        for item in plan:
            row = backup_row(state, item)
            if row is None or row.status == "failed":
                failed.append(_failure(item, "no backup" if row is None else row.reason))
                continue
            if row.status in ("verified", "moved"):
                verified.append(item["course_id"])
                continue
            year = item["academic_year"]
            if year not in manifests:
                manifests[year] = read_manifest(chosen, year)
            entry = manifests[year].get(
                row.store_path.removeprefix(f"{chosen.store_prefix}/{year}/")
            )
            target = storage.store_path(row.store_path)
            if entry is None:
                reason = "not in the manifest"
            elif not target.exists():
                reason = "stored copy is missing"
            else:
                with target.open("rb") as stream:
                    reason = archive.verify_copy(stream, entry.sha256, item["course_id"])
            if reason:
                mark(state, item, "failed", f"verification: {reason}")
                failed.append(_failure(item, reason))
                log.error("%s: backup NOT verified: %s", item["shortname"], reason)
            else:
                mark(state, item, "verified")
                verified.append(item["course_id"])
                log.info("%s: backup verified (sha256 %s)", item["shortname"], entry.sha256)
    finally:
        state.close()
    return {"verified": verified, "failed": failed}


def ensure_archive_category(hook, year: archive.AcademicYear, chosen: CourseArchiveSettings) -> int:
    """The id of the academic year's archive category, created if missing."""
    wanted = archive.archive_category(
        year, chosen.archive_category_name, chosen.archive_category_idnumber
    )
    found = hook.call(
        "core_course_get_categories",
        {"criteria": [{"key": "idnumber", "value": wanted["idnumber"]}], "addsubcategories": 0},
    )
    if found:
        return int(found[0]["id"])
    category = {**wanted, "parent": chosen.archive_parent_category_id, "description": ""}
    created = hook.call("core_course_create_categories", {"categories": [category]})
    log.info("created archive category %s (id %s)", wanted["name"], created[0]["id"])
    return int(created[0]["id"])


@task(pool="moodle_ws")
def move_courses(settings: dict, plan: list[dict], verification: dict) -> dict:
    """Move each verified course into its year's archive category and hide it."""
    chosen = _settings(settings)
    hook, state = moodle_ws(), pipelines_db()
    moved, failed = [], []
    verified = set(verification["verified"])
    by_year: dict[str, list[dict]] = defaultdict(list)
    for item in plan:
        if item["course_id"] in verified:
            by_year[item["academic_year"]].append(item)
    try:
        for year_slug, items in sorted(by_year.items()):
            category_id = ensure_archive_category(
                hook, archive.AcademicYear(int(year_slug[:4])), chosen
            )
            for start in range(0, len(items), MOVE_BATCH):
                batch = items[start : start + MOVE_BATCH]
                courses = [
                    {"id": i["course_id"], "categoryid": category_id, "visible": 0} for i in batch
                ]
                answer = hook.call("core_course_update_courses", {"courses": courses})
                refused = archive.move_refusals(batch, answer)
                for item in batch:
                    if item["course_id"] in refused:
                        failed.append(_failure(item, refused[item["course_id"]]))
                        continue
                    mark(state, item, "moved", None, category_id)
                    moved.append(item["course_id"])
                    log.info("%s: moved to category %s and hidden", item["shortname"], category_id)
    finally:
        state.close()
    return {"moved": moved, "failed": failed}


@task(trigger_rule="all_done")
def prune_backups(settings: dict, _moved) -> dict:
    """Delete stored backups older than the retention; log each file deleted."""
    from include import storage

    chosen, dry_run = _settings(settings), _dry_run()
    today = run_moment(get_current_context()).date()
    cutoff = archive.retention_cutoff(today, chosen.retention_months)
    state = pipelines_db()
    deleted, years = [], set()
    try:
        rows = state.read_frame(state.query("course_backup_stored")).to_dict("records")
        for row in archive.expired_backups(rows, today, chosen.retention_months):
            made, path = row["backed_up_at"], row["store_path"]
            deleted.append(path)
            if dry_run:
                log.info("dry run: would delete %s (backup made %s, before %s)", path, made, cutoff)
                continue
            storage.store_path(path).unlink(missing_ok=True)
            mark(state, row, "pruned", f"retention: made {made:%Y-%m-%d}, kept until {cutoff}")
            years.add(row["academic_year"])
            log.info("deleted %s (backup of %s made %s, older than %s)", path, row["shortname"],
                     made, cutoff)  # fmt: skip
    finally:
        state.close()
    if years:
        write_manifests(chosen, years)
    done = "due" if dry_run else "deleted"
    log.info("retention: %d backup(s) %s, cutoff %s", len(deleted), done, cutoff)
    return {"deleted": deleted, "cutoff": str(cutoff)}


def _summary(plan: list[dict], counts: dict, failed: dict[int, dict], dry_run: bool) -> str:
    from include.reporting import plural, verb

    deleted, waiting = counts["backups_deleted"], counts["waiting"]
    if dry_run:
        names = ", ".join(f"{i['shortname']} → {i['store_path']}" for i in plan) or "nothing"
        old = plural(deleted, "old backup")
        return f"dry run: would archive {plural(len(plan), 'course')}: {names}; would delete {old}"
    summary = (
        f"archived {counts['moved']} of {plural(len(plan), 'planned course')};"
        f" {plural(waiting, 'course')} {verb(waiting, 'waits', 'wait')} for the next run"
    )
    if failed:
        summary += "; NOT archived (left in place): " + "; ".join(
            f"{f['shortname']} (id {cid}): {f['reason']}" for cid, f in sorted(failed.items())
        )
    return summary


@task(trigger_rule="all_done")
def report_archive(settings, selection, verification, moved, pruned) -> dict:
    """The run's report row; names every course whose backup failed, then fails the run."""
    from airflow.sdk.exceptions import AirflowFailException

    from include.reporting import record_run_report
    from include.storage import store_root

    if settings is None:
        raise AirflowFailException("no settings: resolve_settings failed (see its log)")
    if selection is None:
        raise AirflowFailException("no plan: select_courses or check_plan failed (see their logs)")
    chosen, dry_run = _settings(settings), _dry_run()
    verification = verification or {"verified": [], "failed": []}
    moved = moved or {"moved": [], "failed": []}
    deleted = (pruned or {"deleted": []})["deleted"]
    plan = selection["plan"]
    failed = {f["course_id"]: f for f in verification["failed"] + moved["failed"]}
    if not dry_run and plan:
        rows = all_backup_rows()
        done = {int(r.course_id) for r in rows.itertuples() if r.status == "moved"}
        for item in plan:
            if item["course_id"] not in done and item["course_id"] not in failed:
                failed[item["course_id"]] = {**item, "reason": "not archived (see the task log)"}
    counts = archive.run_counts(selection, moved["moved"], failed, deleted)
    summary = _summary(plan, counts, failed, dry_run)
    outputs = {"archive": str(store_root() / chosen.store_prefix)}
    status = "failed" if failed else "success"
    record_run_report(get_current_context(), summary, counts, outputs, status=status)
    if failed:
        raise AirflowFailException(summary)
    return counts
