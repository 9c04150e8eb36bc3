"""Course archiving: selection, archive paths, verification and retention (pure functions)."""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

from dateutil.relativedelta import relativedelta

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


@dataclass(frozen=True)
class AcademicYear:
    start: int  # the calendar year the academic year starts in

    @property
    def end(self) -> int:
        return self.start + 1

    @property
    def label(self) -> str:
        """`2025/2026`, as a category name shows it."""
        return f"{self.start}/{self.end}"

    @property
    def slug(self) -> str:
        """`2025-2026`, as a folder or idnumber holds it."""
        return f"{self.start}-{self.end}"


def academic_year(day: date, start_month: int = 9) -> AcademicYear:
    """The academic year a day belongs to (it starts on the 1st of `start_month`)."""
    return AcademicYear(day.year if day.month >= start_month else day.year - 1)


def unix_to_date(seconds: int) -> date:
    return datetime.fromtimestamp(int(seconds), tz=UTC).date()


def safe_part(text: str) -> str:
    """One path segment: letters (Cyrillic too), digits, `.`, `-`, `_`; never empty."""
    cleaned = _UNSAFE.sub("_", (text or "").strip()).strip("._")
    return cleaned or "_"


def category_paths(categories) -> dict[int, str]:
    """Category id -> `Parent/Child` names path, from a frame with id, name, path (`/1/5`)."""
    names = {int(row.id): str(row.name) for row in categories.itertuples()}
    result = {}
    for row in categories.itertuples():
        ids = [int(part) for part in str(row.path).split("/") if part]
        result[int(row.id)] = "/".join(safe_part(names.get(i, str(i))) for i in ids)
    return result


def subtree_ids(categories, root_id: int) -> set[int]:
    """Ids of `root_id` and every category below it (0: all categories)."""
    if root_id == 0:
        return {int(i) for i in categories["id"]}
    marker = f"/{root_id}"
    return {
        int(row.id) for row in categories.itertuples() if f"{row.path}/".find(f"{marker}/") >= 0
    }


def archive_file_path(
    prefix: str, year: AcademicYear, category_path: str, shortname: str, course_id: int
) -> str:
    """`courses/<academic year>/<category path>/<shortname>-<id>.mbz` (relative to the store)."""
    return f"{prefix}/{year.slug}/{category_path}/{safe_part(shortname)}-{int(course_id)}.mbz"


def plan_archive(
    candidates,
    categories,
    *,
    root_category_id: int,
    end_before: date,
    archived_ids: set[int],
    archive_category_ids: set[int],
    limit: int,
    prefix: str = "courses",
    start_month: int = 9,
) -> tuple[list[dict], list[dict]]:
    """Courses to archive in this run (at most `limit`, oldest end date first) and the skipped.

    A candidate qualifies when its category is in the subtree, its end date is set
    and before `end_before`, it is not in an archive category and not already archived.
    Returns (plan, skipped), each a list of dicts; a skipped row says why.
    """
    subtree = subtree_ids(categories, root_category_id)
    paths = category_paths(categories)
    plan, skipped = [], []
    ordered = candidates.sort_values(["enddate", "id"], kind="stable")
    for row in ordered.itertuples():
        course_id = int(row.id)
        reason = None
        if int(row.category) not in subtree:
            continue  # outside the chosen subtree: not a candidate at all
        if int(row.enddate) <= 0:
            reason = "no end date"
        elif unix_to_date(row.enddate) >= end_before:
            continue  # not finished before the cutoff
        elif course_id in archived_ids:
            reason = "already archived"
        elif int(row.category) in archive_category_ids:
            reason = "already in an archive category"
        if reason:
            skipped.append({"course_id": course_id, "shortname": row.shortname, "reason": reason})
            continue
        year = academic_year(unix_to_date(row.enddate), start_month)
        category_path = paths.get(int(row.category), safe_part(str(row.category)))
        plan.append(
            {
                "course_id": course_id,
                "shortname": str(row.shortname),
                "fullname": str(row.fullname),
                "category_id": int(row.category),
                "category_path": category_path,
                "enddate": int(row.enddate),
                "academic_year": year.slug,
                "academic_year_label": year.label,
                "store_path": archive_file_path(
                    prefix, year, category_path, row.shortname, course_id
                ),
            }
        )
    for item in plan[limit:]:
        skipped.append(
            {
                "course_id": item["course_id"],
                "shortname": item["shortname"],
                "reason": "throttled: next run",
            }
        )
    return plan[:limit], skipped


def archive_category(year: AcademicYear, name_template: str, idnumber_template: str) -> dict:
    """The archive category of an academic year: its name and idnumber."""
    return {
        "name": name_template.format(year=year.label, start=year.start, end=year.end),
        "idnumber": idnumber_template.format(year=year.slug, start=year.start, end=year.end),
    }


