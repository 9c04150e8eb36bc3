"""What the three voucher DAGs share: their settings, the project DB session, the
registry extract and the run's day.

Settings: the Variable `vouchers` holds what the three DAGs must agree on
(`VoucherSettings`: the working-day calendar, the paging bound); each DAG's own
Variable (`voucher_ingest`, `voucher_acts`, `voucher_payments`) holds only its own
fields, and a shared field set there fails the run naming the Variable it belongs in.
The first task (`resolve_settings`) reads both once, applies the run's params and
adds the run's own choice (the days, the period, the day of the check); later tasks
read its result with `settings_of`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar

from airflow.sdk import get_current_context, task

from include.config import SettingsError, VoucherSettings, load_settings, parse_settings
from include.dag_defaults import HEAVY_TIMEOUT, run_moment

SHARED_VARIABLE = "vouchers"
STORE_FOLDER = "vouchers"

SettingsT = TypeVar("SettingsT", bound=VoucherSettings)


# --- settings ------------------------------------------------------------------------


def load_voucher_settings(model: type[SettingsT], variable: str, params: dict) -> SettingsT:
    """The shared Variable `vouchers`, the DAG's own Variable over it, then the run's
    params that name a field of `model`."""
    shared = load_settings(VoucherSettings, SHARED_VARIABLE)
    own = load_settings(model, variable)
    misplaced = sorted(own.model_fields_set & set(VoucherSettings.model_fields))
    if misplaced:
        raise SettingsError(
            f"invalid {model.__name__} setting(s): {', '.join(misplaced)}: shared by the three "
            f"voucher DAGs, set in Variable {SHARED_VARIABLE!r}, not in {variable!r}"
        )
    values = {**own.model_dump(mode="json"), **shared.model_dump(mode="json")}
    return parse_settings(model, values, params)


def resolve_voucher_settings(
    settings_model: type[VoucherSettings], variable: str, run_model: type[SettingsT], run_values
):
    """The DAG's first task (`resolve_settings`): the run's settings as JSON.

    `run_model` is `settings_model` plus the fields of the run's own choice;
    `run_values(context)` computes those (they are not settings, so no Variable may
    hold them). The result is `run_model`'s JSON dump."""

    @task(task_id="resolve_settings", retries=0)
    def resolve() -> dict:
        context = get_current_context()
        params = dict(context.get("params") or {})
        settings = load_voucher_settings(settings_model, variable, params)
        return run_model(**settings.model_dump(), **run_values(context)).model_dump(mode="json")

    return resolve()


# --- the run's day -----------------------------------------------------------------


def run_day(context) -> date:
    """The run's own day: the `logical_date` of a daily cron run is the moment it fires."""
    return run_moment(context).date()


def day_param(params: dict, name: str) -> date | None:
    """A date param (`YYYY-MM-DD`) or None; a malformed one fails the run naming it."""
    text = params.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{name}: {text!r} is not a date YYYY-MM-DD") from None


def as_of_day(context) -> date:
    """Param `as_of`, else the run's day."""
    return day_param(context.get("params") or {}, "as_of") or run_day(context)


# --- the project DB ------------------------------------------------------------------


def project_db():
    """The project DB; its transactions read committed rows only, so mapped tasks
    replacing provider-days side by side take no gap locks from each other."""
    from include.connectors.hooks import pipelines_db

    return pipelines_db(read_committed=True)


def records(frame, columns: list[str], **constants: Any) -> list[dict]:
    """Frame rows as dicts for a query's named params (NaN/NaT -> NULL), plus constants."""
    clean = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [
        dict(zip(columns, row, strict=True)) | constants
        for row in clean.itertuples(index=False, name=None)
    ]


def calendar_for(period_or_day: str, settings: VoucherSettings):
    """The shared working-day calendar of the period's (or day's) year."""
    from include.vouchers.calendar import WorkingCalendar

    return WorkingCalendar.for_period(
        period_or_day, settings.extra_holidays, settings.extra_working_days
    )


def month_before(day: date) -> str:
    return (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


# --- reference data from the registry ------------------------------------------------


@task(execution_timeout=HEAVY_TIMEOUT)
def extract_registry(settings: dict, run_id: str | None = None) -> dict:
    """Regions, providers, norms, vouchers and risk flags -> the project DB (upserts).
    The provider's status columns are the pipeline's own (risk rules) and are kept.
    Each list is checked against its schema first (include/vouchers/feeds.py): a failing
    row goes to `feed_reject` (feed `registry_<list>`) and the other rows go on."""
    from include.connectors.voucher_registry import VoucherRegistryHook
    from include.feed_rejects import open_rejects, record_rejects, seen_now
    from include.vouchers.amounts import to_tiyn
    from include.vouchers.feeds import validate_registry

    run_id = run_id or ""  # a direct call (bench, tests) has no run
    shared = VoucherSettings.model_validate(
        {k: v for k, v in settings.items() if k in VoucherSettings.model_fields}
    )
    registry = VoucherRegistryHook(max_pages=shared.max_pages)
    read = {
        "registry_regions": registry.regions(),
        "registry_providers": registry.providers(),
        "registry_norms": registry.norms(),
        "registry_vouchers": registry.vouchers(),
        "registry_risk_flags": registry.risk_flags(),
    }
    checked = {feed: validate_registry(feed, items) for feed, items in read.items()}
    regions, providers, norms, vouchers, flags = (checked[feed][0] for feed in read)
    for provider in providers:
        estimate = provider["estimate_monthly"]
        provider["estimate_tiyn"] = None if estimate is None else to_tiyn(estimate)
    for norm in norms:
        norm["norm_tiyn"] = to_tiyn(norm["monthly_amount"])
    db = project_db()
    try:
        with db.transaction() as cursor:
            seen_at = seen_now()
            for feed, (_, rejects) in checked.items():
                record_rejects(db, cursor, feed, rejects, run_id, seen_at, scope=feed)
            cursor.executemany(db.query("voucher_upsert_region"), regions)
            cursor.executemany(db.query("voucher_upsert_provider"), providers)
            cursor.execute(db.query("voucher_clear_norms"))
            cursor.executemany(db.query("voucher_insert_norm"), norms)
            cursor.executemany(db.query("voucher_upsert_voucher"), vouchers)
            cursor.execute(db.query("voucher_clear_risk_flags"))
            cursor.executemany(db.query("voucher_insert_risk_flag"), flags)
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
