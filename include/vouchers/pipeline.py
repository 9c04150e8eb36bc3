"""The voucher DAGs' task bodies: connectors and SQL around the pure domain functions.

The DAG files call these functions and nothing else; each function opens its
own hooks (one task = one process under a distributed executor) and returns
small JSON-able values for XCom. Frames stay in MariaDB or the store.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from include.config import VoucherSettings
from include.dag_defaults import run_moment
from include.vouchers import acts as acts_domain
from include.vouchers import coverage
from include.vouchers.amounts import tenge, tenge_ru, to_tiyn
from include.vouchers.calendar import WorkingCalendar, month_bounds
from include.vouchers.ids import iin_birth_date, mask_iin
from include.vouchers.register import double_funding, split_register
from include.vouchers.risk import death_dates, provider_statuses

log = logging.getLogger(__name__)

STORE_FOLDER = "vouchers"
# The field each register rule is about (the rejects file's `field` column).
RULE_FIELDS = {
    "invalid_iin": "iin",
    "unknown_code": "code",
    "duplicate_mark": "iin",
    "not_working_day": "date",
    "outside_contract": "date",
    "excused_without_document": "document",
    "double_funding": "iin",
}


def _pipelines():
    """The project DB hook; its transactions read committed rows only, so mapped ingest
    tasks replacing provider-days side by side take no gap locks from each other."""
    from include.connectors.pipelines_db import PipelinesDbHook

    hook = PipelinesDbHook()
    cursor = hook.db.cursor()
    cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    cursor.close()
    return hook


def _deadlock_safe():
    """Retry a transaction that lost a deadlock (MariaDB error 1213) - it rolled back whole."""
    import MySQLdb
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random

    def lost(exc: BaseException) -> bool:
        return isinstance(exc, MySQLdb.OperationalError) and exc.args[:1] == (1213,)

    return Retrying(
        retry=retry_if_exception(lost), stop=stop_after_attempt(5), wait=wait_random(0, 0.5),
        reraise=True,
    )  # fmt: skip


def _deadlock_safe():
    """Retry a transaction that lost a deadlock (MariaDB error 1213) - it rolled back whole."""
    import MySQLdb
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random

    def lost(exc: BaseException) -> bool:
        return isinstance(exc, MySQLdb.OperationalError) and exc.args[:1] == (1213,)

    return Retrying(
        retry=retry_if_exception(lost), stop=stop_after_attempt(5), wait=wait_random(0, 0.5),
        reraise=True,
    )  # fmt: skip


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Frame rows as plain Python tuples for executemany (NaN/NaT -> NULL)."""
    clean = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [tuple(r) for r in clean.itertuples(index=False, name=None)]


def calendar_for(period_or_day: str, settings: VoucherSettings) -> WorkingCalendar:
    return WorkingCalendar.for_years(
        [int(period_or_day[:4])], settings.extra_holidays, settings.extra_working_days
    )


# --- reference data from the registry ------------------------------------------------


