"""The pipelines' outputs as Airflow assets: what the Assets view lists, and what the
DAGs that consume another DAG's output are scheduled on.

| asset | emitted by | when | extra |
|---|---|---|---|
| `exam_archive` | exam_archive `record_manifest` | every date archived | date, files, quizzes, pruned, store path, manifest |
| `kontur_publications` | kontur_recordings `publish_recordings` | a day's recordings were published (through the alias `kontur_publications_published`) | local date, published, adopted, courses |
| `voucher_register_days` | voucher_ingest `report_ingest` | every ingest | first and last day, providers, marks, accepted, rejects, the rejects folder |
| `voucher_register_month` | voucher_ingest `report_ingest` | the ingest took in a month's last working day (through the alias `voucher_register_month_closed`) | period, last working day |
| `voucher_acts` | voucher_acts `publish_acts` | every month formed | period, acts published, store path |

Consumers: `voucher_acts` runs on `voucher_register_month` (the period comes from
the event's extra); `voucher_payments` runs daily and on `voucher_acts`. Why so:
the DAGs' doc_md ("Schedule").

Events that must only happen sometimes (a poll every 15 minutes that publishes once
a day; an ingest that closes a month) go through an `AssetAlias`: a task with a plain
asset outlet emits an event whenever it succeeds, an alias only when the task adds one.

Partitioned assets (3.2+) were not used: a partitioned event queues only
partition-aware consumers (`PartitionedAssetTimetable`, whose runs carry a partition
key instead of a logical date and cannot be prefilled from the trigger form with a
period), a plain consumer such as voucher_payments is never queued by one, and an
alias cannot carry a partition key. The day or month is in each event's extra instead.

URIs use the `x-lms-pipelines` scheme (Airflow leaves `x-` schemes as they are): the
store's real URL differs per installation and is in each event's extra.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, AssetAlias

EXAM_ARCHIVE = Asset(name="exam_archive", uri="x-lms-pipelines://store/exams", group="exams")
KONTUR_PUBLICATIONS = Asset(
    name="kontur_publications", uri="x-lms-pipelines://moodle/recordings", group="recordings"
)
KONTUR_PUBLISHED = AssetAlias(name="kontur_publications_published", group="recordings")
VOUCHER_REGISTER_DAYS = Asset(
    name="voucher_register_days",
    uri="x-lms-pipelines://pipelines-db/voucher_mark",
    group="vouchers",
)
VOUCHER_REGISTER_MONTH = Asset(
    name="voucher_register_month",
    uri="x-lms-pipelines://pipelines-db/voucher_ingested_day",
    group="vouchers",
)
VOUCHER_MONTH_CLOSED = AssetAlias(name="voucher_register_month_closed", group="vouchers")
VOUCHER_ACTS = Asset(
    name="voucher_acts", uri="x-lms-pipelines://store/vouchers/acts", group="vouchers"
)


def _outlet_events():
    from airflow.sdk import get_current_context

    return get_current_context()["outlet_events"]


def _json(value: Any) -> Any:
    """Extras are JSON: paths and dates as text."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def emit(asset: Asset, extra: dict[str, Any]) -> dict[str, Any]:
    """Set the extra of the event the running task emits for `asset` (one of its outlets)."""
    extra = _json(extra)
    _outlet_events()[asset].extra = extra
    return extra


def emit_through(alias: AssetAlias, asset: Asset, extra: dict[str, Any]) -> dict[str, Any]:
    """Emit an event for `asset` through `alias` (the task's outlet): only when called."""
    extra = _json(extra)
    _outlet_events()[alias].add(asset, extra=extra)
    return extra


# --- what each output's event carries -----------------------------------------------


def exam_archive_extra(run: dict, manifest: dict, quizzes: int) -> dict[str, Any]:
    from include.exams import layout
    from include.storage import store_path

    return {
        "date": run["date"],
        "files": manifest["files"],
        "quizzes": quizzes,
        "pruned": manifest["pruned"],
        "store_path": store_path(layout.date_folder(run["date"])),
        "manifest": manifest["manifest_csv"],
    }


def kontur_publication_extra(decision: dict, published: dict) -> dict[str, Any] | None:
    """The day's publication, or None when the run published nothing (not due, dry run)."""
    if not (published.get("published") or published.get("adopted")):
        return None
    return {
        "local_date": decision.get("local_date"),
        "published": published.get("published", 0),
        "adopted": published.get("adopted", 0),
        "courses": published.get("courses", 0),
    }


def register_days_extra(days: list[str], checked: dict) -> dict[str, Any]:
    from include.storage import store_path

    return {
        "first_day": days[0],
        "last_day": days[-1],
        "days": len(days),
        "providers": checked.get("providers", 0),
        "marks": checked.get("marks", 0),
        "accepted": checked.get("accepted", 0),
        "rejects": checked.get("rejects", 0),
        "store_path": store_path("vouchers", "rejects"),  # <day>.csv per day ingested
    }


def months_closed(days: list[str], settings: dict) -> list[dict[str, str]]:
    """The months whose last working day is among the ingested `days` (the vouchers'
    working-day calendar with the settings' extra holidays and working days): after
    that day's register nothing of the month is still to come."""
    from include.config import VoucherSettings
    from include.vouchers.calendar import WorkingCalendar, month_bounds

    model = VoucherSettings.model_validate(
        {k: v for k, v in settings.items() if k in VoucherSettings.model_fields}
    )
    closed = []
    for period in sorted({day[:7] for day in days}):
        calendar = WorkingCalendar.for_period(
            period, model.extra_holidays, model.extra_working_days
        )
        working = calendar.working_days(*month_bounds(period))
        if working and working[-1].isoformat() in days:
            closed.append({"period": period, "last_working_day": working[-1].isoformat()})
    return closed


def record_register_events(settings: dict, checked: dict) -> list[dict[str, Any]]:
    """voucher_ingest's events: the days ingested, and each month this run closed."""
    emit(VOUCHER_REGISTER_DAYS, register_days_extra(settings["days"], checked))
    closed = months_closed(settings["days"], settings)
    for month in closed:
        emit_through(VOUCHER_MONTH_CLOSED, VOUCHER_REGISTER_MONTH, month)
    return closed


def acts_extra(period: str, published: dict) -> dict[str, Any]:
    from include.storage import store_path

    folder = store_path("vouchers", "acts", period, "x").parent
    return {"period": period, "published": published.get("published", 0), "store_path": folder}


# --- consumers ----------------------------------------------------------------------


def triggering_period(context) -> str | None:
    """The period (YYYY-MM) of the newest asset event that triggered this run, if any."""
    events = context.get("triggering_asset_events") or {}
    periods = [
        (event.timestamp, event.extra["period"])
        for asset_events in events.values()
        for event in asset_events
        if isinstance(getattr(event, "extra", None), dict) and event.extra.get("period")
    ]
    return max(periods)[1] if periods else None


def period_to_form(context, default) -> str:
    """The month voucher_acts forms: the `period` param, else the month the triggering
    `voucher_register_month` event closed, else `default(context)` (the month before
    the run)."""
    if (context.get("params") or {}).get("period"):
        return default(context)
    return triggering_period(context) or default(context)
