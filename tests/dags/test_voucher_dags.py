"""The voucher DAGs end to end against the sandbox LMS and registry and the real MariaDB.

One March 2026 world (region `TST`, 18 working days: 9 and 23-25 March are
holidays) is built once for the module; the tests run in file order and each
runs real DAGs with `dag.test()`, reading back tables, files and PDFs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from include.sandbox.demo_data import vouchers as demo
from include.sandbox.environment import LOCAL_DIR
from include.vouchers.calendar import WorkingCalendar
from tests.airflow_runs import assert_no_error_logs, run_dag
from tests.conftest import PREFIX

# a retried task must not make the test wait (read when the DAG files are parsed)
os.environ.setdefault("PIPELINES_RETRY_DELAY_SECONDS", "0")

MARCH = "2026-03"
REGION = "TST"
SETTINGS = {"region_codes": [REGION]}
CAL = WorkingCalendar.for_period(MARCH)
DAYS = CAL.working_days(date(2026, 3, 1), date(2026, 3, 31))
STORE = LOCAL_DIR / f"store-{PREFIX}"
NORM = Decimal("56000.00")  # SAMPLE norm: preschool, general group

rng = random.Random(7)
P = {name: demo.make_bin(rng, date(2012, n + 1, 1)) for n, name in enumerate(
    ["ok", "inc", "est", "empty", "tax", "addr", "liq"])}  # fmt: skip
KIDS = {name: demo.make_iin(rng, date(2021, 5, n + 1)) for n, name in enumerate(
    ["A", "B", "C", "K", "D", "E", "F", "F2", "G", "H", "I", "J", "L"])}  # fmt: skip


def d(day: int) -> date:
    return date(2026, 3, day)


def _sql(which: str, statements: list[tuple[str, tuple]]) -> list:
    from include.sandbox.stack import connect

    connection = connect(which)
    try:
        cursor = connection.cursor()
        results = []
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
        connection.commit()
        return results
    finally:
        connection.close()


def pipelines(sql: str, params: tuple = ()) -> list:
    return _sql("pipelines", [(sql, params)])[0]


def build_world() -> None:
    from include.sandbox.stack import connect

    connection = connect("sandbox")
    cursor = connection.cursor()
    demo.add_region(
        cursor, REGION, "Тестовая область", "950740000120", "ГУ «Управление образования (тест)»"
    )
    add = demo.add_provider
    add(cursor, P["ok"], "ТОО «Детский сад «Айгөлек»»", REGION)
    add(cursor, P["inc"], "ТОО «Детский сад «Неполный»»", REGION)
    add(cursor, P["est"], "ГККП «Ясли-сад №7»", REGION, "estimate", "1500000.00")
    add(cursor, P["empty"], "ТОО «Пустой реестр»", REGION)
    add(cursor, P["tax"], "ТОО «Налоговый долг»", REGION)
    add(cursor, P["addr"], "ТОО «Не тот адрес»", REGION)
    add(cursor, P["liq"], "ТОО «Ликвидация»", REGION)
    jan = date(2026, 1, 10)
    contract = demo.add_contract
    contract(cursor, "T-A", P["ok"], KIDS["A"], "Ахметов Алихан", jan)
    contract(cursor, "T-B", P["ok"], KIDS["B"], "Ким Амина", d(16))
    contract(cursor, "T-C", P["ok"], KIDS["C"], "Сериков Даниял", jan, d(12))
    contract(cursor, "T-K", P["ok"], KIDS["K"], "Нуров Мирас", jan)
    contract(cursor, "T-D2", P["ok"], KIDS["D"], "Оспанова Аяна", jan, voucher_id="")
    contract(cursor, "T-F", P["inc"], KIDS["F"], "Ли София", jan)
    contract(cursor, "T-D", P["est"], KIDS["D"], "Оспанова Аяна", jan)
    contract(cursor, "T-E", P["est"], KIDS["E"], "Касымов Арсен", jan)
    contract(cursor, "T-G", P["empty"], KIDS["G"], "Абенов Тимур", jan)
    contract(cursor, "T-H", P["tax"], KIDS["H"], "Темиров Ерасыл", jan)
    contract(cursor, "T-I", P["addr"], KIDS["I"], "Петров Медина", jan)
    contract(cursor, "T-J", P["liq"], KIDS["J"], "Жумабаев Дана", jan)
    marks = []

    def register(bin_, iin, days, code="present", document=0, changes=None):
        for day in days:
            marks.append((bin_, iin, day, *(changes or {}).get(day, (code, document))))

    register(
        P["ok"],
        KIDS["A"],
        DAYS,
        changes={d(4): ("absent_excused", 1), d(5): ("absent_unexcused", 0)},
    )
    register(
        P["ok"],
        KIDS["B"],
        [x for x in DAYS if x >= d(16)],
        changes={d(17): ("absent_unexcused", 0)},
    )
    register(P["ok"], KIDS["C"], [x for x in DAYS if x <= d(12)])
    register(P["ok"], KIDS["K"], [x for x in DAYS if x < d(18)])
    register(P["ok"], KIDS["D"], DAYS, "absent_unexcused", changes={d(4): ("present", 0)})
    # P_inc: every register rule broken once; 4 marks missing (3, 10, 11, 12 March)
    register(P["inc"], KIDS["F"], [x for x in DAYS if x not in (d(10), d(11))],
             changes={d(3): ("absent_excused", 0)})  # fmt: skip
    marks += [
        (P["inc"], "210501500011", d(2), "present", 0),  # invalid IIN (bad check digit)
        (P["inc"], KIDS["F"], d(2), "sick", 1),  # unknown code
        (P["inc"], KIDS["F"], d(7), "present", 0),  # Saturday
        (P["inc"], KIDS["F"], d(12), "absent_unexcused", 0),  # second mark of 12 March
        (P["inc"], KIDS["F2"], d(2), "present", 0),  # no contract
    ]
    register(P["est"], KIDS["D"], DAYS)
    register(
        P["est"],
        KIDS["E"],
        DAYS,
        changes={d(2): ("absent_unexcused", 0), d(3): ("absent_unexcused", 0)},
    )
    register(P["empty"], KIDS["G"], DAYS, "absent_unexcused")
    register(P["tax"], KIDS["H"], DAYS)
    register(P["addr"], KIDS["I"], DAYS)
    register(P["liq"], KIDS["J"], DAYS)
    demo.add_marks(cursor, marks)
    demo.add_flag(cursor, "death", d(18), iin=KIDS["K"])
    demo.add_flag(cursor, "tax_debt", d(10), bin_=P["tax"])
    demo.add_flag(cursor, "address_mismatch", d(5), bin_=P["addr"])
    demo.add_flag(cursor, "liquidation", d(20), bin_=P["liq"])
    connection.commit()
    connection.close()


@pytest.fixture(scope="module")
def world(mariadb, sandbox, airflow_db):
    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    stack.reset_data(mariadb, sizes=test_sizes())
    build_world()
    shutil.rmtree(STORE, ignore_errors=True)
    return True


def act_of(provider: str) -> dict:
    rows = pipelines(
        "SELECT act_number, status, total_tiyn, missing_marks, termination_flag, rule_id,"
        " data_sha256, pdf_path, esf_path, children FROM voucher_act WHERE bin = %s AND period = %s",
        (P[provider], MARCH),
    )
    keys = ["act_number", "status", "total_tiyn", "missing_marks", "termination_flag", "rule_id",
            "data_sha256", "pdf_path", "esf_path", "children"]  # fmt: skip
    return dict(zip(keys, rows[0], strict=True)) if rows else {}


def line_amounts(provider: str) -> dict[str, tuple[int, int, int]]:
    rows = pipelines(
        "SELECT l.contract_id, l.payable_days, l.attended_days, l.amount_tiyn FROM voucher_act_line"
        " AS l JOIN voucher_act AS a ON a.act_number = l.act_number WHERE a.bin = %s"
        " AND a.period = %s",
        (P[provider], MARCH),
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def tiyn(days: int, working: int = 18, norm: Decimal = NORM) -> int:
    return int((norm * days / working).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def acts_run(**conf):
    # every param is passed: dag.test() in one process may carry a previous run's conf over
    conf = {"period": MARCH, "billing_basis": "attendance", **conf}
    return run_dag("voucher_acts", conf=conf, settings=SETTINGS)


# --- 1. daily ingest -----------------------------------------------------------------


def test_daily_ingest_replaces_a_provider_day_without_duplicates(world):
    result = run_dag("voucher_ingest", conf={"day": "2026-03-02"})
    assert result.state == "success", result.task_states
    count = "SELECT COUNT(*) FROM voucher_mark WHERE mark_date = %s AND bin = %s"
    assert pipelines(count, (d(2), P["ok"]))[0][0] == 4  # A, C, K, D2 (B starts on 16 March)
    # the LMS corrects the day: A's mark becomes an excused absence, D2's is deleted
    _sql("sandbox", [
        ("UPDATE lms_mark SET code = 'absent_excused', document = 1 WHERE bin = %s AND iin = %s"
         " AND mark_date = %s", (P["ok"], KIDS["A"], d(2))),
        ("DELETE FROM lms_mark WHERE bin = %s AND iin = %s AND mark_date = %s",
         (P["ok"], KIDS["D"], d(2))),
    ])  # fmt: skip
    again = run_dag("voucher_ingest", conf={"day": "2026-03-02"})
    assert again.state == "success"
    assert pipelines(count, (d(2), P["ok"]))[0][0] == 3
    code = pipelines(
        "SELECT code FROM voucher_mark WHERE bin = %s AND iin = %s AND mark_date = %s",
        (P["ok"], KIDS["A"], d(2)),
    )
    assert code == (("absent_excused",),)
    _sql("sandbox", [
        ("UPDATE lms_mark SET code = 'present', document = 0 WHERE bin = %s AND iin = %s"
         " AND mark_date = %s", (P["ok"], KIDS["A"], d(2))),
        ("INSERT INTO lms_mark (bin, iin, mark_date, code, document) VALUES (%s, %s, %s,"
         " 'absent_unexcused', 0)", (P["ok"], KIDS["D"], d(2))),
    ])  # fmt: skip


def test_month_ingest_rejects_every_register_rule_with_its_reason(world):
    result = run_dag("voucher_ingest", conf={"day_from": "2026-03-01", "day": "2026-03-31"})
    assert result.state == "success", result.task_states
    rejects = pipelines(
        "SELECT bin, iin, mark_date, reason FROM voucher_reject WHERE mark_date BETWEEN %s AND %s",
        (d(1), d(31)),
    )
    reasons = {(r[0], r[3]) for r in rejects}
    for reason in ("invalid_iin", "unknown_code", "duplicate_mark", "not_working_day",
                   "outside_contract", "excused_without_document"):  # fmt: skip
        assert (P["inc"], reason) in reasons, reason
    dup = [r for r in rejects if r[3] == "duplicate_mark"]
    assert len(dup) == 2 and {r[2] for r in dup} == {d(12)}
    # the child present in two kindergartens on 4 March is flagged in both
    double = {(r[0], r[1], r[2]) for r in rejects if r[3] == "double_funding"}
    assert double == {(P["ok"], KIDS["D"], d(4)), (P["est"], KIDS["D"], d(4))}
    flagged = pipelines("SELECT bin FROM voucher_mark WHERE flag = 'double_funding'")
    assert sorted(r[0] for r in flagged) == sorted([P["ok"], P["est"]])
    # re-ingesting the whole month creates no duplicate mark or reject
    before = pipelines("SELECT COUNT(*) FROM voucher_mark")[0][0], len(rejects)
    again = run_dag("voucher_ingest", conf={"day_from": "2026-03-01", "day": "2026-03-31"})
    assert again.state == "success"
    after = (
        pipelines("SELECT COUNT(*) FROM voucher_mark")[0][0],
        pipelines(
            "SELECT COUNT(*) FROM voucher_reject WHERE mark_date BETWEEN %s AND %s", (d(1), d(31))
        )[0][0],
    )
    assert after == before
    # the rejects file lists each row with its reason and a masked IIN only
    body = (STORE / "vouchers" / "rejects" / "2026-03-04.csv").read_text(encoding="utf-8")
    assert (
        "double_funding" in body and KIDS["D"] not in body and f"********{KIDS['D'][-4:]}" in body
    )


# --- 2. acts -------------------------------------------------------------------------


def test_acts_amounts_holds_and_risk_rules(world):
    result = acts_run(as_of="2026-04-02")
    assert result.state == "success", result.task_states
    assert result.state_of("compute_acts") == "success"
    ok = act_of("ok")
    assert ok["status"] == "generated"
    assert ok["act_number"] == f"VA-202603-{P['ok']}"
    assert ok["rule_id"] == "KZ-VOUCHER-ATTENDANCE-2025.1"
    lines = line_amounts("ok")
    assert lines["T-A"] == (17, 16, tiyn(17))  # 16 present + 1 documented excused absence
    assert lines["T-B"] == (8, 8, tiyn(8))  # enrolled 16 March: 9 working days, 8 present
    assert lines["T-C"] == (8, 8, tiyn(8))  # left 12 March: 8 working days
    assert lines["T-K"] == (11, 11, tiyn(11))  # died 18 March: annulled from that date
    assert lines["T-D2"] == (0, 0, 0)  # no voucher here; its present mark was double funding
    assert ok["total_tiyn"] == sum(v[2] for v in lines.values())
    est = act_of("est")
    assert est["status"] == "generated" and est["total_tiyn"] == 150000000
    assert est["rule_id"] == "KZ-ESTIMATE-2026.1"
    assert sum(v[2] for v in line_amounts("est").values()) == 150000000
    inc = act_of("inc")
    assert (inc["status"], inc["missing_marks"]) == ("held_incomplete_register", 4)
    empty = act_of("empty")
    assert empty["status"] == "held_empty_register" and empty["termination_flag"] == 1
    events = pipelines(
        "SELECT bin, kind, reason FROM voucher_provider_event WHERE period = %s", (MARCH,)
    )
    assert (P["empty"], "termination_flag", "empty_register") in events
    assert act_of("tax")["status"] == "held_provider_suspended"
    assert act_of("addr")["status"] == "held_provider_suspended"
    assert act_of("liq")["status"] == "held_provider_terminated"
    assert (P["liq"], "terminated", "liquidation") in events
    annulled = pipelines(
        "SELECT m.status FROM voucher_month AS m JOIN voucher_voucher AS v"
        " ON v.voucher_id = m.voucher_id WHERE v.iin = %s AND m.period = %s",
        (KIDS["K"], MARCH),
    )
    assert annulled == (("annulled",),)


def test_act_pdf_and_esf_draft(world):
    from pypdf import PdfReader

    ok = act_of("ok")
    pdf = Path(ok["pdf_path"].replace("file://", ""))
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    flat = " ".join(text.split())
    for expected in ("АКТ ОКАЗАННЫХ УСЛУГ", ok["act_number"], "01.03.2026", "31.03.2026",
                     "Айгөлек", P["ok"], "950740000120", "Управление образования",
                     "Рабочих дней в месяце", "KZ-VOUCHER-ATTENDANCE-2025.1", "Ахметов Алихан",
                     f"********{KIDS['A'][-4:]}", "Посещено", "Оплачиваемых", "Итого"):  # fmt: skip
        assert expected in flat, expected
    for full in KIDS.values():
        assert full not in flat
    total = Decimal(ok["total_tiyn"]) / 100
    assert (
        f"{int(total):,}".replace(",", "\u00a0") in text
        or f"{int(total):,}".replace(",", " ") in flat
    )
    esf = json.loads(Path(ok["esf_path"].replace("file://", "")).read_text(encoding="utf-8"))
    assert esf["seller"]["bin"] == P["ok"] and esf["buyer"]["bin"] == "950740000120"
    assert esf["turnover_period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert esf["total"] == f"{total:.2f}" and esf["lines"][0]["amount"] == esf["total"]
    assert act_of("inc")["pdf_path"] is None  # a held act is not rendered for signing


def test_rerun_of_a_month_is_byte_identical_and_keeps_act_numbers(world):
    def snapshot():
        rows = pipelines(
            "SELECT act_number, status, total_tiyn, data_sha256 FROM voucher_act WHERE period = %s"
            " ORDER BY act_number",
            (MARCH,),
        )
        pdf = Path(act_of("ok")["pdf_path"].replace("file://", "")).read_bytes()
        return rows, hashlib.sha256(pdf).hexdigest()

    before = snapshot()
    result = acts_run(as_of="2026-04-02")
    assert result.state == "success"
    assert snapshot() == before
    registered = _sql("sandbox", [("SELECT COUNT(*) FROM vr_act WHERE period = %s", (MARCH,))])
    assert registered[0][0][0] == 2  # ok + est, once each


def test_act_pdfs_by_typst_in_the_render_pool(world, monkeypatch):
    from pypdf import PdfReader

    import include.vouchers.act_pdfs as act_pdfs

    monkeypatch.setattr(act_pdfs, "POOL_FROM", {"weasyprint": 1, "typst": 1})  # pool, even for 2

    def rendered() -> dict[str, bytes]:
        for act in ("ok", "est"):
            Path(act_of(act)["pdf_path"].replace("file://", "")).unlink()
        result = run_dag("voucher_acts", conf={"period": MARCH, "billing_basis": "attendance",
                         "as_of": "2026-04-02"}, settings={**SETTINGS, "pdf_engine": "typst"})  # fmt: skip
        assert result.state == "success"
        assert result.xcom("render_acts", 0)["render_pool_workers"] > 1  # a pool, not inline
        return {a: Path(act_of(a)["pdf_path"].replace("file://", "")).read_bytes() for a in ("ok", "est")}  # fmt: skip

    first = rendered()
    reader = PdfReader(io.BytesIO(first["ok"]))
    assert str(reader.metadata.get("/Creator", "")).startswith("Typst")
    flat = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (act_of("ok")["act_number"], "Айгөлек", "Ахметов Алихан", P["ok"]):
        assert expected in flat, expected
    assert rendered() == first  # the pool's re-render is byte-identical


def test_enrolment_basis(world):
    result = acts_run(as_of="2026-04-02", billing_basis="enrolment")
    assert result.state == "success"
    lines = line_amounts("ok")
    assert lines["T-B"] == (9, 8, 2800000)  # every working day from 16 March: 28 000.00
    assert lines["T-A"] == (18, 16, 5600000)
    assert act_of("ok")["rule_id"] == "CCDF-2024-ENROLMENT-1"
    assert acts_run(as_of="2026-04-02").state == "success"  # back to the attendance basis
    assert act_of("ok")["rule_id"] == "KZ-VOUCHER-ATTENDANCE-2025.1"


def test_suspension_resumes_after_the_fix_and_terminates_after_two_months(world):
    _sql("sandbox", [("UPDATE vr_risk_flag SET resolved_on = %s WHERE bin = %s",
                      (date(2026, 4, 6), P["tax"]))])  # fmt: skip
    assert acts_run(as_of="2026-05-06").state == "success"
    tax = act_of("tax")
    assert tax["status"] == "generated" and tax["total_tiyn"] == tiyn(18)
    assert act_of("addr")["status"] == "held_provider_terminated"  # unfixed since 5 March
    status = pipelines(
        "SELECT status, status_reason FROM voucher_provider WHERE bin = %s", (P["addr"],)
    )
    assert status == (("terminated", "address_mismatch_unfixed_2_months"),)


# --- 3. act tracking ---------------------------------------------------------------------


def test_tracking_lists_overdue_acts_and_a_paid_act_redeems_its_vouchers(world):
    ok, est, tax = act_of("ok"), act_of("est"), act_of("tax")
    _sql("sandbox", [
        ("UPDATE vr_act SET status = 'signed', reconciled_on = %s, signed_on = %s"
         " WHERE act_number = %s", (date(2026, 4, 2), date(2026, 4, 3), ok["act_number"])),
        ("UPDATE vr_act SET status = 'signed', signed_on = %s WHERE act_number = %s",
         (date(2026, 4, 10), tax["act_number"])),
        ("UPDATE vr_act SET status = 'paid', signed_on = %s, invoiced_on = %s, paid_on = %s"
         " WHERE act_number = %s",
         (date(2026, 4, 3), date(2026, 4, 4), date(2026, 4, 20), est["act_number"])),
    ])  # fmt: skip
    result = run_dag("voucher_payments", conf={"as_of": "2026-05-05"})
    assert result.state == "success", result.task_states
    overdue = result.xcom("list_overdue_acts")
    assert overdue["acts"] == [ok["act_number"]]  # 32 days after signing; tax: 25 days
    assert act_of("est")["status"] == "paid"
    months = pipelines(
        "SELECT m.voucher_id, m.status FROM voucher_month AS m WHERE m.period = %s"
        " AND m.act_number = %s",
        (MARCH, est["act_number"]),
    )
    assert months and {s for _, s in months} == {"redeemed"}
    ok_months = pipelines(
        "SELECT DISTINCT status FROM voucher_month WHERE period = %s AND act_number = %s",
        (MARCH, ok["act_number"]),
    )
    assert set(ok_months) == {("active",), ("annulled",)}  # K died on 18 March
    # a re-run of the month keeps the signed act frozen: same data, no second act
    assert acts_run(as_of="2026-05-06").state == "success"
    assert act_of("ok")["status"] == "signed" and act_of("ok")["data_sha256"] == ok["data_sha256"]
    report = pipelines(
        "SELECT summary FROM pipeline_run_report WHERE dag_id = 'voucher_payments' AND run_id = %s",
        (result.run_id,),
    )
    assert "1 overdue" in report[0][0]


# --- 3b. input gates: no act from a register never ingested, no tracking of unformed acts --

FEB = "2026-02"
FEB_DAYS = CAL.working_days(date(2026, 2, 1), date(2026, 2, 28))


def month_outputs(period: str) -> tuple:
    """Everything voucher_acts forms for a month: acts, voucher-months, emitent events."""
    return (
        pipelines("SELECT act_number, status FROM voucher_act WHERE period = %s", (period,)),
        pipelines("SELECT voucher_id, status FROM voucher_month WHERE period = %s", (period,)),
        pipelines("SELECT bin, kind FROM voucher_provider_event WHERE period = %s", (period,)),
    )


def register_gate_message(period: str) -> str:
    from include.quality import DataQualityError
    from include.tasks.voucher_acts import ActsRun, check_register_ingested

    run = ActsRun(region_codes=[REGION], period=period, as_of=date(2026, 5, 2))
    with pytest.raises(DataQualityError) as failed:
        check_register_ingested.function(run.model_dump(mode="json"), {})
    return str(failed.value)


def test_acts_of_a_month_never_ingested_stop_at_the_gate(world):
    statuses = pipelines("SELECT bin, status, status_reason FROM voucher_provider ORDER BY bin")
    result = acts_run(period=FEB, as_of="2026-03-02")
    assert result.state == "failed"
    assert result.state_of("check_register_ingested") == "failed"
    assert result.state_of("apply_risk_rules") == "upstream_failed"
    assert result.state_of("compute_acts") != "success"
    # no act, no hold, no termination flag, no voucher-month, no status change
    assert month_outputs(FEB) == ((), (), ())
    assert pipelines("SELECT bin, status, status_reason FROM voucher_provider ORDER BY bin") == (
        statuses
    )
    message = register_gate_message(FEB)
    assert f"not ingested for {7 * len(FEB_DAYS)} provider-day(s) of 7 provider(s)" in message
    for provider in P:
        assert f"BIN {P[provider]} on 2026-02-02..2026-02-27" in message


def test_acts_of_a_partly_ingested_month_name_the_missing_provider_days(world):
    ingest = run_dag("voucher_ingest", conf={"day_from": "2026-02-01", "day": "2026-02-20"})
    assert ingest.state == "success", ingest.task_states
    # a provider terminated in March still gets its February register ingested
    liq = pipelines(
        "SELECT COUNT(*), SUM(marks) FROM voucher_ingested_day WHERE bin = %s"
        " AND register_date BETWEEN %s AND %s",
        (P["liq"], date(2026, 2, 1), date(2026, 2, 20)),
    )
    assert liq == ((20, 0),)  # every day of the range recorded, with no mark at all
    result = acts_run(period=FEB, as_of="2026-03-02")
    assert result.state == "failed"
    assert result.state_of("check_register_ingested") == "failed"
    assert month_outputs(FEB) == ((), (), ())
    message = register_gate_message(FEB)
    missing = [x for x in FEB_DAYS if x > date(2026, 2, 20)]
    assert f"not ingested for {7 * len(missing)} provider-day(s) of 7 provider(s)" in message
    for provider in P:
        assert f"BIN {P[provider]} on 2026-02-23..2026-02-27" in message
    assert "2026-02-20" not in message


def test_a_fully_ingested_empty_register_is_still_held_as_empty(world):
    ingest = run_dag("voucher_ingest", conf={"day_from": "2026-02-21", "day": "2026-02-28"})
    assert ingest.state == "success", ingest.task_states
    result = acts_run(period=FEB, as_of="2026-03-02")
    assert result.state == "success", result.task_states
    assert result.xcom("check_register_ingested")["due_provider_days"] == 7 * len(FEB_DAYS)
    acts, _, events = month_outputs(FEB)
    # the LMS had no mark for February: ingested, empty, held as such with the flag raised
    assert dict(acts)[f"VA-202602-{P['ok']}"] == "held_empty_register"
    assert {s for _, s in acts} == {"held_empty_register"}
    assert (P["ok"], "termination_flag") in events


def payments_gate_message() -> str:
    from include.quality import DataQualityError
    from include.tasks.voucher_payments import PaymentsRun, check_acts_formed

    run = PaymentsRun(as_of=date(2026, 5, 25))
    with pytest.raises(DataQualityError) as failed:
        check_acts_formed.function(run.model_dump(mode="json"))
    return str(failed.value)


def test_payments_stop_at_the_gate_when_the_registry_lists_acts_never_formed(world):
    april, stray = f"VA-202604-{P['ok']}", "VA-202603-990000000001"
    tax = act_of("tax")["act_number"]
    add_act = (
        "INSERT INTO vr_act (act_number, bin, period, total, data_sha256, status, generated_on,"
        " signed_on, paid_on) VALUES (%s, %s, %s, 1000.00, %s, 'paid', %s, %s, %s)"
    )
    _sql("sandbox", [
        (add_act, (april, P["ok"], "2026-04", "0" * 64, date(2026, 5, 1), date(2026, 5, 2),
                   date(2026, 5, 20))),
        ("UPDATE vr_act SET status = 'invoiced', invoiced_on = %s WHERE act_number = %s",
         (date(2026, 5, 21), tax)),
    ])  # fmt: skip
    before = pipelines("SELECT act_number, status FROM voucher_act ORDER BY act_number")
    redeemed = pipelines("SELECT COUNT(*) FROM voucher_month WHERE status = 'redeemed'")
    # a month (April) whose acts voucher_acts never formed
    result = run_dag("voucher_payments", conf={"as_of": "2026-05-25"})
    assert result.state == "failed"
    assert result.state_of("check_acts_formed") == "failed"
    assert result.state_of("track_acts") == "upstream_failed"
    assert pipelines("SELECT act_number, status FROM voucher_act ORDER BY act_number") == before
    assert pipelines("SELECT COUNT(*) FROM voucher_month WHERE status = 'redeemed'") == redeemed
    assert not (STORE / "vouchers" / "overdue" / "2026-05-25.csv").exists()
    message = payments_gate_message()
    assert "1 act(s) in the voucher registry were never formed" in message
    assert f"{april} (BIN {P['ok']}, 2026-04)" in message
    # a month partly formed: only the act never formed is named
    _sql("sandbox", [(add_act, (stray, "990000000001", MARCH, "0" * 64, date(2026, 4, 1),
                                date(2026, 4, 2), date(2026, 4, 20)))])  # fmt: skip
    message = payments_gate_message()
    assert "2 act(s)" in message and "period(s) 2026-03, 2026-04" in message
    assert stray in message and april in message
    for formed in (act_of("ok"), act_of("est"), act_of("tax")):
        assert formed["act_number"] not in message
    # every act formed: the run passes and copies the statuses
    _sql("sandbox", [("DELETE FROM vr_act WHERE act_number IN (%s, %s)", (april, stray))])
    result = run_dag("voucher_payments", conf={"as_of": "2026-05-25"})
    assert result.state == "success", result.task_states
    assert result.xcom("check_acts_formed")["acts_not_formed"] == 0
    assert act_of("tax")["status"] == "invoiced"


# --- 4. bad settings and failing systems ---------------------------------------------------


def test_a_bad_setting_fails_the_run_at_once_naming_the_field(world):
    from include.config import SettingsError, VoucherActsSettings, parse_settings

    with pytest.raises(SettingsError, match="billing_basis"):
        parse_settings(VoucherActsSettings, {"billing_basis": "weekly"})
    with pytest.raises(SettingsError, match="suspension_grace_months"):
        parse_settings(VoucherActsSettings, {"suspension_grace_months": 0})
    bad = {"region_codes": [REGION], "suspension_grace_months": 0}
    result = run_dag("voucher_acts", conf={"period": MARCH}, settings=bad)
    assert result.state == "failed"
    assert result.state_of("resolve_settings") == "failed"
    assert result.state_of("extract_registry") in ("upstream_failed", "None")


def test_the_calendar_is_shared_and_never_set_per_dag(world, monkeypatch):
    """One Variable `vouchers` holds the working-day calendar for the three DAGs; a
    shared field in a DAG's own Variable fails the run naming where it belongs."""
    from include.config import SettingsError, VoucherActsSettings, VoucherIngestSettings
    from include.tasks.vouchers_common import load_voucher_settings

    holiday = "2026-03-02"
    monkeypatch.setenv("AIRFLOW_VAR_VOUCHERS", json.dumps({"extra_holidays": [holiday]}))
    monkeypatch.setenv("AIRFLOW_VAR_VOUCHER_ACTS", json.dumps({"billing_basis": "enrolment"}))
    acts = load_voucher_settings(VoucherActsSettings, "voucher_acts", {})
    ingest = load_voucher_settings(VoucherIngestSettings, "voucher_ingest", {})
    assert acts.extra_holidays == ingest.extra_holidays == [date(2026, 3, 2)]
    assert acts.billing_basis == "enrolment"
    monkeypatch.setenv("AIRFLOW_VAR_VOUCHER_INGEST", json.dumps({"extra_holidays": [holiday]}))
    with pytest.raises(SettingsError, match="extra_holidays.*'vouchers'"):
        load_voucher_settings(VoucherIngestSettings, "voucher_ingest", {})
    result = run_dag("voucher_ingest", conf={"day": holiday})
    assert result.state == "failed" and result.state_of("resolve_settings") == "failed"