def extract_registry(run_id: str = "", settings: VoucherSettings | None = None) -> dict:
    """Regions, providers, norms, vouchers and risk flags -> the project DB (upserts).
    The provider's status columns are the pipeline's own (risk rules) and are kept.
    Each list is checked against its schema first (include/vouchers/feeds.py): a failing
    row goes to `feed_reject` (feed `registry_<list>`) and the other rows go on."""
    from include.connectors.voucher_registry import VoucherRegistryHook
    from include.feed_rejects import open_rejects, record_rejects, seen_now
    from include.vouchers.feeds import validate_registry

    registry = VoucherRegistryHook(max_pages=settings.max_pages if settings else 1000)
    read = {
        "registry_regions": registry.regions(),
        "registry_providers": registry.providers(),
        "registry_norms": registry.norms(),
        "registry_vouchers": registry.vouchers(),
        "registry_risk_flags": registry.risk_flags(),
    }
    checked = {feed: validate_registry(feed, items) for feed, items in read.items()}
    regions, providers, norms, vouchers, flags = (checked[feed][0] for feed in read)
    db = _pipelines()
    try:
        with db.transaction() as cursor:
            seen_at = seen_now()
            for feed, (_, rejects) in checked.items():
                record_rejects(db, cursor, feed, rejects, run_id, seen_at, scope=feed)
            cursor.executemany(
                "INSERT INTO voucher_region (code, name, emitent_bin, emitent_name)"
                " VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE name = VALUES(name),"
                " emitent_bin = VALUES(emitent_bin), emitent_name = VALUES(emitent_name)",
                [(r["code"], r["name"], r["emitent_bin"], r["emitent_name"]) for r in regions],
            )
            cursor.executemany(
                "INSERT INTO voucher_provider (bin, name, region_code, funding_model, lms_name,"
                " estimate_tiyn, address) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON DUPLICATE KEY UPDATE name = VALUES(name), region_code = VALUES(region_code),"
                " funding_model = VALUES(funding_model), lms_name = VALUES(lms_name),"
                " estimate_tiyn = VALUES(estimate_tiyn), address = VALUES(address)",
                [
                    (
                        p["bin"],
                        p["name"],
                        p["region_code"],
                        p["funding_model"],
                        p["lms_name"],
                        None if p["estimate_monthly"] is None else to_tiyn(p["estimate_monthly"]),
                        p["address"],
                    )  # fmt: skip
                    for p in providers
                ],
            )
            cursor.execute("DELETE FROM voucher_norm")
            cursor.executemany(
                "INSERT INTO voucher_norm (region_code, age_group, group_type, norm_tiyn)"
                " VALUES (%s, %s, %s, %s)",
                [
                    (
                        n["region_code"],
                        n["age_group"],
                        n["group_type"],
                        to_tiyn(n["monthly_amount"]),
                    )
                    for n in norms
                ],
            )
            cursor.executemany(
                "INSERT INTO voucher_voucher (voucher_id, iin, bin, status) VALUES (%s, %s, %s, %s)"
                " ON DUPLICATE KEY UPDATE iin = VALUES(iin), bin = VALUES(bin),"
                " status = VALUES(status)",
                [(v["voucher_id"], v["iin"], v["bin"], v["status"]) for v in vouchers],
            )
            cursor.execute("DELETE FROM voucher_risk_flag")
            cursor.executemany(
                "INSERT INTO voucher_risk_flag (flag_id, kind, bin, iin, flagged_on, resolved_on,"
                " detail) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        f["flag_id"],
                        f["kind"],
                        f["bin"],
                        f["iin"],
                        f["flagged_on"],
                        f["resolved_on"],
                        f["detail"],
                    )  # fmt: skip
                    for f in flags
                ],
            )
        open_feed_rejects = open_rejects(db, "registry_%")
    finally:
        db.close()
    return {
        "regions": len(regions),
        "providers": len(providers),
        "vouchers": len(vouchers),
        "risk_flags": len(flags),
        "schema_rejected": sum(len(rejects) for _, rejects in checked.values()),
        "open_feed_rejects": open_feed_rejects,
    }


# --- daily ingest ----------------------------------------------------------------------


def plan_provider_batches(batch_size: int, first_day: date | None = None) -> list[list[str]]:
    """Providers in batches: one mapped ingest task per batch. A terminated provider is
    left out, unless its termination took effect after `first_day` (a backfill of days it
    still operated: voucher_acts expects those days' register)."""
    db = _pipelines()
    try:
        frame = db.read_frame(
            "SELECT bin FROM voucher_provider WHERE status <> 'terminated'"
            " OR status_since > %(first_day)s ORDER BY bin",
            {"first_day": first_day or date.max},
        )
    finally:
        db.close()
    bins = frame["bin"].tolist()
    return [bins[i : i + batch_size] for i in range(0, len(bins), batch_size)]


