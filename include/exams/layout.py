"""Where the archive puts each file, and the rows of the per-date manifest.

`exams/YYYY/MM/DD/<course shortname>/<quiz id>-<quiz name slug>/<student idnumber or
user id>-<attempt>.pdf`, the quiz's summary sheet `summary.pdf` beside its attempts,
and `exams/YYYY/MM/DD/manifest.csv|json` for the date.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date

SUMMARY_NAME = "summary.pdf"
MANIFEST_NAME = "manifest"
MANIFEST_COLUMNS = (
    "path",
    "kind",
    "sha256",
    "bytes",
    "quiz_id",
    "attempt_id",
    "user_id",
    "grade",
    "grading_finished",
)
_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def safe_segment(text: str, limit: int = 80) -> str:
    """One path segment: letters (Cyrillic kept), digits, '.', '-', '_'; never empty."""
    cleaned = _UNSAFE.sub("-", str(text).strip()).strip("-.")
    return cleaned[:limit].rstrip("-.") or "_"


def slug(text: str, limit: int = 60) -> str:
    return safe_segment(str(text).lower(), limit)


def date_folder(day: date | str) -> str:
    day = day if isinstance(day, date) else date.fromisoformat(str(day))
    return f"exams/{day:%Y/%m/%d}"


def quiz_folder(day, course_shortname: str, quiz_id: int, quiz_name: str) -> str:
    return f"{date_folder(day)}/{safe_segment(course_shortname)}/{int(quiz_id)}-{slug(quiz_name)}"


def attempt_file_names(documents: list[dict]) -> dict[int, str]:
    """attempt id -> file name. The student's idnumber names the file when it is set and
    used by one user only in this quiz; otherwise the Moodle user id does."""
    owners: dict[str, set[int]] = {}
    for d in documents:
        if d["student_idnumber"]:
            owners.setdefault(safe_segment(d["student_idnumber"]), set()).add(d["user_id"])
    names = {}
    for d in documents:
        key = safe_segment(d["student_idnumber"]) if d["student_idnumber"] else ""
        person = key if key and len(owners[key]) == 1 else str(d["user_id"])
        names[d["attempt_id"]] = f"{person}-{d['attempt']}.pdf"
    duplicated = [n for n, c in Counter(names.values()).items() if c > 1]
    if duplicated:  # two attempts with one number by one user cannot happen in Moodle
        raise ValueError(f"two attempts map to the same file name: {duplicated}")
    return names


def manifest_row(path: str, kind: str, sha256: str, size: int, document: dict) -> dict:
    return {
        "path": path,
        "kind": kind,
        "sha256": sha256,
        "bytes": int(size),
        "quiz_id": int(document["quiz_id"]),
        "attempt_id": document.get("attempt_id") if kind == "attempt" else None,
        "user_id": document.get("user_id") if kind == "attempt" else None,
        "grade": document.get("grade") if kind == "attempt" else None,
        "grading_finished": bool(
            document.get("grading_finished")
            if kind == "attempt"
            else document.get("pending_count", 0) == 0
        ),
    }


def manifest_bytes(rows: list[dict], date_prefix: str) -> tuple[bytes, bytes]:
    """CSV and JSON of the date's manifest; paths relative to the date's folder, sorted."""
    ordered = sorted(
        ({**r, "path": r["path"].removeprefix(date_prefix + "/")} for r in rows),
        key=lambda r: r["path"],
    )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in ordered:
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in MANIFEST_COLUMNS})
    body = json.dumps(ordered, ensure_ascii=False, indent=1) + "\n"
    return text.getvalue().encode("utf-8"), body.encode("utf-8")
