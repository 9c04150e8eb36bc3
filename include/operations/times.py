"""Moments on the operations pages: every one is sent to the browser in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utc_moment(value) -> datetime | None:
    """`value` (a datetime, naive = UTC as the pipelines store it, or ISO 8601 text such
    as EIOS's `changed_at`) as an aware UTC datetime; None for a plain date, an empty or
    an unreadable value (shown as it is)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return None
    else:
        text = str(value).strip()
        if len(text) <= 10:  # a day, not a moment
            return None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