def ingest_provider_batch(
    bins: list[str], days: list[date], settings: VoucherSettings, run_id: str = ""
) -> dict:
    """For each provider: its contracts and each day's marks from the LMS; the register
    rules split them; a provider-day's marks and rejects are replaced in one transaction.
    Contracts and marks are checked against their schema first (include/vouchers/feeds.py):
    a failing row goes to `feed_reject` (feeds `lms_contracts`, `lms_attendance`), the
    other rows go on."""
    from include.connectors.kindergarten_lms import KindergartenLmsHook
    from include.feed_rejects import record_rejects, seen_now
    from include.vouchers.feeds import validate_contracts

    lms = KindergartenLmsHook(page_size=settings.lms_page_size, max_pages=settings.max_pages)
    calendar = WorkingCalendar.for_years(
        {d.year for d in days}, settings.extra_holidays, settings.extra_working_days
    )
    contract_columns = ["contract_id", "bin", "iin", "child_name", "group_type", "start_date",
                        "end_date"]  # fmt: skip
    db = _pipelines()
    counts: Counter[str] = Counter()
    try:
        deaths = death_dates(
            db.read_frame(
                "SELECT kind, iin, flagged_on FROM voucher_risk_flag WHERE kind = 'death'"
            )
        )
        terminated_on = _terminated_on(db)
        for bin_ in bins:
            valid, contract_rejects = validate_contracts(bin_, lms.contracts(bin_))
            counts["schema_rejected"] += len(contract_rejects)
            contracts = pd.DataFrame(
                valid, columns=[c for c in contract_columns if c != "bin"]
            ).assign(bin=bin_)
            contracts["start_date"] = pd.to_datetime(contracts["start_date"]).dt.date
            contracts["end_date"] = [
                None if pd.isna(e) else date.fromisoformat(str(e)) for e in contracts["end_date"]
            ]
            for attempt in _deadlock_safe():
                with attempt, db.transaction() as cursor:
                    cursor.execute("DELETE FROM voucher_contract WHERE bin = %s", (bin_,))
                    cursor.executemany(
                        "INSERT INTO voucher_contract (contract_id, bin, iin, child_name,"
                        " group_type, start_date, end_date) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        _rows(contracts, contract_columns),
                    )
                    record_rejects(
                        db, cursor, "lms_contracts", contract_rejects, run_id, seen_now(),
                        scope=bin_,
                    )  # fmt: skip
            effective = contracts.copy()
            for iin, died in deaths.items():  # a handful of children, not per mark
                ends = effective["iin"] == iin
                last_day = died - timedelta(days=1)
                effective.loc[ends, "end_date"] = [
                    min(e, last_day) if e else last_day for e in effective.loc[ends, "end_date"]
                ]
            for day in days:
                if bin_ in terminated_on and day >= terminated_on[bin_]:
                    continue  # no register after the termination took effect
                counts.update(_ingest_provider_day(db, lms, bin_, day, effective, calendar, run_id))
            counts["providers"] += 1
    finally:
        db.close()
    return dict(counts)


def _terminated_on(db) -> dict[str, date]:
    """Terminated provider -> the day its termination took effect (date.min if unknown)."""
    frame = db.read_frame(
        "SELECT bin, status_since FROM voucher_provider WHERE status = 'terminated'"
    )
    return {
        row.bin: date.min if pd.isna(row.status_since) else pd.Timestamp(row.status_since).date()
        for row in frame.itertuples(index=False)
    }


def _ingest_provider_day(db, lms, bin_: str, day: date, contracts, calendar, run_id) -> Counter:
    from include.vouchers.feeds import validate_marks

    items = lms.attendance(bin_, day)
    valid, schema_rejects = validate_marks(bin_, day, items)
    marks = pd.DataFrame(valid, columns=["iin", "date", "code", "document"]).assign(bin=bin_)
    marks["mark_date"] = day  # the LMS answers for the day asked
    accepted, rejects = split_register(marks, contracts, calendar)
    for attempt in _deadlock_safe():
        with attempt:
            _replace_provider_day(
                db, bin_, day, accepted, rejects, len(items), schema_rejects, run_id
            )
    return Counter(
        marks=len(items),
        accepted=len(accepted),
        rejected=len(rejects) + len(schema_rejects),
        schema_rejected=len(schema_rejects),
    )


def _replace_provider_day(
    db, bin_: str, day: date, accepted, rejects, marks: int, schema_rejects=(), run_id=""
) -> None:
    """The day's marks and rejects (register rules: `voucher_reject`; schema:
    `feed_reject`), and the record that the day was ingested (even with no mark at all: a
    real empty register), in one transaction."""
    from include.feed_rejects import record_rejects, seen_now

    with db.transaction() as cursor:
        record_rejects(
            db, cursor, "lms_attendance", schema_rejects, run_id, seen_now(),
            scope=f"{bin_}/{day.isoformat()}",
        )  # fmt: skip
        cursor.execute("DELETE FROM voucher_mark WHERE mark_date = %s AND bin = %s", (day, bin_))
        cursor.execute("DELETE FROM voucher_reject WHERE mark_date = %s AND bin = %s", (day, bin_))
        if not accepted.empty:
            cursor.executemany(
                "INSERT INTO voucher_mark (bin, iin, mark_date, code, document)"
                " VALUES (%s, %s, %s, %s, %s)",
                _rows(accepted, ["bin", "iin", "mark_date", "code", "document"]),
            )
        if not rejects.empty:
            cursor.executemany(
                "INSERT INTO voucher_reject (bin, mark_date, iin, code, document, reason)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                _rows(rejects, ["bin", "mark_date", "iin", "code", "document", "reason"]),
            )
        cursor.execute(
            db.query("voucher_record_ingested_day"),
            {
                "bin": bin_,
                "register_date": day,
                "marks": marks,
                "accepted": len(accepted),
                "rejected": len(rejects) + len(schema_rejects),
            },
        )


