"""The data behind each operations page, one function per page.

Each function takes a DB-API connection to pipelines_db (and the store root
where files are listed) and returns plain dicts for the templates. A section
whose pipeline table does not exist yet says so (`missing`) instead of failing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from include.operations import queries
from include.operations.paging import Page, PageRequest
from include.operations.queries import MissingTable
from include.operations.store_files import list_folder, safe_relative_path

# Where each pipeline keeps its files in the store (see the pipelines' docs).
EIOS_HISTORY_FOLDER = "eios_sync/history"
EXAMS_FOLDER = "exams"

SECTIONS = {
    "eios": ("EIOS sync", ["eios_sync"]),
    "kontur": ("Kontur.Talk recordings", ["kontur_recordings"]),
    "exams": ("Exam archive", ["exam_archive"]),
    "vouchers": ("Vouchers", ["voucher_ingest", "voucher_acts", "voucher_payments"]),
    "courses": ("Courses", ["course_archive", "course_audit"]),
}


def overview(connection) -> dict[str, Any]:
    """The latest run report of every DAG, grouped by section."""
    latest = {row["dag_id"]: row for row in queries.rows(connection, "latest_run_reports")}
    grouped = []
    for key, (title, dag_ids) in SECTIONS.items():
        grouped.append(
            {"key": key, "title": title, "runs": [latest.pop(d) for d in dag_ids if d in latest]}
        )
    return {"sections": grouped, "others": list(latest.values())}


def run_reports(connection, dag_id: str, request: PageRequest) -> Page:
    return queries.page(connection, "run_reports", request, {"dag_id": dag_id})


def last_run(connection, dag_id: str) -> dict[str, Any] | None:
    """The DAG's latest run report: the first of its run reports, newest first."""
    found = run_reports(connection, dag_id, PageRequest.of(1, 1)).items
    return found[0] if found else None


def counts_table(counts: Any) -> dict[str, Any]:
    """A run's counts as a table: {"columns": [...], "rows": [[key, v1, ...]]}.

    Nested counts ({faculty: {created: 3, ...}}) become one row per key; flat counts
    one row per name.
    """
    if not isinstance(counts, dict) or not counts:
        return {"columns": [], "rows": []}
    nested = {k: v for k, v in counts.items() if isinstance(v, dict)}
    if nested:
        columns: list[str] = []
        for value in nested.values():
            columns += [
                c for c in value if c not in columns and not isinstance(value[c], (dict, list))
            ]
        rows = [[key, *[value.get(c, "") for c in columns]] for key, value in nested.items()]
        return {"columns": columns, "rows": rows}
    return {"columns": ["count"], "rows": [[k, _plain(v)] for k, v in counts.items()]}


