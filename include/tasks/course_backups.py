"""`course_archive`'s record of its backups (include/tasks/course_archive.py holds the
tasks): the `course_backup` rows in the project DB, read and marked; a backup copied
into the store while hashed; the manifests (file, sha256, size) of each academic-year
folder, written and read.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from include.config import CourseArchiveSettings
from include.connectors.hooks import pipelines_db
from include.courses import archive

LIVE = ("copied", "verified", "moved")  # statuses whose file is in the store


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def backup_rows(state, course_id: int | None = None, academic_year: str | None = None):
    """Backup rows: all of them, or the one of a course and academic year (read in SQL)."""
    params = {"course_id": course_id, "academic_year": academic_year}
    return state.read_frame(state.query("course_backup_rows"), params)


def all_backup_rows():
    """Every backup row, read through a connection of its own."""
    state = pipelines_db()
    try:
        return backup_rows(state)
    finally:
        state.close()


def backup_row(state, item: dict):
    """The row of a planned course (`course_id`, `academic_year`), or None."""
    match = backup_rows(state, item["course_id"], item["academic_year"])
    return None if match.empty else match.iloc[0]


def execute(state, query: str, params: dict) -> None:
    with state.transaction() as cursor:
        cursor.execute(state.query(query), params)


def mark(state, item: dict, status: str, reason: str | None = None, category_id=None) -> None:
    """Set a backup row's status (and why, and the archive category it was moved to)."""
    execute(state, "course_backup_mark", {
        "status": status, "reason": reason, "at": now(), "archive_category_id": category_id,
        "course_id": item["course_id"], "academic_year": item["academic_year"],
    })  # fmt: skip


def copy_into_store(source: Path, target) -> tuple[str, int]:
    """Copy a local file to a store path (ObjectStoragePath) in chunks, hashing it on the
    way: SHA-256 and size of what was written. Memory holds one chunk."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(archive.CHUNK_BYTES):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def year_folder(chosen: CourseArchiveSettings, year: str):
    """The store folder of an academic year's backups and manifest."""
    from include import storage

    return storage.store_path(chosen.store_prefix, year, "manifest.json").parent


def read_manifest(chosen: CourseArchiveSettings, year: str) -> dict:
    """An academic year's manifest entries by file name (relative to its folder)."""
    from include import storage

    return {e.file: e for e in storage.read_manifest(year_folder(chosen, year))}


def write_manifests(chosen: CourseArchiveSettings, years: set[str] | None = None) -> list[str]:
    """`manifest.csv`/`manifest.json` (file, sha256, size) per academic-year folder."""
    from include import storage

    rows = all_backup_rows()
    by_year: dict[str, list] = defaultdict(list)
    for row in rows[rows.status.isin(LIVE)].itertuples():
        by_year[row.academic_year].append(row)
    written = []
    for year in sorted(set(by_year) | (years or set())):
        prefix = f"{chosen.store_prefix}/{year}/"
        entries = [
            storage.ManifestEntry(r.store_path.removeprefix(prefix), r.sha256, int(r.size_bytes))
            for r in by_year.get(year, [])
        ]
        csv_path, _ = storage.write_manifest(year_folder(chosen, year), entries)
        written.append(str(csv_path))
    return written