def check_double_funding(days: list[date]) -> dict:
    """Flag (in every provider involved) a child marked present in two providers on one day;
    the flagged marks go to rejects with `double_funding` and out of payment. Then each
    day's rejects file (IINs masked) is written to the store."""
    from include.feed_rejects import open_rejects
    from include.storage import store_path, write_bytes_if_changed

    db = _pipelines()
    children = 0
    files, by_reason = [], Counter()
    try:
        for day in days:
            twice = double_funding(db.read_frame(db.query("voucher_double_funding"), {"day": day}))
            with db.transaction() as cursor:
                cursor.execute(
                    "UPDATE voucher_mark SET flag = NULL WHERE mark_date = %s AND flag IS NOT NULL",
                    (day,),
                )
                cursor.execute(
                    "DELETE FROM voucher_reject WHERE mark_date = %s AND reason = 'double_funding'",
                    (day,),
                )
                if not twice.empty:
                    cursor.executemany(
                        "UPDATE voucher_mark SET flag = 'double_funding'"
                        " WHERE bin = %s AND iin = %s AND mark_date = %s",
                        _rows(twice, ["bin", "iin", "mark_date"]),
                    )
                    cursor.executemany(
                        "INSERT INTO voucher_reject (bin, mark_date, iin, code, document, reason)"
                        " VALUES (%s, %s, %s, %s, %s, 'double_funding')",
                        _rows(twice, ["bin", "mark_date", "iin", "code", "document"]),
                    )
            children += int(twice["iin"].nunique()) if not twice.empty else 0
            rejects = db.read_frame(
                "SELECT bin, mark_date, iin, code, document, reason FROM voucher_reject"
                " WHERE mark_date = %(day)s ORDER BY bin, reason, iin, reject_id",
                {"day": day},
            )
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
    return {
        "open_feed_rejects": lms_open,
        "double_funded_children": children,
        "rejects": sum(by_reason.values()),
        "rejects_by_reason": dict(sorted(by_reason.items())),
        "rejects_file": files[0]
        if len(files) == 1
        else f"{len(files)} files in {Path(files[0]).parent}",
    }


# --- monthly acts ----------------------------------------------------------------------


def check_register_ingested(period: str, settings: VoucherSettings) -> dict:
    """The acts' input gate (blocking): every provider-day of the month whose register is
    due (see `coverage.due_register_days`) in the regions formed was ingested by
    voucher_ingest. A day ingested with no mark counts (a real empty register)."""
    from include.quality import DataQualityError

    first, last = month_bounds(period)
    working = calendar_for(period, settings).working_days(first, last)
    db = _pipelines()
    try:
        providers = db.read_frame(
            db.query("voucher_register_due"), {"first_day": first, "last_day": last}
        )
        ingested = db.read_frame(
            db.query("voucher_ingested_days"), {"first_day": first, "last_day": last}
        )
    finally:
        db.close()
    if settings.region_codes:
        providers = providers[providers["region_code"].isin(settings.region_codes)]
    due = coverage.due_register_days(working, providers)
    missing = coverage.missing_register_days(due, ingested)
    if not missing.empty:
        raise DataQualityError(
            f"voucher_acts {period}: "
            + coverage.describe_missing_register(missing, working, period)
        )
    log.info(
        "register of %s: %d due provider-day(s) of %d provider(s), all ingested",
        period, len(due), due["bin"].nunique(),
    )  # fmt: skip
    return {
        "providers": int(due["bin"].nunique()),
        "due_provider_days": len(due),
        "missing_provider_days": 0,
    }