def _plain(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _section(fn, *args, **kwargs):
    """Run one part of a page; a pipeline table that does not exist yet is reported."""
    try:
        return {"ok": True, "value": fn(*args, **kwargs)}
    except MissingTable as missing:
        return {"ok": False, "missing": str(missing)}


# --- EIOS sync -------------------------------------------------------------------


def eios(connection, root, request: PageRequest) -> dict[str, Any]:
    history = list_folder(root, EIOS_HISTORY_FOLDER, request, suffix=".csv", newest_first=True)
    newest = list_folder(root, EIOS_HISTORY_FOLDER, PageRequest.of(1, 1), suffix=".csv")
    return {
        "history": history,
        "held": _section(_eios_held, connection),
        "last_run": last_run(connection, "eios_sync"),
        "last_history": newest.items[0] if newest.items else None,
        "faculty_counts": faculty_counts(root / newest.items[0].relative_path)
        if newest.items
        else None,
    }


def faculty_counts(history_csv) -> dict[str, Any]:
    """Actions of one run per faculty and result, from its history CSV (streamed)."""
    import csv
    import io
    from collections import Counter, defaultdict

    per_faculty: dict[str, Counter] = defaultdict(Counter)
    with history_csv.open("rb") as handle:
        for row in csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8", newline="")):
            result = (row.get("result") or "").split(":", 1)[0].strip() or "unknown"
            per_faculty[row.get("faculty") or "?"][result] += 1
    columns = [c for c in HISTORY_RESULTS if any(c in counter for counter in per_faculty.values())]
    columns += sorted({r for c in per_faculty.values() for r in c} - set(columns))
    rows = [
        [faculty, *[counter.get(c, 0) for c in columns], sum(counter.values())]
        for faculty, counter in sorted(per_faculty.items())
    ]
    return {"columns": [*columns, "total"], "rows": rows}


HISTORY_RESULTS = ["applied", "planned", "held", "failed", "reported"]


def _eios_held(connection) -> list[dict[str, Any]]:
    return queries.rows(connection, "eios_held_by_faculty")


def eios_confirm(connection, faculty: str, request: PageRequest) -> dict[str, Any]:
    """The trigger form of `eios_sync` prefilled to release one faculty's held actions.

    Airflow 3.3's own trigger form cannot be prefilled from a URL (its
    `/dags/<id>/trigger/...` route does not exist before a later release), so
    the page carries the form: the run conf it will send is shown before sending.
    """
    held = _section(_eios_held, connection)
    faculties = [str(row["faculty_id"]) for row in held["value"]] if held["ok"] else []
    chosen = faculty if faculty in faculties else ""
    actions = _section(
        queries.page, connection, "eios_held_actions", request, {"faculty_id": chosen}
    )
    return {
        "faculty": chosen,
        "requested": faculty,
        "faculties": held["value"] if held["ok"] else [],
        "held": held,
        "actions": actions,
        "conf": {"confirm_mass_graduation": [chosen]} if chosen else None,
    }


# --- Kontur.Talk -------------------------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def kontur(
    connection,
    root,
    request: PageRequest,
    course: str = "",
    date_from: str = "",
    date_to: str = "",
    days: int = 7,
) -> dict[str, Any]:
    start, end = _day(date_from), _day(date_to)
    course_id = int(course) if course.strip().isdigit() else None
    days = min(max(int(days or 7), 1), 366)
    filters = {"course_id": course_id, "date_from": start, "date_to": end}
    return {
        "filters": {
            "course": course_id or "",
            "date_from": start or "",
            "date_to": end or "",
            "days": days,
        },
        "journal": _section(queries.page, connection, "kontur_journal", request, filters),
        "unmatched": _section(unmatched_recordings, connection, root, days),
        "next_publication": _section(next_publication, connection),
        "last_run": last_run(connection, "kontur_recordings"),
    }


def unmatched_recordings(connection, root, days: int, today: date | None = None) -> dict[str, Any]:
    """The newest publication run's unmatched/ambiguous recordings of the last `days` days."""
    import csv
    import io

    found = queries.rows(connection, "kontur_latest_unmatched")
    if not found:
        return {"run_id": None, "rows": [], "csv": None}
    relative = store_relative(root, found[0]["unmatched_path"])
    path = root / relative
    since = (today or datetime.now(UTC).date()) - timedelta(days=days)
    rows = []
    if path.exists():
        with path.open("rb") as handle:
            for row in csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8", newline="")):
                if (_day(row.get("local_date", "")) or since) >= since:
                    rows.append(row)
    return {"run_id": found[0]["run_id"], "rows": rows, "csv": relative if path.exists() else None}


def next_publication(connection, now: datetime | None = None) -> dict[str, Any]:
    """When the daily publication runs next: the settings' time gate and today's journal day."""
    from zoneinfo import ZoneInfo

    from include.config import KonturRecordingsSettings, parse_settings

    settings = parse_settings(KonturRecordingsSettings, _variable("kontur_recordings"))
    zone = ZoneInfo(settings.timezone)
    local_now = (now or datetime.now(UTC)).astimezone(zone)
    hour, minute = (int(part) for part in settings.publish_at.split(":"))
    today_at = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    done = queries.rows(connection, "kontur_publication_day", {"local_date": local_now.date()})
    if done:
        when, note = today_at + timedelta(days=1), "published today"
    elif local_now < today_at:
        when, note = today_at, "not yet published today"
    else:
        when, note = local_now, "due: the next poll (every 15 minutes) publishes"
    return {
        "auto_publish": settings.auto_publish,
        "publish_at": settings.publish_at,
        "timezone": settings.timezone,
        "next_at": when.strftime("%Y-%m-%d %H:%M %Z"),
        "next_at_utc": when.astimezone(UTC),
        "note": note,
        "published_today": done[0]["published"] if done else 0,
    }


