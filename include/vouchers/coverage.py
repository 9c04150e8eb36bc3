"""Input coverage: did the upstream DAG produce what a downstream DAG is about to consume.

`voucher_acts` forms a month's acts from the register `voucher_ingest` stored;
an act (and its holds and termination flag) formed from a register that was
never ingested would be a false statement about the provider, so the month's
due provider-days are checked against the ingested ones first. A provider-day
that was ingested with no mark at all is covered: that is a real empty
register, which the acts hold as such.

`voucher_payments` copies act statuses from the registry onto the acts
`voucher_acts` formed; an act the registry lists but the project DB never
formed would have its status and payment silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

MAX_NAMED_PROVIDERS = 10  # providers named in a gate's message; the rest are counted
MAX_NAMED_RUNS = 4  # runs of consecutive missing working days named per provider
MAX_NAMED_ACTS = 10


def due_register_days(working_days: Iterable[date], providers: pd.DataFrame) -> pd.DataFrame:
    """The provider-days (`bin`, `register_date`) whose register must have been ingested.

    `providers`: one row per provider of the month: `bin`, `funding_model`, `status`,
    `status_since`, `contract_from`, `contract_to` (the first start and the last end of
    its contracts overlapping the month; both empty when it has none; `contract_to`
    empty with a contract = open-ended).
    - a provider with a contract: every working day from `contract_from` to `contract_to`;
    - an `estimate` provider (an act whatever its contingent): every working day;
    - a `voucher` provider without a contract: no act, nothing due;
    - a `terminated` provider: nothing from `status_since` on (ingest no longer pulls it).
    """
    days = pd.DataFrame({"register_date": pd.to_datetime(sorted(set(working_days)))})
    columns = ["bin", "register_date"]
    if days.empty or providers.empty:
        return pd.DataFrame(columns=columns)
    frame = providers.reset_index(drop=True)
    start = pd.to_datetime(frame["contract_from"])
    end = pd.to_datetime(frame["contract_to"])
    has_contract = start.notna()
    estimate = frame["funding_model"].eq("estimate")
    first, last = days["register_date"].iloc[0], days["register_date"].iloc[-1]
    since = pd.to_datetime(frame["status_since"])
    terminated = frame["status"].eq("terminated")
    stop = pd.Series(last + pd.Timedelta(days=1), index=frame.index)
    stop[terminated] = since[terminated].fillna(first)  # terminated, date unknown: nothing due
    spans = pd.DataFrame(
        {
            "bin": frame["bin"],
            "start": start.where(has_contract & ~estimate, first),
            "end": end.where(has_contract & ~estimate, last).fillna(last),
            "stop": stop,
        }
    )[has_contract | estimate]
    due = spans.merge(days, how="cross")
    day = due["register_date"]
    due = due[(day >= due["start"]) & (day <= due["end"]) & (day < due["stop"])]
    due = due[columns].drop_duplicates().sort_values(columns).reset_index(drop=True)
    due["register_date"] = due["register_date"].dt.date
    return due


def missing_register_days(due: pd.DataFrame, ingested: pd.DataFrame) -> pd.DataFrame:
    """The due provider-days (`bin`, `register_date`) with no ingested register
    (`ingested`: `bin`, `register_date` of every provider-day ingest recorded)."""
    columns = ["bin", "register_date"]
    if due.empty:
        return pd.DataFrame(columns=columns)
    done = pd.DataFrame(
        {
            "bin": ingested["bin"].astype(str) if not ingested.empty else [],
            "register_date": pd.to_datetime(ingested["register_date"]).dt.date
            if not ingested.empty
            else [],
            "_ingested": True,
        }
    )
    keyed = due[columns].assign(bin=due["bin"].astype(str))
    joined = keyed.merge(done.drop_duplicates(columns), on=columns, how="left")
    missing = joined[joined["_ingested"].isna()][columns]
    return missing.sort_values(columns).reset_index(drop=True)


def _runs(days: list[date], working_days: list[date]) -> list[str]:
    """Consecutive working days as `first..last` (a single day as itself)."""
    position = {d: n for n, d in enumerate(working_days)}
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and position.get(day, -2) == position.get(runs[-1][-1], -9) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [
        run[0].isoformat() if len(run) == 1 else f"{run[0].isoformat()}..{run[-1].isoformat()}"
        for run in runs
    ]


def describe_missing_register(
    missing: pd.DataFrame,
    working_days: Iterable[date],
    period: str,
    max_providers: int = MAX_NAMED_PROVIDERS,
    max_runs: int = MAX_NAMED_RUNS,
) -> str:
    """The gate's readable message: how many provider-days, then per provider (the first
    `max_providers`) its missing working days as runs, the rest counted."""
    working = sorted(set(working_days))
    by_provider = missing.groupby("bin", sort=True)["register_date"].apply(list)
    named = []
    for bin_, days in list(by_provider.items())[:max_providers]:
        runs = _runs(days, working)
        text = ", ".join(runs[:max_runs])
        if len(runs) > max_runs:
            rest = sum(1 for d in days if d > _run_end(runs[max_runs - 1]))
            text += f" and {rest} more day(s)"
        named.append(f"BIN {bin_} on {text}")
    listed = _named_and_counted(named, len(by_provider), "; ", "; and {} more provider(s)")
    return (
        f"register of {period} not ingested for {len(missing)} provider-day(s) of"
        f" {len(by_provider)} provider(s): {listed}. Run voucher_ingest"
        " for these days (params day_from, day), then re-run this month."
    )


def _named_and_counted(named: list[str], total: int, separator: str, rest: str) -> str:
    """The first of `total` items by name, joined by `separator`, then `rest` with the
    number not named (`rest` is left out when every item is named)."""
    unnamed = total - len(named)
    return separator.join(named) + (rest.format(unnamed) if unnamed > 0 else "")


def _run_end(run: str) -> date:
    return date.fromisoformat(run.split("..")[-1])


def acts_not_formed(registry_acts: pd.DataFrame, formed: pd.DataFrame) -> pd.DataFrame:
    """The registry's acts (`act_number`, `bin`, `period`) that the project DB does not hold
    as formed by voucher_acts (no act of that number, or one of another provider or month)."""
    columns = ["act_number", "bin", "period"]
    if registry_acts.empty:
        return pd.DataFrame(columns=columns)
    known = formed[columns].drop_duplicates().assign(_formed=True)
    joined = registry_acts[columns].merge(known, on=columns, how="left")
    return (
        joined[joined["_formed"].isna()][columns]
        .sort_values(["period", "act_number"])
        .reset_index(drop=True)
    )


def describe_acts_not_formed(missing: pd.DataFrame, max_acts: int = MAX_NAMED_ACTS) -> str:
    periods = sorted(missing["period"].unique())
    named = [
        f"{row.act_number} (BIN {row.bin}, {row.period})"
        for row in missing.head(max_acts).itertuples(index=False)
    ]
    listed = _named_and_counted(named, len(missing), ", ", " and {} more")
    return (
        f"{len(missing)} act(s) in the voucher registry were never formed by voucher_acts here"
        f" (period(s) {', '.join(periods)}): {listed}. Run voucher_acts"
        " for those periods (or restore the project DB) before tracking payments."
    )
