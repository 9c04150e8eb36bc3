"""The publication gate: every 15 minutes a poll, but publication once a day.

Publication proceeds when `auto_publish` is on, the local time in the
university's time zone is at or past `publish_at`, and no publication has
succeeded yet on that local date. `publish_now` skips the gate. The clock is
the run's logical date, so re-running a run decides the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class GateDecision:
    publish: bool
    local_date: str  # the university's date at `now`
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def decide_publication(
    now: datetime,
    *,
    auto_publish: bool,
    publish_at: str,
    timezone: str,
    published_dates: set[str],
    publish_now: bool = False,
) -> GateDecision:
    """Whether this run publishes. `now` is timezone-aware; `published_dates` holds
    the local dates (ISO) on which a publication already succeeded."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(timezone))
    local_date = local.date().isoformat()
    if publish_now:
        return GateDecision(True, local_date, "publish_now: the time gate is skipped")
    if not auto_publish:
        return GateDecision(False, local_date, "auto_publish is off")
    due = time.fromisoformat(publish_at)
    if local.time().replace(tzinfo=None) < due:
        return GateDecision(
            False, local_date, f"{local:%H:%M} {timezone} is before publish_at {publish_at}"
        )
    if local_date in published_dates:
        return GateDecision(False, local_date, f"already published on {local_date}")
    return GateDecision(True, local_date, f"first run after {publish_at} {timezone}")
