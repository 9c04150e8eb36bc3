"""Daily tracking of the voucher acts and their payment (voucher pipeline, step 3).

## Purpose
Reads each act's status from the voucher registry (generated → reconciled →
signed → invoiced → paid), lists acts unpaid more than 30 calendar days after
signing, and marks the month of each voucher of a paid act `redeemed`.
See docs/vouchers.md.

## Schedule
Daily at 06:00 UTC, and as soon as `voucher_acts` has published a month's acts (the
asset `voucher_acts`, include/assets.py): statuses and payments change in the registry
every day, so a daily run stays; the asset adds a run right after new acts exist, so
their statuses are tracked without waiting for the next morning.

## Settings
Two JSON Variables (docs/vouchers.md): `vouchers` (model `VoucherSettings`, shared by
the three voucher DAGs): `max_pages` of the registry's act list (and the calendar,
which this DAG does not use); and `voucher_payments` (model
`VoucherPaymentsSettings`): `payment_due_days` (30). A shared field set in
`voucher_payments`, or a bad value, fails `resolve_settings` naming the field.

## Params
`as_of` (YYYY-MM-DD, optional): the day the overdue check is made for.

## Outputs
`voucher_act` statuses and dates, `voucher_month` (`redeemed`); the list of
overdue acts `vouchers/overdue/<day>.csv` in the store.

## Data quality
`check_acts_formed` (blocking, the input gate, before any status is copied):
every act the registry lists must have been formed by `voucher_acts` in the
project DB (same act number, provider and month); otherwise the run fails
naming the acts and their months (the first 10, the rest counted): run
`voucher_acts` for those months (or restore the project DB) first. Without it
a paid act unknown here would redeem nothing and be reported by no one.
`list_overdue_acts` is the check: it lists (never hides) every overdue act; the
run report carries their count.

## Re-run and backfill
Statuses are copied, not accumulated, and redeeming is a status update, so a
re-run changes nothing; `as_of` gives the overdue list of a past day.
"""

from __future__ import annotations

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag

from include.assets import VOUCHER_ACTS
from include.dag_defaults import dag_args
from include.tasks.settings import date_param
from include.tasks.voucher_payments import (
    check_acts_formed,
    list_overdue_acts,
    report_payments,
    resolve_settings,
    track_acts,
)


@dag(
    dag_id="voucher_payments",
    description="Track the voucher acts' registry status and payment; flag overdue acts",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 * * *", timezone="UTC"), assets=[VOUCHER_ACTS]
    ),
    doc_md=__doc__,
    tags=["vouchers", "voucher-registry"],
    params={
        "as_of": date_param("Day of the overdue check (default: the run's day)"),
    },
    **dag_args(),
)
def voucher_payments():
    settings = resolve_settings()
    formed = check_acts_formed(settings)
    tracked = track_acts(settings, formed)
    overdue = list_overdue_acts(settings, tracked)
    report_payments(settings, tracked, overdue)


voucher_payments()
