"""Monthly acts of services rendered, per provider (voucher pipeline, step 2).

## Purpose
For a month: checks that `voucher_ingest` ingested the month's register for
every provider-day it is due (else the run stops there), applies the
registry's risk rules (suspension, termination, death of a child),
counts every contract's marks of the month in ONE set-based aggregation
(`compute_month_lines`), computes each region's acts (proration by working
days, estimate-funded kindergartens paid their estimate, amounts to the tiyn),
holds acts whose provider is suspended or whose register is incomplete or
empty, renders the act PDF (Russian) and the ESF draft, and registers ready
acts in the voucher registry. See docs/vouchers.md.

The aggregation runs in DuckDB over the daily Parquet files of marks that
`voucher_ingest` writes to the store (a local store is read in place; an S3 store's
files of the month are downloaded through ObjectStoragePath first, as DuckDB reads
local files and its `httpfs` would need the store's credentials and a download of the
extension). Measured side by side at full scale (10^6 contracts, 2.2·10^7 marks, one
bench run on 2 cores): DuckDB 12.3 s against 41.9 s for one MariaDB
GROUP BY over the month (the same SQL text, sql/state/queries/voucher_month_lines.sql,
run in MariaDB over its tables), so DuckDB is the DAG's path; the
month's acts took 48.6 s in all (load 1.5; aim ≤ 120 s). Act PDFs: setting `pdf_engine`;
Typst made the 10^4 act PDFs in 7.2 min (aim ≤ 15 min; 641 s of CPU;
load 4-10); WeasyPrint needs 13x the CPU per act.

## Schedule
On the asset `voucher_register_month` (include/assets.py): `voucher_ingest` emits it
when it has ingested a month's last working day, with the month in the event's extra,
and this run forms that month. Not on a date: a fixed day (it was 05:00 UTC on the
2nd) guessed when the register would be complete and formed nothing useful when the
ingest was late. Only the month's last working day triggers it, not every daily
ingest: a run before then would stop at `check_register_ingested` every day. If a
provider-day is still missing then, the run fails at that gate naming it (and the
failure mail goes out): ingest the day, then trigger this DAG with `period`. A
manual run without `period` forms the month before the run's day.

## Settings
Two JSON Variables (docs/vouchers.md): `vouchers` (model `VoucherSettings`, shared by
the three voucher DAGs): `extra_holidays`, `extra_working_days` (the working-day
calendar `voucher_ingest` checked the register against), `max_pages`; and
`voucher_acts` (model `VoucherActsSettings`): `billing_basis` (`attendance` |
`enrolment`), `iin_visible_digits`, `suspension_grace_months`, `region_codes`,
`pdf_engine` (`weasyprint`, the default, or `typst`: about 13x less CPU per act). A shared
field set in `voucher_acts`, or a bad value, fails `resolve_settings` naming the field.

## Params
`period` (YYYY-MM, optional): the month to form (else the month the triggering
event closed, else the month before the run); `as_of` (YYYY-MM-DD, optional):
the day risk flags are judged on (default: the run's day); `billing_basis`
overrides the setting for this run.

## Outputs
Tables `voucher_act`, `voucher_act_line`, `voucher_month`,
`voucher_provider_event`; in the store `vouchers/month_lines/<period>/<region>.parquet`
(each region's contract lines, from `compute_month_lines` to `compute_acts`) and
`vouchers/acts/<period>/<region>/`:
`<act>.json` (act data), `<act>.pdf`, `<act>.esf.json`. Asset `voucher_acts`
(include/assets.py): one event per month formed (extra: period, acts published, the
store folder); `voucher_payments` also runs on it.

## Data quality
`check_register_ingested` (blocking, the input gate, before anything is formed):
the month's register must have been ingested by `voucher_ingest` for every
provider-day it is due (table `voucher_ingested_day`): each working day from
the first start to the last end of a provider's contracts in the month, every
working day for an estimate-funded provider, none from the day a terminated
provider's termination took effect; only the regions formed are checked. A
gap fails the run naming the missing provider-days (the first 10 providers,
the rest counted) before any risk rule, act, hold or termination flag is
written: run `voucher_ingest` for those days, then re-run. A day ingested with
no mark at all counts as ingested: that is a real empty register, held below.
`check_acts` (blocking): lines sum to the act total to the tiyn, no negative
amount, payable days ≤ the month's working days, every contract of the month
in exactly one act line. Holds: `held_incomplete_register` (with the count of
missing marks), `held_empty_register` (termination flag for the emitent),
`held_provider_suspended`, `held_provider_terminated`.

## Re-run and backfill
The act number is derived from provider and month, so a re-run finds the same
act and rewrites nothing when nothing changed (byte-identical act data); acts
already reconciled, signed or paid are frozen. Backfill a month with `period`.
"""

from __future__ import annotations

from airflow.sdk import Param, dag

from include.assets import VOUCHER_REGISTER_MONTH
from include.config import VoucherActsSettings
from include.dag_defaults import dag_args
from include.tasks.settings import date_param, params_from
from include.tasks.voucher_act_pdfs import render_acts
from include.tasks.voucher_acts import (
    apply_risk_rules,
    check_acts,
    check_register_ingested,
    compute_acts,
    extract_registry,
    list_regions,
    publish_acts,
    report_acts,
    resolve_settings,
)
from include.tasks.voucher_month_lines import compute_month_lines


@dag(
    dag_id="voucher_acts",
    description="Form each provider's monthly act of services and register it in the registry",
    schedule=[VOUCHER_REGISTER_MONTH],
    doc_md=__doc__,
    tags=["vouchers", "voucher-registry"],
    params={
        "period": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            description="Month to form, YYYY-MM (default: the month before the run)",
        ),
        "as_of": date_param("Day the risk flags are judged on (default: the run's day)"),
        **params_from(VoucherActsSettings, ["billing_basis"]),
    },
    **dag_args(),
)
def voucher_acts():
    settings = resolve_settings()
    registry = extract_registry(settings)
    ingested = check_register_ingested(settings, registry)
    risk = apply_risk_rules(settings, registry, ingested)
    regions = list_regions(settings, risk)
    lined = compute_month_lines(settings, regions)  # one aggregation for the whole month
    computed = compute_acts.partial(settings=settings).expand(region=lined)
    checked = check_acts(settings, computed)
    rendered = render_acts.partial(settings=settings).expand(region=regions)
    checked >> rendered
    published = publish_acts(settings, rendered)
    report_acts(settings, risk, computed, published)


voucher_acts()