def _variable(key: str) -> str | None:
    """The DAG's settings Variable as stored (None when unset: the model's defaults)."""
    # The pages run in the API server, outside any task: the SDK's Variable needs a task
    # runner, the model reads the metadata DB (and the secrets backends) directly.
    from airflow.models import Variable  # noqa: AIR311

    return Variable.get(key, default_var=None)  # noqa: AIR311


# --- Exam archive ----------------------------------------------------------------


def exam_dates(connection, root, request: PageRequest) -> dict[str, Any]:
    """Archived dates, newest first, with counts and the manifest of each date."""
    dates = _section(queries.page, connection, "exam_dates", request)
    if dates["ok"]:
        for row in dates["value"].items:
            row["manifests"] = _manifests(root, row["archive_date"])
    return {"dates": dates, "last_run": last_run(connection, "exam_archive")}


def _manifests(root, day: date) -> list[str]:
    folder = f"{EXAMS_FOLDER}/{day:%Y/%m/%d}"
    return [
        f"{folder}/manifest.{ext}"
        for ext in ("csv", "json")
        if (root / folder / f"manifest.{ext}").exists()
    ]


def exam_day(connection, root, day: str, request: PageRequest) -> dict[str, Any]:
    """One archived date: its quizzes with counts, a page of its PDFs, the manifest."""
    parsed = _day(day)
    if parsed is None:
        return {"day": day, "invalid": True}
    params = {"archive_date": parsed}
    return {
        "day": parsed.isoformat(),
        "quizzes": _section(queries.rows, connection, "exam_quizzes", params),
        "files": _section(queries.page, connection, "exam_files", request, params),
        "manifests": _manifests(root, parsed),
        "runs": _section(
            queries.rows,
            connection,
            "exam_date_runs",
            {"folder": f"{EXAMS_FOLDER}/{parsed:%Y/%m/%d}"},
        ),
    }


# --- Vouchers --------------------------------------------------------------------


def vouchers(connection, request: PageRequest, month: str = "") -> dict[str, Any]:
    period = month if len(month) == 7 and month[4] == "-" else ""
    return {
        "month": period,
        "months": _section(queries.page, connection, "voucher_months", request),
        "acts": _section(queries.page, connection, "voucher_acts", request, {"period": period})
        if period
        else None,
        "held": _section(queries.page, connection, "voucher_held_acts", PageRequest.of(1, 100)),
        "overdue": _section(queries.page, connection, "voucher_overdue", PageRequest.of(1, 100)),
        "runs": [
            run for dag_id in SECTIONS["vouchers"][1] if (run := last_run(connection, dag_id))
        ],
    }


# --- Courses ---------------------------------------------------------------------


def courses(connection, root, request: PageRequest) -> dict[str, Any]:
    audit = last_run(connection, "course_audit")
    return {
        "backups": _section(queries.page, connection, "course_backups", request),
        "audit": audit,
        "audit_counts": counts_table(audit["counts"]) if audit else None,
        "audit_files": _store_outputs(root, audit["outputs"]) if audit else [],
    }


def store_relative(root, path: Any) -> str:
    """A store file's path as the pipelines record it (URL, local path or relative)."""
    text = str(path)
    for prefix in (str(root).rstrip("/"), root.path.rstrip("/")):
        if text.startswith(prefix + "/"):
            text = text[len(prefix) + 1 :]
    return text


OUTPUT_FILES_PER_FOLDER = 20


def _store_outputs(root, outputs: Any) -> list[dict[str, str]]:
    """A run's outputs that are files of the store (or a folder's first files), as links."""
    found = []
    for name, where in (outputs or {}).items():
        for value in where if isinstance(where, list) else [where]:
            try:
                relative = safe_relative_path(store_relative(root, value))
            except ValueError:
                continue
            path = root / relative
            if path.is_file():
                found.append({"name": name, "relative_path": relative})
            elif path.is_dir():
                files = list_folder(
                    root, relative, PageRequest.of(1, OUTPUT_FILES_PER_FOLDER), newest_first=False
                )
                found += [{"name": name, "relative_path": f.relative_path} for f in files.items]
    return found
