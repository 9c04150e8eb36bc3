"""The rejects table of every feed (`feed_reject`, migration 060) and its summary line.

A row that fails its feed's schema (include/feed_schema.py) is recorded once per
feed and key, in the transaction that stores the good rows; a later read of the
same bad row only moves `last_seen`. It is resolved when the source sends the
key again valid (`resolved_keys`) or, for a feed read whole per scope (a
provider-day of the LMS, a registry list), when a read of that scope no longer
carries it. Open rejects are reported in every run's summary until then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from include.feed_schema import FeedReject


def seen_now() -> datetime:
    """The moment a read is recorded (naive UTC, microseconds: the table's convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def record_rejects(
    db,
    cursor,
    feed: str,
    rejects: Iterable[FeedReject | dict],
    run_id: str,
    seen_at: datetime,
    *,
    scope: str | None = None,
    resolved_keys: Iterable[str] = (),
) -> int:
    """Upsert this read's rejects; resolve `resolved_keys` (sent valid this time) and,
    with `scope`, every open reject of that scope this read did not carry."""
    rows = []
    for reject in rejects:
        item = reject.as_dict() if isinstance(reject, FeedReject) else reject
        rows.append(
            {
                "feed": feed,
                "record_key": str(item["key"])[:191],
                "field": str(item["field"])[:100],
                "reason": str(item["reason"])[:1000],
                "scope": (scope or "")[:100],
                "seen_at": seen_at,
                "run_id": run_id,
            }
        )
    rejected = {row["record_key"] for row in rows}
    if rows:
        cursor.executemany(db.query("feed_reject_upsert"), rows)
    fixed = [
        {"feed": feed, "record_key": str(key)[:191], "seen_at": seen_at}
        for key in dict.fromkeys(resolved_keys)
        if str(key)[:191] not in rejected
    ]
    if fixed:
        cursor.executemany(db.query("feed_reject_resolve_key"), fixed)
    if scope is not None:
        cursor.execute(
            db.query("feed_reject_resolve_scope"),
            {"feed": feed, "scope": scope[:100], "seen_at": seen_at},
        )
    return len(rows)


def open_rejects(db, feed_pattern: str) -> dict[str, int]:
    """Open (unresolved) rejects per feed whose name matches the SQL LIKE pattern."""
    frame = db.read_frame(db.query("feed_reject_open"), {"feed_pattern": feed_pattern})
    return {str(r.feed): int(r.open_rejects) for r in frame.itertuples(index=False)}


def open_rejects_text(counts: dict[str, int]) -> str:
    """`open feed rejects: 2 (lms_attendance 2)` or '' when there is none."""
    total = sum(counts.values())
    if not total:
        return ""
    parts = ", ".join(f"{feed} {n}" for feed, n in sorted(counts.items()) if n)
    return f"open feed rejects: {total} ({parts}; table feed_reject)"
