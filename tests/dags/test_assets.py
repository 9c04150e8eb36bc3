"""The outputs as Airflow assets (include/assets.py): the producing DAGs emit events whose
extra carries the counts and the store path (read back from Airflow's metadata DB), and
the consumers are scheduled on them."""

from __future__ import annotations

from datetime import date

import pytest

from include import assets
from tests.airflow_runs import dag_bag, run_dag
from tests.dags.test_voucher_dags import MARCH, SETTINGS, world  # noqa: F401 - fixture


def asset_events(dag_id: str, run_id: str) -> dict[str, list[dict]]:
    """The asset events a run emitted: {asset name: [extra, ...]} from the metadata DB."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    found: dict[str, list[dict]] = {}
    with create_session() as session:
        rows = (
            session.query(AssetModel.name, AssetEvent.extra)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetEvent.source_dag_id == dag_id, AssetEvent.source_run_id == run_id)
            .order_by(AssetEvent.id)
        )
        for name, extra in rows:
            found.setdefault(name, []).append(extra)
    return found


# --- schedules and outlets -------------------------------------------------------------


def test_consumers_are_scheduled_on_the_producers_assets():
    bag = dag_bag()
    acts = bag.dags["voucher_acts"]
    assert type(acts.timetable).__name__ == "AssetTriggeredTimetable"  # on the asset only
    assert [a.name for a in acts.timetable.asset_condition.objects] == ["voucher_register_month"]
    payments = bag.dags["voucher_payments"]
    timetable = payments.timetable
    assert type(timetable).__name__ == "AssetOrTimeSchedule"
    assert timetable.timetable.expression == "0 6 * * *"  # still daily ...
    assert [a.name for a in timetable.asset_condition.objects] == ["voucher_acts"]
    for dag_id in ("voucher_acts", "voucher_payments"):
        assert "asset" in bag.dags[dag_id].doc_md.split("## Schedule", 1)[1].split("##", 1)[0]


@pytest.mark.parametrize(
    ("dag_id", "task_id", "outlet"),
    [
        ("exam_archive", "record_manifest", "exam_archive"),
        ("kontur_recordings", "publish_recordings", "kontur_publications_published"),
        ("voucher_ingest", "report_ingest", "voucher_register_days"),
        ("voucher_ingest", "report_ingest", "voucher_register_month_closed"),
        ("voucher_acts", "publish_acts", "voucher_acts"),
    ],
)
def test_the_task_that_writes_an_output_has_its_asset_as_outlet(dag_id, task_id, outlet):
    task = dag_bag().dags[dag_id].get_task(task_id)
    assert outlet in [o.name for o in task.outlets]


# --- pure parts ------------------------------------------------------------------------


def test_a_month_is_closed_by_its_last_working_day_only():
    march_days = [f"2026-03-{d:02d}" for d in range(1, 32)]
    closed = assets.months_closed(march_days, {})
    assert closed == [{"period": "2026-03", "last_working_day": "2026-03-31"}]
    assert assets.months_closed(["2026-03-30"], {}) == []  # a day before: nothing yet
    assert assets.months_closed(["2026-02-28"], {}) == []  # a Saturday after the last one
    assert assets.months_closed(["2026-02-27"], {})[0]["period"] == "2026-02"  # a Friday
    # an extra holiday moves the month's last working day
    moved = assets.months_closed(["2026-03-30"], {"extra_holidays": ["2026-03-31"]})
    assert moved == [{"period": "2026-03", "last_working_day": "2026-03-30"}]


def test_the_period_comes_from_the_param_then_the_triggering_event():
    class Event:
        def __init__(self, when: int, period: str) -> None:
            self.timestamp, self.extra = when, {"period": period}

    def default(context):
        return "default"

    events = {"voucher_register_month": [Event(1, "2026-02"), Event(2, "2026-03")]}
    assert assets.period_to_form({"params": {}, "triggering_asset_events": events}, default) == (
        "2026-03"
    )
    assert assets.period_to_form({"params": {"period": "2026-01"}}, lambda c: "2026-01") == (
        "2026-01"
    )
    assert assets.period_to_form({"params": {}, "triggering_asset_events": {}}, default) == (
        "default"
    )


def test_a_poll_that_publishes_nothing_emits_no_publication_event():
    assert assets.kontur_publication_extra({}, {"published": 0, "adopted": 0, "skipped": "x"}) is (
        None
    )
    extra = assets.kontur_publication_extra(
        {"local_date": "2026-11-23"}, {"published": 4, "adopted": 1, "courses": 2}
    )
    assert extra == {"local_date": "2026-11-23", "published": 4, "adopted": 1, "courses": 2}


# --- events of real runs -----------------------------------------------------------------


def test_ingest_of_a_whole_month_emits_the_days_and_the_month(world):  # noqa: F811
    result = run_dag("voucher_ingest", conf={"day_from": "2026-03-01", "day": "2026-03-31"})
    assert result.state == "success", result.task_states
    events = asset_events("voucher_ingest", result.run_id)
    (days,) = events["voucher_register_days"]
    assert days["first_day"] == "2026-03-01" and days["last_day"] == "2026-03-31"
    assert days["days"] == 31 and days["marks"] > 0 and days["accepted"] > 0
    assert days["providers"] > 0 and "rejects" in days
    assert days["store_path"].endswith("vouchers/rejects")
    assert events["voucher_register_month"] == [{"period": MARCH, "last_working_day": "2026-03-31"}]


def test_ingest_of_a_day_before_the_months_end_emits_no_month(world):  # noqa: F811
    result = run_dag("voucher_ingest", conf={"day_from": None, "day": "2026-03-30"})
    assert result.state == "success", result.task_states
    events = asset_events("voucher_ingest", result.run_id)
    assert events["voucher_register_days"][0]["last_day"] == "2026-03-30"
    assert "voucher_register_month" not in events


def test_acts_emit_the_month_with_counts_and_store_path(world):  # noqa: F811
    conf = {"period": MARCH, "billing_basis": "attendance", "as_of": None}
    result = run_dag("voucher_acts", conf=conf, settings=SETTINGS)
    assert result.state == "success", result.task_states
    (extra,) = asset_events("voucher_acts", result.run_id)["voucher_acts"]
    assert extra["period"] == MARCH
    assert extra["published"] == result.xcom("publish_acts")["published"]
    assert extra["store_path"].endswith(f"vouchers/acts/{MARCH}")


def test_exam_archive_emits_the_date_with_counts_and_store_path(mariadb, sandbox, airflow_db):
    import shutil

    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes
    from include.sandbox.demo_data.exams import DEMO_DATE
    from include.sandbox.environment import LOCAL_DIR
    from tests.conftest import PREFIX

    sandbox.reset()
    stack.reset_data(mariadb, sizes=test_sizes())
    shutil.rmtree(LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    result = run_dag("exam_archive", conf={"date": DEMO_DATE.isoformat()})
    assert result.state == "success", result.task_states
    (extra,) = asset_events("exam_archive", result.run_id)["exam_archive"]
    manifest = result.xcom("record_manifest")
    assert extra["date"] == DEMO_DATE.isoformat()
    assert extra["files"] == manifest["files"] > 0
    assert extra["quizzes"] > 0 and extra["pruned"] == 0
    assert extra["store_path"].endswith(f"exams/{DEMO_DATE:%Y/%m/%d}")
    assert extra["manifest"] == manifest["manifest_csv"]
    assert date.fromisoformat(extra["date"]) == DEMO_DATE
