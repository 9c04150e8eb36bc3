"""Monthly acts of services rendered, per provider (voucher pipeline, step 2).

## Purpose
For a month: checks that `voucher_ingest` ingested the month's register for
every provider-day it is due (else the run stops there), applies the
registry's risk rules (suspension, termination, death of a child),
aggregates each provider's register in MariaDB, computes the act (proration
by working days, estimate-funded kindergartens paid their estimate, amounts
to the tiyn), holds acts whose provider is suspended or whose register is
incomplete or empty, renders the act PDF (Russian) and the ESF draft, and
registers ready acts in the voucher registry. See docs/vouchers.md.

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
JSON Variable `voucher_acts` (model `VoucherSettings`): `billing_basis`
(`attendance` | `enrolment`), `iin_visible_digits`, `suspension_grace_months`,
`extra_holidays`, `extra_working_days`, `region_codes`.

## Params
`period` (YYYY-MM, optional): the month to form; `as_of` (YYYY-MM-DD, optional):
the day risk flags are judged on (default: the run's day); `billing_basis`
overrides the setting for this run.

## Outputs
Tables `voucher_act`, `voucher_act_line`, `voucher_month`,
`voucher_provider_event`; in the store `vouchers/acts/<period>/<region>/`:
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

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from include.assets import VOUCHER_ACTS, VOUCHER_REGISTER_MONTH
from include.dag_defaults import HEAVY_TIMEOUT, choices_display, default_args, run_failed_mail

BILLING_BASES = ("attendance", "enrolment")  # VoucherSettings.billing_basis


@dag(
    dag_id="voucher_acts",
    description="Form each provider's monthly act of services and register it in the registry",
    schedule=[VOUCHER_REGISTER_MONTH],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=default_args(),
    on_failure_callback=run_failed_mail(),
    tags=["vouchers", "voucher-registry"],
    params={
        "period": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            description="Month to form, YYYY-MM (default: the month before the run)",
        ),
        "as_of": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Day the risk flags are judged on (default: the run's day)",
        ),
        "billing_basis": Param(
            None,
            type=["null", "string"],
            enum=[None, *BILLING_BASES],
            values_display=choices_display(BILLING_BASES),
            description="Override the billing_basis setting for this run",
        ),
    },
)
def voucher_acts():
    @task(retries=0)
    def check_settings() -> dict:
        from include.assets import period_to_form
        from include.vouchers.pipeline import acts_period, load_voucher_settings, run_day

        context = get_current_context()
        settings = load_voucher_settings(context)
        as_of = context["params"].get("as_of") or run_day(context).isoformat()
        period = period_to_form(context, acts_period)
        return {"period": period, "as_of": as_of, **settings.model_dump(mode="json")}

    @task(execution_timeout=HEAVY_TIMEOUT)
    def extract_registry() -> dict:
        from include.vouchers import pipeline

        return pipeline.extract_registry(get_current_context()["run_id"])

    @task(retries=0)
    def check_register_ingested(settings: dict, registry: dict) -> dict:
        from include.vouchers import pipeline

        return pipeline.check_register_ingested(settings["period"], _model(settings))

    @task
    def apply_risk_rules(settings: dict, registry: dict, ingested: dict) -> dict:
        from datetime import date

        from include.vouchers import pipeline

        model = _model(settings)
        as_of = date.fromisoformat(settings["as_of"])
        return pipeline.apply_risk_rules(settings["period"], as_of, model)

    @task
    def list_regions(settings: dict, risk: dict) -> list[str]:
        from include.vouchers import pipeline

        return pipeline.list_regions(_model(settings))

    @task(max_active_tis_per_dagrun=4, execution_timeout=HEAVY_TIMEOUT)
    def compute_acts(region: str, settings: dict) -> dict:
        from include.vouchers import pipeline

        return pipeline.compute_region_acts(region, settings["period"], _model(settings))

    @task(retries=0)
    def check_acts(settings: dict, computed: list[dict]) -> dict:
        from include.dag_defaults import mapped_results
        from include.vouchers import pipeline

        seen = sum(r["contracts"] for r in mapped_results(computed))
        return pipeline.check_acts(settings["period"], seen)

    @task(max_active_tis_per_dagrun=4, execution_timeout=HEAVY_TIMEOUT, queue="render")
    def render_acts(region: str, settings: dict) -> dict:
        from include.vouchers import pipeline

        return pipeline.render_region_acts(region, settings["period"], _model(settings))

    @task(execution_timeout=HEAVY_TIMEOUT, outlets=[VOUCHER_ACTS])
    def publish_acts(settings: dict, rendered: list[dict]) -> dict:
        from include.assets import acts_extra, emit
        from include.vouchers import pipeline

        published = pipeline.publish_acts(settings["period"])
        emit(VOUCHER_ACTS, acts_extra(settings["period"], published))
        return published

    @task(retries=0)
    def report_acts(settings: dict, risk: dict, computed: list[dict], published: dict) -> dict:
        from collections import Counter
        from decimal import Decimal

        from include.dag_defaults import mapped_results
        from include.reporting import money, plural, record_run_report
        from include.storage import store_path

        computed = mapped_results(computed)
        held: Counter[str] = Counter()
        for region in computed:
            held.update(region["held"])
        acts = sum(r["acts"] for r in computed)
        total = sum((Decimal(r["total"]) for r in computed), Decimal("0.00"))
        summary = (
            f"acts {settings['period']} ({settings['billing_basis']}): {plural(acts, 'act')} in"
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
        folder = store_path("vouchers", "acts", settings["period"], "x").parent
        return record_run_report(get_current_context(), summary, counts, {"acts": str(folder)})

    def _model(settings: dict):
        from include.config import VoucherSettings

        skip = {"period", "as_of"}
        return VoucherSettings.model_validate({k: v for k, v in settings.items() if k not in skip})

    settings = check_settings()
    registry = extract_registry()
    settings >> registry
    ingested = check_register_ingested(settings, registry)
    risk = apply_risk_rules(settings, registry, ingested)
    regions = list_regions(settings, risk)
    computed = compute_acts.partial(settings=settings).expand(region=regions)
    checked = check_acts(settings, computed)
    rendered = render_acts.partial(settings=settings).expand(region=regions)
    checked >> rendered
    published = publish_acts(settings, rendered)
    report_acts(settings, risk, computed, published)


voucher_acts()