def apply_risk_rules(period: str, as_of: date, settings: VoucherSettings) -> dict:
    """Provider statuses for the month from the registry's flags (no human in the loop);
    suspensions and terminations are recorded as events for the emitent; a dead child's
    voucher-months from the death on are annulled."""
    first, last = month_bounds(period)
    db = _pipelines()
    try:
        providers = db.read_frame("SELECT bin FROM voucher_provider ORDER BY bin")
        flags = db.read_frame(
            "SELECT flag_id, kind, bin, iin, flagged_on, resolved_on FROM voucher_risk_flag"
        )
        statuses = provider_statuses(
            providers["bin"], flags, last, as_of, settings.suspension_grace_months
        )
        deaths = {i: d for i, d in death_dates(flags).items() if d <= last}
        with db.transaction() as cursor:
            cursor.executemany(
                "UPDATE voucher_provider SET status = %s, status_reason = %s, status_since = %s"
                " WHERE bin = %s",
                [(s.status, s.reason, s.since, s.bin) for s in statuses.values()],
            )
            cursor.execute(
                "DELETE FROM voucher_provider_event WHERE period = %s AND kind IN"
                " ('suspended', 'terminated')",
                (period,),
            )
            cursor.executemany(
                "INSERT INTO voucher_provider_event (bin, period, kind, reason)"
                " VALUES (%s, %s, %s, %s)",
                [(s.bin, period, s.status, s.reason) for s in statuses.values() if s.reason],
            )
            for iin, died in deaths.items():
                cursor.execute(
                    "INSERT INTO voucher_month (voucher_id, period, status, act_number)"
                    " SELECT voucher_id, %s, 'annulled', NULL FROM voucher_voucher WHERE iin = %s"
                    " ON DUPLICATE KEY UPDATE"
                    " status = IF(voucher_month.status = 'redeemed', 'redeemed', 'annulled')",
                    (period, iin),
                )
                if died <= first:
                    cursor.execute(
                        "UPDATE voucher_voucher SET status = 'annulled' WHERE iin = %s", (iin,)
                    )
    finally:
        db.close()
    counted = Counter(s.status for s in statuses.values())
    return {"active": counted["active"], "suspended": counted["suspended"],
            "terminated": counted["terminated"], "deaths": len(deaths)}  # fmt: skip


def list_regions(settings: VoucherSettings) -> list[str]:
    db = _pipelines()
    try:
        frame = db.read_frame("SELECT DISTINCT region_code FROM voucher_provider ORDER BY 1")
    finally:
        db.close()
    regions = frame["region_code"].tolist()
    if settings.region_codes:
        unknown = sorted(set(settings.region_codes) - set(regions))
        if unknown:
            from include.config import SettingsError

            raise SettingsError(
                f"invalid VoucherSettings setting(s): region_codes: unknown {unknown}"
            )
        regions = [r for r in regions if r in settings.region_codes]
    return regions


def age_group(iins: pd.Series, on: date) -> pd.Series:
    """`early` (under 3 on the month's first day) or `preschool`, from the IIN's birth date."""
    births = pd.to_datetime(iins.map(iin_birth_date))
    age = (pd.Timestamp(on) - births).dt.days / 365.25
    return pd.Series(["early" if a < 3 else "preschool" for a in age], index=iins.index)


