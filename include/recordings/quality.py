"""Row rules of the poll's data-quality gate: which recordings are rejected, and why.

The entities were checked against their schema first (include/recordings/feed.py);
these rules are the gate's second net over the accepted rows (key present,
`createdDate` parseable and not in the future, duration > 0; a key seen twice
keeps its last row), then the accepted frame is checked as a whole by a Great
Expectations suite (include/quality): key present and unique, duration > 0.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

RECORDING_COLUMNS = [
    "id",
    "key",
    "title",
    "created_date",
    "created_by_email",
    "room_name",
    "participants_count",
    "size",
    "duration",
]


def entities_frame(rows: list[dict]) -> pd.DataFrame:
    """The schema-checked rows (`RecordingEntity.as_row()`, our column names) as a frame."""
    return pd.DataFrame(rows, columns=RECORDING_COLUMNS)


def split_rejects(frame: pd.DataFrame, now: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted, rejects): rejects carry a `field` and a `reason`. `created_date` of the accepted
    rows becomes naive UTC; a key seen twice in one poll keeps its last row."""
    created = pd.to_datetime(frame["created_date"], errors="coerce", utc=True)
    duration = pd.to_numeric(frame["duration"], errors="coerce")
    limit = (
        pd.Timestamp(now).tz_convert("UTC")
        if pd.Timestamp(now).tzinfo
        else pd.Timestamp(now, tz="UTC")
    )
    reasons = pd.Series("", index=frame.index, dtype=object)
    fields = pd.Series("", index=frame.index, dtype=object)

    def reject(mask: pd.Series, field: str, reason: str) -> None:
        mask = mask & (reasons == "")
        reasons[mask], fields[mask] = reason, field

    reject(frame["key"].fillna("").astype(str).str.strip() == "", "key", "key missing")
    reject(created.isna(), "createdDate", "createdDate not parseable")
    reject(created > limit, "createdDate", "createdDate in the future")
    reject(~(duration > 0), "duration", "duration not > 0")
    rejects = frame[reasons != ""].assign(
        field=fields[reasons != ""], reason=reasons[reasons != ""]
    )
    accepted = frame[reasons == ""].assign(
        created_date=created[reasons == ""].dt.tz_localize(None),
        duration=duration[reasons == ""].astype("int64"),
    )
    accepted = accepted.drop_duplicates("key", keep="last").reset_index(drop=True)
    return accepted, rejects.reset_index(drop=True)


def accepted_expectations() -> list:
    """The GX suite of the accepted frame."""
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="key"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="key"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="duration", min_value=1),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="created_date"),
    ]
