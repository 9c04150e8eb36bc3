"""Daily ingest of the kindergartens' attendance registers (voucher pipeline, step 1).

## Purpose
Pulls the previous day's attendance marks and the contracts of every provider
from the kindergarten LMS, checks each row against the register rules and
stores the accepted marks; failing rows go to rejects with their reason. The
registry's reference data (providers, norms, vouchers, risk flags) is
refreshed first. See docs/vouchers.md.

At full scale (10^4 providers, 10^6 marks a day, 2 shared cores) a daily run's
`ingest_marks` + `check_double_funding` took 63.5 s (load 3; docs/vouchers.md).

## Schedule
Daily at 03:00 UTC; each run ingests the day before its logical date.

## Settings
Two JSON Variables (docs/vouchers.md): `vouchers` (model `VoucherSettings`, shared by
the three voucher DAGs so they agree on what a working day is): `extra_holidays`,
`extra_working_days`, `max_pages` (1000: a paged LMS or registry list that would need
more pages, repeats an offset or has an empty page with a next offset stops with an
error); and `voucher_ingest` (model `VoucherIngestSettings`): `provider_batch_size`
(providers per mapped ingest task), `lms_page_size`, `lms_concurrency` (LMS connections read
at once per task, default 4). A shared field set in
`voucher_ingest`, or a bad value, fails `resolve_settings` naming the field; the
later tasks read that task's result, never the Variables.

## Params
`day` (YYYY-MM-DD, optional): ingest this day instead of yesterday;
`day_from` (YYYY-MM-DD, optional): ingest every day from `day_from` to `day`
in one run (a backfill of a range; each day is still replaced as a whole).

## Outputs
Tables `voucher_mark`, `voucher_reject`, `voucher_contract` (+ registry copies)
and `voucher_ingested_day` (one row per provider-day ingested, even with no
mark: what `voucher_acts` checks a month against) in `pipelines_db`;
`vouchers/rejects/<day>.csv` in the store (IINs masked); after the double-funding
check, the day's accepted marks as `vouchers/marks/<YYYY-MM>/<day>.parquet` (recorded
in `voucher_mark_file`; an ingest of the day forgets that record before it changes a
mark), which `voucher_acts` aggregates with DuckDB.
Assets (include/assets.py): `voucher_register_days`, one event per run (the days,
providers, marks, accepted, rejects and the rejects folder); `voucher_register_month`
(through the alias `voucher_register_month_closed`), one event per month whose last
working day this run ingested (extra `period`): `voucher_acts` runs on it.

## Data quality
Schema first (include/vouchers/feeds.py; docs/vouchers.md lists what is accepted): a
contract, mark or registry row of the wrong type, format or range goes to the table
`feed_reject` (once per key, reported in each run's summary until the source fixes it)
and, for marks, to the day's rejects file; the other rows go on. Then the row rules
(invalid IIN, unknown code, duplicate mark, not a working day, outside the contract,
excused absence without document) send rows to rejects;
`check_double_funding` flags a child present in two providers on one day in
both. Rejects never vanish: the CSV and the table list each with its reason.
Input from another DAG: only the provider status `voucher_acts` sets (a
terminated provider is not ingested from the day its termination took
effect; earlier days still are, for a backfill). A provider without such a
status is ingested, the safe side, so there is no gate on it.

## Re-run and backfill
A run replaces that day's marks and rejects per provider: re-running a day
creates no duplicate. Backfill a day with the `day` param or
`airflow dags backfill voucher_ingest -s <date> -e <date>`.
"""

from __future__ import annotations

from airflow.sdk import dag

from include.dag_defaults import dag_args
from include.tasks.settings import date_param
from include.tasks.voucher_ingest import (
    check_double_funding,
    extract_registry,
    ingest_marks,
    plan_batches,
    report_ingest,
    resolve_settings,
)


@dag(
    dag_id="voucher_ingest",
    description="Ingest the kindergartens' daily attendance registers from the LMS",
    schedule="0 3 * * *",
    doc_md=__doc__,
    tags=["vouchers", "kindergarten-lms", "voucher-registry"],
    params={
        "day": date_param("Register day to ingest (default: the day before the run)"),
        "day_from": date_param(
            "First day of a range ending at `day` (backfill several days at once)"
        ),
    },
    **dag_args(),
)
def voucher_ingest():
    settings = resolve_settings()
    registry = extract_registry(settings)
    batches = plan_batches(settings, registry)
    ingested = ingest_marks.partial(settings=settings).expand(batch=batches)
    checked = check_double_funding(settings, ingested)
    report_ingest(settings, registry, checked)


voucher_ingest()
