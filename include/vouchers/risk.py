"""Risk rules from the registry's flags, applied without a human (spec "Risk checks").

Stateless: a provider's status on a date follows from the flags alone, so a
re-run (or a backfill of an old month) gives the same answer.
- `liquidation` flagged on or before the date -> terminated;
- `tax_debt` or `address_mismatch` open on the date -> suspended (act held);
  resolved -> active again (payments resume);
  open for `grace_months` (2) or more, even if fixed later -> terminated;
- `death` of a child -> the child's voucher is annulled from that date.
The empty-register termination flag is raised by the act computation (it
needs the month's marks), not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

SUSPENDING = ("tax_debt", "address_mismatch")


@dataclass(frozen=True)
class ProviderStatus:
    bin: str
    status: str  # active | suspended | terminated
    reason: str | None
    since: date | None


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month - 1]  # fmt: skip
    return date(year, month, min(day.day, last))


def provider_statuses(
    bins, flags: pd.DataFrame, period_end: date, as_of: date | None = None, grace_months: int = 2
) -> dict[str, ProviderStatus]:
    """Status of each provider for a month ending `period_end`, judged on `as_of` (the day
    the act is formed; default `period_end`): flags raised after the month do not touch
    it; a fix known by `as_of` releases the hold; the 2-month clock runs to `as_of`."""
    as_of = max(as_of or period_end, period_end)
    result = {b: ProviderStatus(b, "active", None, None) for b in bins}
    if flags.empty:
        return result
    flagged_on = pd.to_datetime(flags["flagged_on"]).dt.date
    known = flags[flags["bin"].isin(list(result)) & (flagged_on <= period_end)]
    for row in known.sort_values(["bin", "flagged_on", "kind"]).itertuples(index=False):
        flagged = pd.Timestamp(row.flagged_on).date()
        resolved = None if pd.isna(row.resolved_on) else pd.Timestamp(row.resolved_on).date()
        current = result[row.bin]
        if current.status == "terminated":
            continue
        if row.kind == "liquidation":
            result[row.bin] = ProviderStatus(row.bin, "terminated", "liquidation", flagged)
        elif row.kind in SUSPENDING:
            deadline = add_months(flagged, grace_months)
            open_until = as_of if resolved is None or resolved > as_of else resolved
            if open_until >= deadline:
                result[row.bin] = ProviderStatus(
                    row.bin, "terminated", f"{row.kind}_unfixed_{grace_months}_months", deadline
                )
            elif resolved is None or resolved > as_of:
                result[row.bin] = ProviderStatus(row.bin, "suspended", row.kind, flagged)
    return result


def death_dates(flags: pd.DataFrame) -> dict[str, date]:
    """Child IIN -> date of death (the voucher is annulled from that date)."""
    deaths = flags[flags["kind"] == "death"]
    return {row.iin: pd.Timestamp(row.flagged_on).date() for row in deaths.itertuples(index=False)}
