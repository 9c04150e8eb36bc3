"""Row rules of the poll's data-quality gate: which recordings are rejected, and why.

The accepted frame is then checked as a whole by a Great Expectations suite
(include/quality): key present and unique, duration > 0.
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


def entities_frame(entities: list[dict]) -> pd.DataFrame:
    """The API's entities as a frame with our column names (createdDate kept as text)."""
    rows = [
        {
            "id": str(e.get("id") or ""),
            "key": str(e.get("key") or "").strip(),
            "title": str(e.get("title") or ""),
            "created_date": e.get("createdDate"),
            "created_by_email": ((e.get("createdBy") or {}).get("email") or ""),
            "room_name": str(e.get("roomName") or ""),
            "participants_count": e.get("participantsCount"),
            "size": e.get("size"),
            "duration": e.get("duration"),
        }
        for e in entities
    ]
    return pd.DataFrame(rows, columns=RECORDING_COLUMNS)


def split_rejects(frame: pd.DataFrame, now: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted, rejects): rejects carry a `reason`. `created_date` of the accepted
    rows becomes naive UTC; a key seen twice in one poll keeps its last row."""
    created = pd.to_datetime(frame["created_date"], errors="coerce", utc=True)
    duration = pd.to_numeric(frame["duration"], errors="coerce")
    limit = (
        pd.Timestamp(now).tz_convert("UTC")
        if pd.Timestamp(now).tzinfo
        else pd.Timestamp(now, tz="UTC")
    )
    reasons = pd.Series("", index=frame.index, dtype=object)
    reasons[frame["key"].fillna("").astype(str).str.strip() == ""] = "key missing"
    reasons[(reasons == "") & created.isna()] = "createdDate not parseable"
    reasons[(reasons == "") & (created > limit)] = "createdDate in the future"
    reasons[(reasons == "") & ~(duration > 0)] = "duration not > 0"
    rejects = frame[reasons != ""].assign(reason=reasons[reasons != ""])
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
