"""`voucher_acts`' tasks: the input gate on the month's register, the risk rules, each
region's acts computed in the project DB and the store, their quality gate, and the
registration of ready acts in the registry. The month's one aggregation is in
voucher_month_lines.py, the act PDFs and ESF drafts in voucher_act_pdfs.py.

The pure rules are in include/vouchers/ (acts, amounts, coverage, risk); this module
reads and writes around them.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, timedelta

from airflow.sdk import get_current_context, task

from include.assets import VOUCHER_ACTS
from include.config import SettingsError, VoucherActsSettings
from include.dag_defaults import HEAVY_TIMEOUT, mapped_results
from include.tasks.settings import settings_of
from include.tasks.vouchers_common import (
    STORE_FOLDER,
    calendar_for,
    extract_registry,
    month_before,
    project_db,
    records,
    resolve_voucher_settings,
)
from include.vouchers.calendar import month_bounds

__all__ = ["extract_registry"]  # shared with voucher_ingest; re-exported for the DAG file

log = logging.getLogger(__name__)

ACT_COLUMNS = ["act_number", "bin", "period", "region_code", "act_status", "rule_id",
               "total_tiyn", "children", "payable_days", "missing_marks", "termination_flag",
               "working_days", "data_sha256"]  # fmt: skip


class ActsRun(VoucherActsSettings):
    """The settings of one acts run, the month it forms and the day risk is judged on."""

    period: str
    as_of: date


def _run_values(context) -> dict:
    """Param `period`, else the month the triggering `voucher_register_month` event
    closed, else the month before the run's day; param `as_of`, else the run's day."""
    from include.assets import period_to_form
    from include.tasks.vouchers_common import as_of_day, run_day

    def default(ctx) -> str:
        chosen = (ctx.get("params") or {}).get("period")
        if chosen:
            month_bounds(chosen)  # validates the text
            return chosen
        return month_before(run_day(ctx))

    return {"period": period_to_form(context, default), "as_of": as_of_day(context)}


def resolve_settings():
    """First task: the Variables `vouchers` + `voucher_acts`, the period and `as_of`."""
    return resolve_voucher_settings(VoucherActsSettings, "voucher_acts", ActsRun, _run_values)


@task  # retried: it reads the project DB; a gate that fails fails again
def check_register_ingested(settings: dict, registry: dict) -> dict:
    """The acts' input gate (blocking): every provider-day of the month whose register is
    due (see `coverage.due_register_days`) in the regions formed was ingested by
    voucher_ingest. A day ingested with no mark counts (a real empty register)."""
    from include.quality import DataQualityError
    from include.vouchers import coverage

    run = settings_of(ActsRun, settings)
    first, last = month_bounds(run.period)
    working = calendar_for(run.period, run).working_days(first, last)
    bounds = {"first_day": first, "last_day": last}
    db = project_db()
    try:
        providers = db.read_frame(db.query("voucher_register_due"), bounds)
        ingested = db.read_frame(db.query("voucher_ingested_days"), bounds)
    finally:
        db.close()
    if run.region_codes:
        providers = providers[providers["region_code"].isin(run.region_codes)]
    due = coverage.due_register_days(working, providers)
    missing = coverage.missing_register_days(due, ingested)
    if not missing.empty:
        raise DataQualityError(
            f"voucher_acts {run.period}: "
            + coverage.describe_missing_register(missing, working, run.period)
        )
    log.info(
        "register of %s: %d due provider-day(s) of %d provider(s), all ingested",
        run.period, len(due), due["bin"].nunique(),
    )  # fmt: skip
    return {
        "providers": int(due["bin"].nunique()),
        "due_provider_days": len(due),
        "missing_provider_days": 0,
    }


@task
def apply_risk_rules(settings: dict, registry: dict, ingested: dict) -> dict:
    """Provider statuses for the month from the registry's flags (no human in the loop);
    suspensions and terminations are recorded as events for the emitent; a dead child's
    voucher-months from the death on are annulled."""
    from include.vouchers.risk import death_dates, provider_statuses

    run = settings_of(ActsRun, settings)
    period = run.period
    first, last = month_bounds(period)
    db = project_db()
    try:
        providers = db.read_frame(db.query("voucher_provider_bins"))
        flags = db.read_frame(db.query("voucher_risk_flags"))
        statuses = provider_statuses(
            providers["bin"], flags, last, run.as_of, run.suspension_grace_months
        )
        deaths = {i: d for i, d in death_dates(flags).items() if d <= last}
        with db.transaction() as cursor:
            cursor.executemany(
                db.query("voucher_update_provider_status"),
                [{"status": s.status, "reason": s.reason, "since": s.since, "bin": s.bin}
                 for s in statuses.values()],
            )  # fmt: skip
            cursor.execute(db.query("voucher_delete_status_events"), {"period": period})
            cursor.executemany(
                db.query("voucher_insert_provider_event"),
                [{"bin": s.bin, "period": period, "kind": s.status, "reason": s.reason}
                 for s in statuses.values() if s.reason],
            )  # fmt: skip
            for iin, died in deaths.items():
                cursor.execute(db.query("voucher_annul_months"), {"period": period, "iin": iin})
                if died <= first:
                    cursor.execute(db.query("voucher_annul_vouchers"), {"iin": iin})
    finally:
        db.close()
    counted = Counter(s.status for s in statuses.values())
    return {"active": counted["active"], "suspended": counted["suspended"],
            "terminated": counted["terminated"], "deaths": len(deaths)}  # fmt: skip


@task
def list_regions(settings: dict, risk: dict) -> list[str]:
    """The regions to form (setting `region_codes`, else every region with providers)."""
    run = settings_of(ActsRun, settings)
    db = project_db()
    try:
        regions = db.read_frame(db.query("voucher_region_codes"))["region_code"].tolist()
    finally:
        db.close()
    if run.region_codes:
        unknown = sorted(set(run.region_codes) - set(regions))
        if unknown:
            raise SettingsError(
                f"invalid VoucherActsSettings setting(s): region_codes: unknown {unknown}"
            )
        regions = [r for r in regions if r in run.region_codes]
    return regions


@task(max_active_tis_per_dagrun=4, execution_timeout=HEAVY_TIMEOUT)
def compute_acts(region: str, settings: dict) -> dict:
    """The region's acts for the month from its lines (`compute_month_lines` counted
    the marks of every contract in one aggregation): numpy prorates, the project DB
    receives the acts, lines and voucher-months; the act data (JSON) goes to the store.
    Acts already reconciled or later are frozen: never recomputed."""
    import pandas as pd

    from include.storage import sha256_bytes, store_path, write_bytes_if_changed
    from include.tasks.voucher_month_lines import read_region_lines
    from include.vouchers import acts as acts_domain
    from include.vouchers.amounts import tenge

    run = settings_of(ActsRun, settings)
    period = run.period
    first, _ = month_bounds(period)
    where = {"region": region, "period": period}
    db = project_db()
    try:
        lines = read_region_lines(period, region)
        providers = db.read_frame(db.query("voucher_region_providers"), where)
        norms = db.read_frame(db.query("voucher_region_norms"), where)
        region_row = db.read_frame(db.query("voucher_region"), where).iloc[0].to_dict()
        frozen = db.read_frame(db.query("voucher_frozen_acts"), where)["act_number"].tolist()
        lines["age_group"] = acts_domain.age_group(lines["iin"], first)
        lines = lines.merge(norms, on=["age_group", "group_type"], how="left")
        lines["norm_tiyn"] = pd.to_numeric(lines["norm_tiyn"]).fillna(0).astype("int64")
        lines.loc[lines["voucher_id"].isna(), "norm_tiyn"] = 0  # no voucher, no funding
        providers["estimate_tiyn"] = (
            pd.to_numeric(providers["estimate_tiyn"]).fillna(0).astype("int64")
        )
        acts, act_lines = acts_domain.compute_acts(
            lines, providers, period, calendar_for(period, run), run.billing_basis
        )
        acts = acts[~acts["act_number"].isin(frozen)].reset_index(drop=True)
        act_lines = act_lines[act_lines["act_number"].isin(acts["act_number"])]
        by_act = {n: g for n, g in act_lines.groupby("act_number", sort=True)}
        folder = store_path(STORE_FOLDER, "acts", period, region, "x").parent
        shas = []
        for act in acts.to_dict("records"):  # one document per provider, not per mark
            group = by_act.get(act["act_number"], act_lines.iloc[0:0])
            document = acts_domain.act_document(
                act, group.to_dict("records"), region_row, run.iin_visible_digits
            )
            data = acts_domain.canonical_json(document)
            write_bytes_if_changed(folder / f"{act['act_number']}.json", data)
            shas.append(sha256_bytes(data))
        acts["data_sha256"] = shas
        acts = acts.assign(region_code=region)
        with db.transaction() as cursor:
            cursor.executemany(
                db.query("voucher_upsert_act"),
                records(acts.assign(termination_flag=acts["termination_flag"].astype(int)),
                        ACT_COLUMNS),
            )  # fmt: skip
            cursor.executemany(
                db.query("voucher_delete_act_lines"),
                [{"act_number": number} for number in acts["act_number"]],
            )
            cursor.executemany(
                db.query("voucher_insert_act_line"),
                records(act_lines, acts_domain.LINE_COLUMNS),
            )
            with_voucher = act_lines[act_lines["voucher_id"].notna()]
            cursor.executemany(
                db.query("voucher_upsert_month"),
                records(with_voucher, ["voucher_id", "act_number"], period=period, status="active"),
            )
            cursor.execute(db.query("voucher_delete_termination_flags"), where)
            cursor.executemany(
                db.query("voucher_insert_provider_event"),
                records(acts[acts["termination_flag"]], ["bin"], period=period,
                        kind="termination_flag", reason="empty_register"),
            )  # fmt: skip
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


@task  # retried: it reads the project DB; a gate that fails fails again
def check_acts(settings: dict, computed: list[dict]) -> dict:
    """The acts' quality gate (blocking): lines sum to the total to the tiyn, no negative
    amount, payable days within the month's working days, every contract of the month in
    exactly one act line."""
    import great_expectations as gx

    from include.quality import DataQualityError, check_frame

    period = settings_of(ActsRun, settings).period
    contracts_seen = sum(r["contracts"] for r in mapped_results(computed))
    db = project_db()
    try:
        acts = db.read_frame(db.query("voucher_act_totals"), {"period": period})
        twice = db.read_frame(db.query("voucher_act_contract_coverage"), {"period": period})
    finally:
        db.close()
    for column in ("total_tiyn", "lines_tiyn", "min_line_tiyn", "max_payable_days", "working_days"):
        acts[column] = acts[column].astype("int64")
    expect = gx.expectations
    report = check_frame(
        acts,
        [
            expect.ExpectColumnPairValuesToBeEqual(column_A="lines_tiyn", column_B="total_tiyn"),
            expect.ExpectColumnValuesToBeBetween(column="min_line_tiyn", min_value=0),
            expect.ExpectColumnValuesToBeBetween(column="total_tiyn", min_value=0),
            expect.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="working_days", column_B="max_payable_days", or_equal=True
            ),
            expect.ExpectColumnValuesToBeUnique(column="act_number"),
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


@task(execution_timeout=HEAVY_TIMEOUT, outlets=[VOUCHER_ACTS])
def publish_acts(settings: dict, rendered: list[dict]) -> dict:
    """Register the month's ready acts in the registry (idempotent PUT by act number);
    the asset `voucher_acts`' event names the month."""
    from include.assets import acts_extra, emit
    from include.connectors.voucher_registry import VoucherRegistryHook
    from include.vouchers.amounts import tenge

    period = settings_of(ActsRun, settings).period
    registry = VoucherRegistryHook()
    _, last = month_bounds(period)
    db = project_db()
    try:
        acts = db.read_frame(db.query("voucher_acts_to_register"), {"period": period})
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
    published = {"published": len(acts)}
    emit(VOUCHER_ACTS, acts_extra(period, published))
    return published


@task(retries=0)
def report_acts(settings: dict, risk: dict, computed: list[dict], published: dict) -> dict:
    """The run's summary and report row."""
    from decimal import Decimal

    from include.reporting import money, plural, record_run_report
    from include.storage import store_path

    run = settings_of(ActsRun, settings)
    computed = mapped_results(computed)
    held: Counter[str] = Counter()
    for region in computed:
        held.update(region["held"])
    acts = sum(r["acts"] for r in computed)
    total = sum((Decimal(r["total"]) for r in computed), Decimal("0.00"))
    summary = (
        f"acts {run.period} ({run.billing_basis}): {plural(acts, 'act')} in"
        f" {plural(len(computed), 'region')}, {published['published']} ready and registered,"
        f" {sum(held.values())} held, total {money(total)}"
    )
    counts = {
        "acts": acts,
        "published": published["published"],
        "held": dict(sorted(held.items())),
        "termination_flags": sum(r["termination_flags"] for r in computed),
        **{f"providers_{k}": v for k, v in risk.items()},
    }
    folder = store_path(STORE_FOLDER, "acts", run.period, "x").parent
    return record_run_report(get_current_context(), summary, counts, {"acts": str(folder)})