def compute_region_acts(region: str, period: str, settings: VoucherSettings) -> dict:
    """The region's acts for the month: SQL aggregates the marks per contract, numpy prorates,
    the project DB receives the acts, lines and voucher-months; the act data (JSON) goes to
    the store. Acts already reconciled or later are frozen: never recomputed."""
    from include.storage import sha256_bytes, store_path, write_bytes_if_changed

    first, last = month_bounds(period)
    calendar = calendar_for(period, settings)
    db = _pipelines()
    try:
        lines = db.read_frame(
            db.query("voucher_month_lines"),
            {"region": region, "first_day": first, "last_day": last},
        )
        providers = db.read_frame(
            "SELECT bin, name, region_code, funding_model, estimate_tiyn, address, status"
            " FROM voucher_provider WHERE region_code = %(region)s ORDER BY bin",
            {"region": region},
        )
        norms = db.read_frame(
            "SELECT age_group, group_type, norm_tiyn FROM voucher_norm"
            " WHERE region_code = %(region)s",
            {"region": region},
        )
        region_row = (
            db.read_frame(
                "SELECT code, name, emitent_bin, emitent_name FROM voucher_region"
                " WHERE code = %(region)s",
                {"region": region},
            )
            .iloc[0]
            .to_dict()
        )
        frozen = db.read_frame(
            "SELECT act_number FROM voucher_act WHERE period = %(period)s"
            " AND region_code = %(region)s AND status IN ('reconciled', 'signed', 'invoiced', 'paid')",
            {"period": period, "region": region},
        )["act_number"].tolist()
        lines["age_group"] = age_group(lines["iin"], first)
        lines = lines.merge(norms, on=["age_group", "group_type"], how="left")
        lines["norm_tiyn"] = pd.to_numeric(lines["norm_tiyn"]).fillna(0).astype("int64")
        lines.loc[lines["voucher_id"].isna(), "norm_tiyn"] = 0  # no voucher, no funding
        providers["estimate_tiyn"] = (
            pd.to_numeric(providers["estimate_tiyn"]).fillna(0).astype("int64")
        )
        acts, act_lines = acts_domain.compute_acts(
            lines, providers, period, calendar, settings.billing_basis
        )
        acts = acts[~acts["act_number"].isin(frozen)].reset_index(drop=True)
        act_lines = act_lines[act_lines["act_number"].isin(acts["act_number"])]
        by_act = {n: g for n, g in act_lines.groupby("act_number", sort=True)}
        folder = store_path(STORE_FOLDER, "acts", period, region, "x").parent
        shas = []
        for act in acts.to_dict("records"):  # one document per provider, not per mark
            group = by_act.get(act["act_number"], act_lines.iloc[0:0])
            document = acts_domain.act_document(
                act, group.to_dict("records"), region_row, settings.iin_visible_digits
            )
            data = acts_domain.canonical_json(document)
            write_bytes_if_changed(folder / f"{act['act_number']}.json", data)
            shas.append(sha256_bytes(data))
        acts["data_sha256"] = shas
        with db.transaction() as cursor:
            cursor.executemany(
                "INSERT INTO voucher_act (act_number, bin, period, region_code, status, rule_id,"
                " total_tiyn, children, payable_days, missing_marks, termination_flag, working_days,"
                " data_sha256) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON DUPLICATE KEY UPDATE status = VALUES(status), rule_id = VALUES(rule_id),"
                " total_tiyn = VALUES(total_tiyn), children = VALUES(children),"
                " payable_days = VALUES(payable_days), missing_marks = VALUES(missing_marks),"
                " termination_flag = VALUES(termination_flag),"
                " working_days = VALUES(working_days), data_sha256 = VALUES(data_sha256)",
                _rows(
                    acts.assign(
                        region_code=region, termination_flag=acts["termination_flag"].astype(int)
                    ),
                    [
                        "act_number",
                        "bin",
                        "period",
                        "region_code",
                        "act_status",
                        "rule_id",
                        "total_tiyn",
                        "children",
                        "payable_days",
                        "missing_marks",
                        "termination_flag",
                        "working_days",
                        "data_sha256",
                    ],  # fmt: skip
                ),
            )
            numbers = acts["act_number"].tolist()
            for start in range(0, len(numbers), 1000):
                chunk = numbers[start : start + 1000]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM voucher_act_line WHERE act_number IN ({marks})", chunk)
            cursor.executemany(
                "INSERT INTO voucher_act_line (act_number, line_no, contract_id, voucher_id, iin,"
                " child_name, group_type, contract_days, attended_days, payable_days, norm_tiyn,"
                " amount_tiyn) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                _rows(act_lines, acts_domain.LINE_COLUMNS),
            )
            with_voucher = act_lines[act_lines["voucher_id"].notna()]
            cursor.executemany(
                "INSERT INTO voucher_month (voucher_id, period, status, act_number)"
                " VALUES (%s, %s, 'active', %s) ON DUPLICATE KEY UPDATE act_number ="
                " VALUES(act_number), status = IF(voucher_month.status IN ('redeemed', 'annulled'),"
                " voucher_month.status, 'active')",
                _rows(with_voucher.assign(period=period), ["voucher_id", "period", "act_number"]),
            )
            cursor.execute(
                "DELETE FROM voucher_provider_event WHERE period = %s AND kind = 'termination_flag'"
                " AND bin IN (SELECT bin FROM voucher_provider WHERE region_code = %s)",
                (period, region),
            )
            flagged = acts[acts["termination_flag"]]
            cursor.executemany(
                "INSERT INTO voucher_provider_event (bin, period, kind, reason)"
                " VALUES (%s, %s, 'termination_flag', 'empty_register')",
                _rows(flagged.assign(period=period), ["bin", "period"]),
            )
    finally:
        db.close()
    held = acts[acts["act_status"].str.startswith("held_")]
    return {
        "region": region,
        "contracts": len(lines),
        "acts": len(acts),
        "frozen": len(frozen),
        "held": {k: int(v) for k, v in held["act_status"].value_counts().sort_index().items()},
        "termination_flags": int(acts["termination_flag"].sum()),
        "total": tenge(int(acts["total_tiyn"].sum())),
    }