class BackupDefect(ValueError):
    """A backup file is not a sound Moodle backup of the expected course."""


CHUNK_BYTES = 1 << 20  # what a stream is read by: memory stays flat whatever the size


class HashingReader:
    """A binary file whose reads are hashed (SHA-256) and counted as they pass, so one
    pass over a backup both checks it and hashes it."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk

    def hexdigest(self) -> str:
        """The hash of the whole file: what was not read yet is read (and hashed) now."""
        while self.read(CHUNK_BYTES):
            pass
        return self.digest.hexdigest()


def inspect_mbz(source: bytes | BinaryIO, course_id: int) -> dict:
    """Check an `.mbz` (gzip tar with `moodle_backup.xml`) is complete and of `course_id`.

    `source` is the file's bytes or a binary file, read once from start to end as a
    stream (tar's stream mode), so memory holds one member's header and
    `moodle_backup.xml`, never the archive. Returns what `moodle_backup.xml` says
    (original course id, users included); raises `BackupDefect` with the reason when
    it is not.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    names, information = set(), None
    try:
        with tarfile.open(fileobj=stream, mode="r|gz") as archive:
            for member in archive:  # reads to the end: a truncated file fails here
                names.add(member.name)
                if member.name == "moodle_backup.xml":
                    information = archive.extractfile(member).read()
        if information is None:
            raise BackupDefect("moodle_backup.xml is missing")
        root = ET.fromstring(information)
    except (tarfile.TarError, EOFError, OSError, zlib.error, ET.ParseError) as exc:
        raise BackupDefect(f"unreadable archive: {exc}") from None
    original = root.findtext("./information/original_course_id")
    if original is None or int(original) != int(course_id):
        raise BackupDefect(f"backup of course {original}, expected {course_id}")
    users = root.findtext("./information/settings/setting[name='users']/value")
    return {"original_course_id": int(original), "users": users == "1", "files": len(names)}


def verify_copy(source: bytes | BinaryIO, expected_sha256: str, course_id: int) -> str | None:
    """None when the stored copy matches the manifest and is a sound backup; else the reason.

    One pass over `source` (bytes or a binary file): it is hashed while it is checked.
    """
    reader = HashingReader(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source)
    try:
        inspect_mbz(reader, course_id)
        defect = None
    except BackupDefect as exc:
        defect = str(exc)
    actual = reader.hexdigest()
    if actual != expected_sha256:
        return f"SHA-256 mismatch: manifest {expected_sha256[:12]}…, stored copy {actual[:12]}…"
    return defect


def retention_cutoff(today: date, months: int) -> date:
    """Backups made before this day are past retention (12 months: one calendar year)."""
    return today - relativedelta(months=months)


def expired_backups(backups: list[dict], today: date, months: int) -> list[dict]:
    """The stored backups (dicts with `backed_up_at` date/datetime) older than the retention."""
    cutoff = retention_cutoff(today, months)
    expired = []
    for backup in backups:
        made = backup["backed_up_at"]
        made = made.date() if isinstance(made, datetime) else made
        if made < cutoff:
            expired.append(backup)
    return expired


def archive_category_ids(categories, idnumber_template: str) -> set[int]:
    """Ids of the categories that are archive categories (idnumber starts as the
    template does before its first placeholder)."""
    marker = idnumber_template.split("{", 1)[0]
    return {
        int(row.id)
        for row in categories.itertuples()
        if marker and str(row.idnumber or "").startswith(marker)
    }


def move_refusals(batch: list[dict], answer: dict | None) -> dict[int, str]:
    """Course id -> reason for each course of a `core_course_update_courses` batch that
    Moodle refused (its warnings name the course in `itemid`)."""
    refused = {int(w["itemid"]): w for w in (answer or {}).get("warnings", [])}
    return {
        item["course_id"]: "Moodle refused the move: "
        f"{refused[item['course_id']].get('warningcode')}: "
        f"{refused[item['course_id']].get('message')}"
        for item in batch
        if item["course_id"] in refused
    }


def run_counts(selection: dict, moved: list[int], failed: dict, deleted: list[str]) -> dict:
    """The run report's counts: planned, moved, failed, waiting (throttled), skipped, deleted."""
    waiting = sum(1 for s in selection["skipped"] if s["reason"].startswith("throttled"))
    return {
        "planned": len(selection["plan"]),
        "moved": len(moved),
        "failed": len(failed),
        "waiting": waiting,
        "skipped": len(selection["skipped"]) - waiting,
        "backups_deleted": len(deleted),
    }
