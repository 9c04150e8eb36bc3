"""`voucher_ingest`'s tasks: the registry's reference data, then each provider's
contracts and marks from the kindergarten LMS through the register rules into the
project DB, the double-funding check and the day's rejects file.

Each task opens its own hooks (one task = one process under a distributed executor)
and returns small JSON values for XCom; frames stay in MariaDB or the store.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from airflow.sdk import get_current_context, task

from include.assets import VOUCHER_MONTH_CLOSED, VOUCHER_REGISTER_DAYS
from include.config import SettingsError, VoucherIngestSettings
from include.connectors.mysql_base import deadlock_retrying
from include.dag_defaults import HEAVY_TIMEOUT, mapped_results
from include.tasks.settings import settings_of
from include.tasks.vouchers_common import (
    STORE_FOLDER,
    day_param,
    extract_registry,
    project_db,
    records,
    resolve_voucher_settings,
    run_day,
)

__all__ = ["extract_registry"]  # shared with voucher_acts; re-exported for the DAG file

MARK_COLUMNS = ["bin", "iin", "mark_date", "code", "document"]
REJECT_COLUMNS = ["bin", "mark_date", "iin", "code", "document", "reason"]


class IngestRun(VoucherIngestSettings):
    """The settings of one ingest run and the days it ingests."""

    days: list[date]


def ingest_days(context) -> list[date]:
    """Param `day` (else yesterday: the register of the day before the run), or every day
    from param `day_from` to it."""
    params = context.get("params") or {}
    last = day_param(params, "day") or run_day(context) - timedelta(days=1)
    first = day_param(params, "day_from") or last
    if first > last:
        raise SettingsError(f"day_from {first} is after day {last}")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def resolve_settings():
    """First task: the Variables `vouchers` + `voucher_ingest`, and the days to ingest."""
    return resolve_voucher_settings(
        VoucherIngestSettings,
        "voucher_ingest",
        IngestRun,
        lambda context: {"days": ingest_days(context)},
    )


@task
def plan_batches(settings: dict, registry: dict) -> list[list[str]]:
    """Providers in batches: one mapped ingest task per batch. A terminated provider is
    left out, unless its termination took effect after the first day (a backfill of days
    it still operated: voucher_acts expects those days' register)."""
    run = settings_of(IngestRun, settings)
    db = project_db()
    try:
        frame = db.read_frame(db.query("voucher_providers_to_ingest"), {"first_day": run.days[0]})
    finally:
        db.close()
    bins = frame["bin"].tolist()
    size = run.provider_batch_size
    return [bins[i : i + size] for i in range(0, len(bins), size)]


@task(max_active_tis_per_dagrun=4, execution_timeout=HEAVY_TIMEOUT)
def ingest_marks(batch: list[str], settings: dict, run_id: str | None = None) -> dict:
    """For the batch's providers: their contracts and each day's marks from the LMS, read
    side by side by a bounded pool (`lms_concurrency` connections); the register rules
    split a whole day of the batch in one vectorised call; each provider-day's marks,
    rejects and coverage record are replaced in one transaction (one per batch-day,
    multi-row INSERTs). Contracts and marks are checked against their schema first
    (include/vouchers/feeds.py): a failing row goes to `feed_reject` (feeds
    `lms_contracts`, `lms_attendance`), the other rows go on."""
    from include.tasks.voucher_lms import LmsPool, ingest_contracts
    from include.tasks.voucher_month_lines import forget_day_marks
    from include.vouchers.calendar import WorkingCalendar
    from include.vouchers.risk import death_dates

    run_id = run_id or ""  # a direct call (bench, tests) has no run
    run = settings_of(IngestRun, settings)
    calendar = WorkingCalendar.for_years(
        {d.year for d in run.days}, run.extra_holidays, run.extra_working_days
    )
    db = project_db()
    counts: Counter[str] = Counter()
    try:
        forget_day_marks(db, run.days)  # their Parquet files go stale from here on
        deaths = death_dates(db.read_frame(db.query("voucher_death_flags")))
        terminated_on = _terminated_on(db)
        with LmsPool(run) as lms:
            contracts = ingest_contracts(db, lms, batch, deaths, run_id, counts)
            # the pool reads the next day while this one is split and written
            due = {
                day: [b for b in batch if not (b in terminated_on and day >= terminated_on[b])]
                for day in run.days
            }  # no register after a termination took effect
            pending = lms.attendance(due[run.days[0]], run.days[0])
            for n, day in enumerate(run.days):
                answers = pending
                if n + 1 < len(run.days):
                    pending = lms.attendance(due[run.days[n + 1]], run.days[n + 1])
                counts.update(
                    _ingest_day(db, day, [f.result() for f in answers], contracts, calendar, run_id)
                )
        counts["providers"] += len(batch)
    finally:
        db.close()
    return dict(counts)


def _terminated_on(db) -> dict[str, date]:
    """Terminated provider -> the day its termination took effect (date.min if unknown)."""
    import pandas as pd

    frame = db.read_frame(db.query("voucher_terminated_providers"))
    return {
        row.bin: date.min if pd.isna(row.status_since) else pd.Timestamp(row.status_since).date()
        for row in frame.itertuples(index=False)
    }


def _ingest_day(db, day: date, answers, contracts, calendar, run_id) -> Counter:
    """One day of the batch: each provider's marks checked against the schema, then the
    register rules over the whole day at once (rows keep their provider: every rule is
    per provider), then every provider-day replaced."""
    import pandas as pd

    from include.vouchers.feeds import validate_marks
    from include.vouchers.register import split_register

    frames, days = [], []
    for bin_, items in answers:
        valid, schema_rejects = validate_marks(bin_, day, items)
        frames.append(
            pd.DataFrame(valid, columns=["iin", "date", "code", "document"]).assign(bin=bin_)
        )
        days.append((bin_, len(items), schema_rejects))
    if not days:
        return Counter()
    marks = pd.concat(frames, ignore_index=True)
    marks["mark_date"] = day  # the LMS answers for the day asked
    accepted, rejects = split_register(marks, contracts, calendar)
    for attempt in deadlock_retrying():
        with attempt:
            _replace_provider_days(db, day, days, accepted, rejects, run_id)
    return Counter(
        marks=sum(n for _, n, _ in days),
        accepted=len(accepted),
        rejected=len(rejects) + sum(len(s) for _, _, s in days),
        schema_rejected=sum(len(s) for _, _, s in days),
    )


def _replace_provider_days(db, day: date, days, accepted, rejects, run_id="") -> None:
    """Each provider-day's marks and rejects (register rules: `voucher_reject`; schema:
    `feed_reject`) and the record that the day was ingested (even with no mark at all: a
    real empty register), in one transaction for the batch's day: a provider-day is
    replaced whole or not at all, and a re-run replaces it again."""
    from include.feed_rejects import record_rejects, seen_now

    accepted_of = accepted["bin"].value_counts().to_dict() if not accepted.empty else {}
    rejected_of = rejects["bin"].value_counts().to_dict() if not rejects.empty else {}
    provider_days = {"bins": tuple(bin_ for bin_, _, _ in days), "mark_date": day}
    with db.transaction() as cursor:
        seen_at = seen_now()
        for bin_, _, schema_rejects in days:
            record_rejects(
                db, cursor, "lms_attendance", schema_rejects, run_id, seen_at,
                scope=f"{bin_}/{day.isoformat()}",
            )  # fmt: skip
        cursor.execute(db.query("voucher_delete_day_marks"), provider_days)
        cursor.execute(db.query("voucher_delete_day_rejects"), provider_days)
        if not accepted.empty:
            cursor.executemany(db.query("voucher_insert_mark"), records(accepted, MARK_COLUMNS))
        if not rejects.empty:
            cursor.executemany(db.query("voucher_insert_reject"), records(rejects, REJECT_COLUMNS))
        cursor.executemany(
            db.query("voucher_record_ingested_day"),
            [
                {
                    "bin": bin_,
                    "register_date": day,
                    "marks": marks,
                    "accepted": int(accepted_of.get(bin_, 0)),
                    "rejected": int(rejected_of.get(bin_, 0)) + len(schema_rejects),
                }
                for bin_, marks, schema_rejects in days
            ],
        )


@task
def check_double_funding(settings: dict, ingested: list[dict]) -> dict:
    """Flag (in every provider involved) a child marked present in two providers on one
    day; the flagged marks go to rejects with `double_funding` and out of payment. Then
    each day's accepted marks (Parquet, what voucher_acts aggregates) and rejects file
    (CSV, IINs masked) are written to the store."""
    result = flag_double_funding(settings_of(IngestRun, settings).days)
    batches = mapped_results(ingested)
    for name in ("providers", "marks", "accepted"):
        result[name] = sum(batch.get(name, 0) for batch in batches)
    return result


def flag_double_funding(days: list[date]) -> dict:
    """`check_double_funding` over `days`, without the mapped batches' counts."""
    import pandas as pd

    from include.feed_rejects import open_rejects
    from include.storage import store_path, write_bytes_if_changed
    from include.tasks.voucher_month_lines import write_day_marks
    from include.vouchers.ids import mask_iin
    from include.vouchers.register import RULE_FIELDS, double_funding

    db = project_db()
    children = 0
    files, by_reason = [], Counter()
    try:
        for day in days:
            twice = double_funding(db.read_frame(db.query("voucher_double_funding"), {"day": day}))
            with db.transaction() as cursor:
                cursor.execute(db.query("voucher_forget_mark_file"), {"mark_date": day})
                cursor.execute(db.query("voucher_clear_double_funding_flags"), {"day": day})
                cursor.execute(db.query("voucher_delete_double_funding_rejects"), {"day": day})
                if not twice.empty:
                    cursor.executemany(
                        db.query("voucher_flag_double_funding"),
                        records(twice, ["bin", "iin", "mark_date"]),
                    )
                    cursor.executemany(
                        db.query("voucher_insert_reject"),
                        records(twice, REJECT_COLUMNS[:-1], reason="double_funding"),
                    )
            children += int(twice["iin"].nunique()) if not twice.empty else 0
            write_day_marks(db, day)  # the day's marks as voucher_acts reads them
            rejects = db.read_frame(db.query("voucher_day_rejects"), {"day": day})
            rejects["field"] = rejects["reason"].map(RULE_FIELDS)
            schema = db.read_frame(
                db.query("feed_reject_open_in_scope"),
                {"feed": "lms_attendance", "scope_pattern": f"%/{day.isoformat()}"},
            )
            if not schema.empty:  # schema rejects of the day: the key is bin/day/iin
                parts = schema["record_key"].str.split("/", n=2, expand=True)
                schema = pd.DataFrame(
                    {
                        "bin": schema["scope"].str.split("/").str[0],
                        "mark_date": day,
                        "iin": parts[2] if 2 in parts else "",
                        "code": None,
                        "document": None,
                        "reason": "schema: " + schema["reason"],
                        "field": schema["field"],
                    }
                )
                rejects = pd.concat([rejects, schema], ignore_index=True)
            by_reason.update(r.split(":")[0] for r in rejects["reason"].tolist())
            rejects["iin"] = rejects["iin"].map(mask_iin)
            path = store_path(STORE_FOLDER, "rejects", f"{day.isoformat()}.csv")
            body = rejects.to_csv(index=False, lineterminator="\n").encode("utf-8")
            write_bytes_if_changed(path, body)
            files.append(str(path))
        lms_open = open_rejects(db, "lms_%")
    finally:
        db.close()
    folder = str(store_path(STORE_FOLDER, "rejects", "x").parent)
    return {
        "open_feed_rejects": lms_open,
        "double_funded_children": children,
        "rejects": sum(by_reason.values()),
        "rejects_by_reason": dict(sorted(by_reason.items())),
        "rejects_file": files[0] if len(files) == 1 else f"{len(files)} files in {folder}",
    }


@task(retries=0, outlets=[VOUCHER_REGISTER_DAYS, VOUCHER_MONTH_CLOSED])
def report_ingest(settings: dict, registry: dict, checked: dict) -> dict:
    """The run's summary and report row; the register assets' events."""
    from include.assets import record_register_events
    from include.feed_rejects import open_rejects_text
    from include.reporting import plural, record_run_report

    days = settings["days"]
    children = plural(checked["double_funded_children"], "child", "children")
    summary = (
        f"register {days[0]}..{days[-1]}:"
        f" {plural(checked['marks'], 'mark')} from {plural(checked['providers'], 'provider')},"
        f" {checked['accepted']} accepted, {plural(checked['rejects'], 'reject')},"
        f" {children} present in two providers"
    )
    still_open = open_rejects_text(
        {**registry.get("open_feed_rejects", {}), **checked.get("open_feed_rejects", {})}
    )
    if still_open:
        summary += f"; {still_open}"
    counts = {**registry, **{k: v for k, v in checked.items() if k != "rejects_file"}}
    record_register_events(settings, checked)
    return record_run_report(
        get_current_context(), summary, counts, {"rejects": checked["rejects_file"]}
    )