def check_acts(period: str, contracts_seen: int) -> dict:
    """The acts' quality gate (blocking): lines sum to the total to the tiyn, no negative
    amount, payable days within the month's working days, every contract of the month in
    exactly one act line."""
    import great_expectations as gx

    from include.quality import DataQualityError, check_frame

    db = _pipelines()
    try:
        acts = db.read_frame(
            "SELECT a.act_number, a.total_tiyn, a.working_days,"
            " COALESCE(SUM(l.amount_tiyn), 0) AS lines_tiyn,"
            " COALESCE(MIN(l.amount_tiyn), 0) AS min_line_tiyn,"
            " COALESCE(MAX(l.payable_days), 0) AS max_payable_days, COUNT(l.line_no) AS line_count"
            " FROM voucher_act AS a LEFT JOIN voucher_act_line AS l"
            " ON l.act_number = a.act_number WHERE a.period = %(period)s"
            " GROUP BY a.act_number, a.total_tiyn, a.working_days",
            {"period": period},
        )
        twice = db.read_frame(db.query("voucher_act_contract_coverage"), {"period": period})
    finally:
        db.close()
    for column in ("total_tiyn", "lines_tiyn", "min_line_tiyn", "max_payable_days", "working_days"):
        acts[column] = acts[column].astype("int64")
    report = check_frame(
        acts,
        [
            gx.expectations.ExpectColumnPairValuesToBeEqual(
                column_A="lines_tiyn", column_B="total_tiyn"
            ),
            gx.expectations.ExpectColumnValuesToBeBetween(column="min_line_tiyn", min_value=0),
            gx.expectations.ExpectColumnValuesToBeBetween(column="total_tiyn", min_value=0),
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="working_days", column_B="max_payable_days", or_equal=True
            ),
            gx.expectations.ExpectColumnValuesToBeUnique(column="act_number"),
        ],
        "voucher_acts",
    )
    failures = list(report.failures)
    if not twice.empty:
        failures.append(f"{len(twice)} contract(s) appear in more than one act line")
    lines = int(acts["line_count"].sum())
    if contracts_seen and lines < contracts_seen:
        failures.append(f"{contracts_seen - lines} contract(s) of the month have no act line")
    if failures:
        raise DataQualityError(f"voucher_acts {period}: " + "; ".join(failures))
    return {"acts": len(acts), "lines": lines, "checks": "passed"}


def render_region_acts(region: str, period: str, settings: VoucherSettings) -> dict:
    """The act PDF (Russian) and the ESF draft (JSON) of every act ready to sign; both are
    derived from the stored act data, so identical data gives identical files."""
    import json

    from include.render.pdf import render_pdf
    from include.storage import sha256_bytes, store_path, write_bytes_if_changed

    db = _pipelines()
    rendered = skipped = 0
    try:
        acts = db.read_frame(
            "SELECT act_number, data_sha256, pdf_path, esf_path FROM voucher_act"
            " WHERE period = %(period)s AND region_code = %(region)s AND status NOT LIKE 'held%%'"
            " ORDER BY act_number",
            {"period": period, "region": region},
        )
        folder = store_path(STORE_FOLDER, "acts", period, region, "x").parent
        _, last = month_bounds(period)
        for act in acts.to_dict("records"):
            pdf_path = folder / f"{act['act_number']}.pdf"
            esf_path = folder / f"{act['act_number']}.esf.json"
            data = (folder / f"{act['act_number']}.json").read_bytes()
            if sha256_bytes(data) != act["data_sha256"]:
                raise RuntimeError(f"act {act['act_number']}: stored data does not match the DB")
            document = json.loads(data)
            esf = acts_domain.esf_draft(document, last)
            write_bytes_if_changed(esf_path, acts_domain.canonical_json(esf))
            if act["pdf_path"] == str(pdf_path) and pdf_path.exists():
                skipped += 1  # rendered from these very bytes before (the sha is checked above)
                continue
            pdf = render_pdf(
                "voucher_act.html", _pdf_context(document, esf), stylesheet="voucher_act.css"
            )
            write_bytes_if_changed(pdf_path, pdf)
            with db.transaction() as cursor:
                cursor.execute(
                    "UPDATE voucher_act SET pdf_path = %s, esf_path = %s WHERE act_number = %s",
                    (str(pdf_path), str(esf_path), act["act_number"]),
                )
            rendered += 1
    finally:
        db.close()
    return {"region": region, "rendered": rendered, "unchanged": skipped}


def _pdf_context(document: dict, esf: dict) -> dict:
    first, last = month_bounds(document["period"])
    return {
        "act": document,
        "esf": esf,
        "period_from": first.strftime("%d.%m.%Y"),
        "period_to": last.strftime("%d.%m.%Y"),
        "money": lambda text: tenge_ru(to_tiyn(text)),
    }


def publish_acts(period: str) -> dict:
    """Register the month's ready acts in the registry (idempotent PUT by act number)."""
    from include.connectors.voucher_registry import VoucherRegistryHook

    registry = VoucherRegistryHook()
    _, last = month_bounds(period)
    db = _pipelines()
    try:
        acts = db.read_frame(
            "SELECT act_number, bin, total_tiyn, data_sha256 FROM voucher_act"
            " WHERE period = %(period)s AND status = 'generated' ORDER BY act_number",
            {"period": period},
        )
    finally:
        db.close()
    for act in acts.to_dict("records"):
        registry.register_act(
            act["act_number"],
            {
                "bin": act["bin"],
                "period": period,
                "total": tenge(act["total_tiyn"]),
                "data_sha256": act["data_sha256"],
                "generated_on": (last + timedelta(days=1)).isoformat(),
            },
        )
    return {"published": len(acts)}


