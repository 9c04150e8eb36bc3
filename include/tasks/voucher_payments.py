"""`voucher_payments`' tasks: the input gate on the acts formed, each act's status from
the voucher registry (a paid act redeems its voucher-months), and the overdue list."""

from __future__ import annotations

from collections import Counter
from datetime import date

from airflow.sdk import get_current_context, task

from include.config import VoucherPaymentsSettings
from include.tasks.settings import settings_of
from include.tasks.vouchers_common import (
    STORE_FOLDER,
    as_of_day,
    project_db,
    resolve_voucher_settings,
)


class PaymentsRun(VoucherPaymentsSettings):
    """The settings of one payments run and the day of its overdue check."""

    as_of: date


def resolve_settings():
    """First task: the Variables `vouchers` + `voucher_payments`, and `as_of`."""
    return resolve_voucher_settings(
        VoucherPaymentsSettings,
        "voucher_payments",
        PaymentsRun,
        lambda context: {"as_of": as_of_day(context)},
    )


def _registry_acts(settings: dict) -> list[dict]:
    from include.connectors.voucher_registry import VoucherRegistryHook

    return VoucherRegistryHook(max_pages=settings_of(PaymentsRun, settings).max_pages).acts()


@task
def check_acts_formed(settings: dict) -> dict:
    """The payments' input gate (blocking): every act the registry lists was formed by
    voucher_acts in the project DB (same number, provider and month); otherwise its status
    and payment would be dropped without a word."""
    import pandas as pd

    from include.quality import DataQualityError
    from include.vouchers import coverage

    registry_acts = pd.DataFrame(_registry_acts(settings), columns=["act_number", "bin", "period"])
    db = project_db()
    try:
        formed = db.read_frame(db.query("voucher_formed_acts"))
    finally:
        db.close()
    missing = coverage.acts_not_formed(registry_acts, formed)
    if not missing.empty:
        raise DataQualityError("voucher_payments: " + coverage.describe_acts_not_formed(missing))
    return {"acts_in_registry": len(registry_acts), "acts_not_formed": 0}


@task
def track_acts(settings: dict, formed: dict) -> dict:
    """Act statuses and dates from the registry; a paid act redeems its voucher-months."""
    from include.vouchers.acts import TRACKED

    items = _registry_acts(settings)
    columns = ("status", "reconciled_on", "signed_on", "invoiced_on", "paid_on", "act_number")
    tracked = [{c: a[c] for c in columns} for a in items if a["status"] in TRACKED]
    db = project_db()
    try:
        with db.transaction() as cursor:
            cursor.executemany(db.query("voucher_update_act_status"), tracked)
            cursor.execute(db.query("voucher_redeem_months"))
            redeemed = cursor.rowcount
    finally:
        db.close()
    return {
        "acts_in_registry": len(items),
        "by_status": dict(sorted(Counter(a["status"] for a in items).items())),
        "voucher_months_redeemed": redeemed,
    }


@task
def list_overdue_acts(settings: dict, tracked: dict) -> dict:
    """Acts unpaid more than `payment_due_days` after signing -> a CSV in the store."""
    from include.storage import store_path, write_bytes_if_changed
    from include.vouchers.amounts import tenge

    run = settings_of(PaymentsRun, settings)
    db = project_db()
    try:
        overdue = db.read_frame(
            db.query("voucher_overdue_acts"),
            {"today": run.as_of, "due_days": run.payment_due_days},
        )
    finally:
        db.close()
    overdue["total"] = overdue["total_tiyn"].map(tenge)
    path = store_path(STORE_FOLDER, "overdue", f"{run.as_of.isoformat()}.csv")
    columns = ["act_number", "bin", "provider_name", "period", "total", "status", "signed_on",
               "days_overdue"]  # fmt: skip
    write_bytes_if_changed(
        path, overdue[columns].to_csv(index=False, lineterminator="\n").encode("utf-8")
    )
    return {"overdue": len(overdue), "acts": overdue["act_number"].tolist(), "file": str(path)}


@task(retries=0)
def report_payments(settings: dict, tracked: dict, overdue: dict) -> dict:
    """The run's summary and report row."""
    from include.reporting import plural, record_run_report

    statuses = tracked["by_status"].items()
    by_status = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in statuses) or "none"
    redeemed = plural(tracked["voucher_months_redeemed"], "voucher-month")
    summary = (
        f"acts tracked on {settings['as_of']}: {by_status},"
        f" {redeemed} redeemed, {overdue['overdue']} overdue"
    )
    counts = {**tracked, "overdue": overdue["overdue"], "overdue_acts": overdue["acts"]}
    return record_run_report(get_current_context(), summary, counts, {"overdue": overdue["file"]})
