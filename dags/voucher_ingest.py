"""Daily ingest of the kindergartens' attendance registers (voucher pipeline, step 1).

## Purpose
Pulls the previous day's attendance marks and the contracts of every provider
from the kindergarten LMS, checks each row against the register rules and
stores the accepted marks; failing rows go to rejects with their reason. The
registry's reference data (providers, norms, vouchers, risk flags) is
refreshed first. See docs/vouchers.md.

## Schedule
Daily at 03:00 UTC; each run ingests the day before its logical date.

## Settings
JSON Variable `voucher_ingest` (model `VoucherSettings`): `provider_batch_size`
(providers per mapped ingest task), `extra_holidays`, `extra_working_days`, `max_pages`
(1000: a paged LMS or registry list that would need more pages, repeats an offset or
has an empty page with a next offset stops with an error).

## Params
`day` (YYYY-MM-DD, optional): ingest this day instead of yesterday;
`day_from` (YYYY-MM-DD, optional): ingest every day from `day_from` to `day`
in one run (a backfill of a range; each day is still replaced as a whole).

## Outputs
Tables `voucher_mark`, `voucher_reject`, `voucher_contract` (+ registry copies)
and `voucher_ingested_day` (one row per provider-day ingested, even with no
mark: what `voucher_acts` checks a month against) in `pipelines_db`;
`vouchers/rejects/<day>.csv` in the store (IINs masked).
Assets (include/assets.py): `voucher_register_days`, one event per run (the days,
providers, marks, accepted, rejects and the rejects file); `voucher_register_month`
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

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from include.assets import VOUCHER_MONTH_CLOSED, VOUCHER_REGISTER_DAYS
from include.dag_defaults import HEAVY_TIMEOUT, default_args, run_failed_mail


@dag(
    dag_id="voucher_ingest",
    description="Ingest the kindergartens' daily attendance registers from the LMS",
    schedule="0 3 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=default_args(),
    on_failure_callback=run_failed_mail(),
    tags=["vouchers", "kindergarten-lms", "voucher-registry"],
    params={
        "day": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Register day to ingest (default: the day before the run)",
        ),
        "day_from": Param(
            None,
            type=["null", "string"],
            format="date",
            description="First day of a range ending at `day` (backfill several days at once)",
        ),
    },
)
def voucher_ingest():
    @task(retries=0)
    def check_settings() -> dict:
        from include.vouchers.pipeline import ingest_days, load_voucher_settings

        context = get_current_context()
        settings = load_voucher_settings(context)
        days = [d.isoformat() for d in ingest_days(context)]
        return {"days": days, **settings.model_dump(mode="json")}

    @task(execution_timeout=HEAVY_TIMEOUT)
    def extract_registry() -> dict:
        from include.vouchers import pipeline

        return pipeline.extract_registry(get_current_context()["run_id"])

    @task
    def plan_batches(settings: dict, registry: dict) -> list[list[str]]:
        from datetime import date

        from include.vouchers import pipeline

        first_day = date.fromisoformat(settings["days"][0])
        return pipeline.plan_provider_batches(settings["provider_batch_size"], first_day)

    @task(max_active_tis_per_dagrun=4, execution_timeout=HEAVY_TIMEOUT)
    def ingest_marks(batch: list[str], settings: dict) -> dict:
        from datetime import date

        from include.config import VoucherSettings
        from include.vouchers import pipeline

        model = VoucherSettings.model_validate({k: v for k, v in settings.items() if k != "days"})
        days = [date.fromisoformat(d) for d in settings["days"]]
        run_id = get_current_context()["run_id"]
        return pipeline.ingest_provider_batch(batch, days, model, run_id)

    @task
    def check_double_funding(settings: dict, ingested: list[dict]) -> dict:
        from datetime import date

        from include.dag_defaults import mapped_results
        from include.vouchers import pipeline

        result = pipeline.check_double_funding([date.fromisoformat(d) for d in settings["days"]])
        batches = mapped_results(ingested)
        for name in ("providers", "marks", "accepted"):
            result[name] = sum(batch.get(name, 0) for batch in batches)
        return result

    @task(retries=0, outlets=[VOUCHER_REGISTER_DAYS, VOUCHER_MONTH_CLOSED])
    def report_ingest(settings: dict, registry: dict, checked: dict) -> dict:
        from include.assets import record_register_events
        from include.feed_rejects import open_rejects_text
        from include.reporting import plural, record_run_report

        children = plural(checked["double_funded_children"], "child", "children")
        summary = (
            f"register {settings['days'][0]}..{settings['days'][-1]}:"
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

    settings = check_settings()
    registry = extract_registry()
    settings >> registry
    batches = plan_batches(settings, registry)
    ingested = ingest_marks.partial(settings=settings).expand(batch=batches)
    checked = check_double_funding(settings, ingested)
    report_ingest(settings, registry, checked)


voucher_ingest()