# --- daily act tracking ----------------------------------------------------------------


def check_acts_formed() -> dict:
    """The payments' input gate (blocking): every act the registry lists was formed by
    voucher_acts in the project DB (same number, provider and month); otherwise its status
    and payment would be dropped without a word."""
    from include.connectors.voucher_registry import VoucherRegistryHook
    from include.quality import DataQualityError

    items = VoucherRegistryHook().acts()
    registry_acts = pd.DataFrame(items, columns=["act_number", "bin", "period"])
    db = _pipelines()
    try:
        formed = db.read_frame(db.query("voucher_formed_acts"))
    finally:
        db.close()
    missing = coverage.acts_not_formed(registry_acts, formed)
    if not missing.empty:
        raise DataQualityError("voucher_payments: " + coverage.describe_acts_not_formed(missing))
    return {"acts_in_registry": len(registry_acts), "acts_not_formed": 0}


def track_acts() -> dict:
    """Act statuses and dates from the registry; a paid act redeems its voucher-months."""
    from include.connectors.voucher_registry import VoucherRegistryHook

    items = VoucherRegistryHook().acts()
    tracked = [a for a in items if a["status"] in acts_domain.TRACKED]
    db = _pipelines()
    try:
        with db.transaction() as cursor:
            cursor.executemany(
                "UPDATE voucher_act SET status = %s, reconciled_on = %s, signed_on = %s,"
                " invoiced_on = %s, paid_on = %s WHERE act_number = %s",
                [
                    (
                        a["status"],
                        a["reconciled_on"],
                        a["signed_on"],
                        a["invoiced_on"],
                        a["paid_on"],
                        a["act_number"],
                    )  # fmt: skip
                    for a in tracked
                ],
            )
            cursor.execute(
                "UPDATE voucher_month AS m INNER JOIN voucher_act AS a"
                " ON m.act_number = a.act_number SET m.status = 'redeemed'"
                " WHERE a.status = 'paid' AND m.status = 'active'"
            )
            redeemed = cursor.rowcount
    finally:
        db.close()
    return {
        "acts_in_registry": len(items),
        "by_status": dict(sorted(Counter(a["status"] for a in items).items())),
        "voucher_months_redeemed": redeemed,
    }


def list_overdue_acts(today: date, settings: VoucherSettings) -> dict:
    """Acts unpaid more than `payment_due_days` after signing -> a CSV in the store."""
    from include.storage import store_path, write_bytes_if_changed

    db = _pipelines()
    try:
        overdue = db.read_frame(
            db.query("voucher_overdue_acts"),
            {"today": today, "due_days": settings.payment_due_days},
        )
    finally:
        db.close()
    overdue["total"] = overdue["total_tiyn"].map(tenge)
    path = store_path(STORE_FOLDER, "overdue", f"{today.isoformat()}.csv")
    columns = ["act_number", "bin", "provider_name", "period", "total", "status", "signed_on",
               "days_overdue"]  # fmt: skip
    write_bytes_if_changed(
        path, overdue[columns].to_csv(index=False, lineterminator="\n").encode("utf-8")
    )
    return {"overdue": len(overdue), "acts": overdue["act_number"].tolist(), "file": str(path)}


# --- run context -----------------------------------------------------------------------


def run_day(context) -> date:
    """The run's own day: the `logical_date` of a daily cron run is the moment it fires."""
    moment = run_moment(context)
    return moment.date()


def ingest_days(context) -> list[date]:
    """Param `day` (else yesterday: the register of the day before the run), or every day
    from param `day_from` to it."""
    params = context.get("params") or {}
    last = (
        date.fromisoformat(params["day"])
        if params.get("day")
        else run_day(context) - timedelta(days=1)
    )
    first = date.fromisoformat(params["day_from"]) if params.get("day_from") else last
    if first > last:
        from include.config import SettingsError

        raise SettingsError(f"day_from {first} is after day {last}")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def acts_period(context) -> str:
    """Param `period` (YYYY-MM), else the month before the run's day."""
    chosen = (context.get("params") or {}).get("period")
    if chosen:
        month_bounds(chosen)  # validates the text
        return chosen
    return (run_day(context).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def load_voucher_settings(context) -> VoucherSettings:
    from include.config import load_settings

    return load_settings(VoucherSettings, context["dag"].dag_id, context.get("params") or {})