def test_lms_5xx_is_retried_and_a_refusal_carries_the_systems_message(world, sandbox):
    from include.connectors.kindergarten_lms import ApiError, ApiUnavailable, KindergartenLmsHook

    sandbox.arm("lms", f"/providers/{P['ok']}/attendance", "http502", times=2)
    hook = KindergartenLmsHook(backoff_seconds=0.01)
    items = hook.attendance(P["ok"], d(2))
    assert len(items) == 4 and hook.calls[f"api/v1/providers/{P['ok']}/attendance"] == 3
    sandbox.arm("lms", f"/providers/{P['ok']}/attendance", "http503", times=5)
    with pytest.raises(ApiUnavailable, match="503"):
        KindergartenLmsHook(backoff_seconds=0.01, attempts=3).attendance(P["ok"], d(2))
    sandbox.reset()
    sandbox.arm("registry", "/acts", "http401", times=1)
    from include.connectors.voucher_registry import VoucherRegistryHook

    with pytest.raises(ApiError, match="HTTP 401") as refused:
        VoucherRegistryHook().acts(MARCH)
    assert "sandbox-registry-token" not in str(refused.value)
    sandbox.reset()


def test_no_full_iin_in_outputs(world):
    files = [p for p in (STORE / "vouchers").rglob("*") if p.suffix in (".json", ".csv")]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        for iin in KIDS.values():
            assert iin not in text, path.name


# --- 5. the demo's runs ----------------------------------------------------------------


def test_the_demo_runs_succeed_on_the_generated_data(fresh_stack):
    """`make demo` runs these confs on the generator's data (at test sizes here)."""
    runs = demo.DEMO_RUNS
    ingest = run_dag("voucher_ingest", conf=runs["voucher_ingest"][1])
    assert_no_error_logs(ingest)  # mapped results read without "[error] XCom not found"
    conf = {"billing_basis": "attendance", **runs["voucher_acts"][1]}
    acts = run_dag("voucher_acts", conf=conf, settings={})
    assert_no_error_logs(acts)
    statuses = dict(
        pipelines(
            "SELECT status, COUNT(*) FROM voucher_act WHERE period = %s GROUP BY status",
            (demo.PERIOD,),
        )
    )
    # provider 1: empty register; provider 2: tax debt; provider 0: rejected rows -> incomplete
    assert statuses.get("held_empty_register") == 1, statuses
    assert statuses.get("held_provider_suspended") == 1, statuses
    payments = run_dag("voucher_payments", conf={"as_of": None})
    assert_no_error_logs(payments)
