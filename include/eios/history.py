"""The run's history CSV (the seed's "История CSV") and its retention."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

HEADER = ["time", "faculty", "student", "username", "action", "old", "new", "result"]
NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})\.csv$")


def history_file_name(run_started: datetime) -> str:
    """`YYYY-MM-DD_HH-MM-SS.csv` of the run's start (UTC)."""
    return run_started.strftime("%Y-%m-%d_%H-%M-%S") + ".csv"


def history_rows(time_text: str, faculty_id: str, results: list[dict]) -> list[list[str]]:
    """One row per action: time, faculty, student, username, action, old, new, result."""
    return [
        [
            time_text,
            faculty_id,
            r.get("student_id", ""),
            r.get("username", ""),
            r["kind"],
            r.get("old", ""),
            r.get("new", ""),
            r["result"],
        ]
        for r in results
    ]


def expired_files(names: list[str], now: datetime, retention_days: int) -> list[str]:
    """History file names older than the retention (other files are never touched)."""
    limit = now - timedelta(days=retention_days)
    expired = []
    for name in names:
        match = NAME.match(name)
        if match and datetime.strptime(match.group(1), "%Y-%m-%d_%H-%M-%S") < limit:
            expired.append(name)
    return sorted(expired)
