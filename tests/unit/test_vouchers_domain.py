"""The voucher pipeline's pure logic: checksums, calendar, register rules, risk rules,
proration and act amounts (no database, no network)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from include.vouchers import acts, amounts, coverage, ids, register, risk
from include.vouchers.calendar import CalendarError, WorkingCalendar

MARCH = "2026-03"


# --- IIN / BIN -----------------------------------------------------------------------


def test_checksum_first_pass_worked_example():
    # 880101300010: Σ d_i·i = 8+16+0+4+0+6+21+0+0+0+11 = 66, 66 mod 11 = 0 = d12
    assert ids.has_valid_checksum("880101300010")
    assert ids.is_valid_iin("880101300010")
    assert ids.iin_birth_date("880101300010") == date(1988, 1, 1)


def test_checksum_second_pass_when_first_gives_ten():
    first11 = "22031556219"
    digits = [int(c) for c in first11]
    assert sum(d * (i + 1) for i, d in enumerate(digits)) % 11 == 10
    weights = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    second = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    assert ids.complete(first11) == f"{first11}{second}"
    assert ids.is_valid_iin(f"{first11}{second}")
    assert ids.iin_birth_date(f"{first11}{second}") == date(2022, 3, 15)


@pytest.mark.parametrize(
    "number",
    [
        "880101300011",  # wrong check digit
        "88010130001",  # 11 digits
        "8801013000100",  # 13 digits
        "88010130001A",  # a letter
        "881301300012",  # month 13: the checksum may pass, the birth date cannot
        "",
        None,
    ],
)
def test_invalid_iins(number):
    assert not ids.is_valid_iin(number)


def test_no_check_digit_possible_means_invalid():
    # an 11-digit prefix whose both passes give 10 admits no 12th digit
    prefix = next(
        f"{n:011d}" for n in range(10**10, 10**10 + 10**6) if ids.check_digit(f"{n:011d}") is None
    )
    assert all(not ids.has_valid_checksum(prefix + str(d)) for d in range(10))


def test_bin_validation():
    assert ids.is_valid_bin("950740000120")  # 95-07, resident legal entity (4), checksum 0
    assert ids.is_valid_bin("081140001236")
    assert not ids.is_valid_bin("950740000121")  # wrong check digit
    assert not ids.is_valid_bin("950705400125")  # checksum fine, 5th digit 0 is no entity type
    assert not ids.is_valid_bin(ids.complete("95134000012"))  # month 13


def test_mask_iin_keeps_the_last_four():
    assert ids.mask_iin("880101300010") == "********0010"
    assert ids.mask_iin("880101300010", 0) == "************"


# --- calendar ------------------------------------------------------------------------


def test_march_2026_working_days_with_shipped_holidays():
    calendar = WorkingCalendar.for_period(MARCH)
    # 22 weekdays minus 9 March (8 March moved) and 23-25 March (Nauryz + moved days)
    assert calendar.working_days_in_month(MARCH) == 18
    assert not calendar.is_working_day(date(2026, 3, 23))
    assert calendar.is_working_day(date(2026, 3, 26))
    assert list(
        calendar.count_between(["2026-03-16", "2026-03-10"], ["2026-03-31", "2026-03-09"])
    ) == [9, 0]


def test_calendar_settings_add_holidays_and_working_saturdays():
    calendar = WorkingCalendar.for_period(
        MARCH, extra_holidays=[date(2026, 3, 2)], extra_working_days=[date(2026, 3, 28)]
    )
    assert calendar.working_days_in_month(MARCH) == 18
    assert calendar.is_working_day(date(2026, 3, 28))
    assert list(calendar.count_between(["2026-03-01"], ["2026-03-31"])) == [18]


def test_a_year_without_a_shipped_calendar_is_an_error():
    with pytest.raises(CalendarError, match="2031"):
        WorkingCalendar.for_period("2031-01")


# --- register rules ------------------------------------------------------------------

IIN_A = ids.complete("21030560123")
IIN_B = ids.complete("22031556219")
BIN_1, BIN_2 = "950740000120", "081140001236"


def _contracts():
    return pd.DataFrame(
        [
            {"bin": BIN_1, "iin": IIN_A, "start_date": date(2026, 1, 10), "end_date": None},
            {"bin": BIN_1, "iin": IIN_B, "start_date": date(2026, 3, 16), "end_date": None},
        ]
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ((BIN_1, "210305601230", date(2026, 3, 3), "present", None), "invalid_iin"),
        ((BIN_1, IIN_A, date(2026, 3, 3), "sick", True), "unknown_code"),
        ((BIN_1, IIN_A, date(2026, 3, 7), "present", None), "not_working_day"),
        ((BIN_1, IIN_A, date(2026, 3, 23), "present", None), "not_working_day"),
        ((BIN_1, IIN_B, date(2026, 3, 3), "present", None), "outside_contract"),
        ((BIN_1, IIN_A, date(2026, 3, 4), "absent_excused", False), "excused_without_document"),
    ],
)
def test_each_register_rule_rejects_with_its_reason(row, reason):
    good = (BIN_1, IIN_A, date(2026, 3, 2), "present", None)
    marks = pd.DataFrame([good, row], columns=["bin", "iin", "mark_date", "code", "document"])
    accepted, rejects = register.split_register(
        marks, _contracts(), WorkingCalendar.for_period(MARCH)
    )
    assert list(rejects["reason"]) == [reason]
    assert list(accepted["mark_date"]) == [date(2026, 3, 2)]


def test_two_marks_of_one_child_on_one_day_are_both_rejected():
    marks = pd.DataFrame(
        [
            (BIN_1, IIN_A, date(2026, 3, 3), "present", None),
            (BIN_1, IIN_A, date(2026, 3, 3), "absent_unexcused", None),
            (BIN_1, IIN_A, date(2026, 3, 4), "present", None),
        ],
        columns=["bin", "iin", "mark_date", "code", "document"],
    )
    accepted, rejects = register.split_register(
        marks, _contracts(), WorkingCalendar.for_period(MARCH)
    )
    assert list(rejects["reason"]) == ["duplicate_mark", "duplicate_mark"]
    assert len(accepted) == 1


def test_the_rules_over_a_batch_of_providers_equal_the_rules_per_provider():
    """voucher_ingest splits a whole batch-day in one call: every rule stays per provider
    (a child marked in two providers is no duplicate; a contract covers its provider only)."""
    marks = pd.DataFrame(
        [
            (BIN_1, IIN_A, date(2026, 3, 3), "present", None),
            (BIN_2, IIN_A, date(2026, 3, 3), "present", None),  # other provider: no contract
            (BIN_1, IIN_B, date(2026, 3, 3), "present", None),  # before its contract
            (BIN_2, IIN_B, date(2026, 3, 3), "absent_excused", True),
            (BIN_2, IIN_B, date(2026, 3, 3), "present", None),  # duplicate in BIN_2 only
            (BIN_1, IIN_A, date(2026, 3, 3), "sick", None),
            (BIN_2, "210305601230", date(2026, 3, 3), "present", None),
        ],
        columns=["bin", "iin", "mark_date", "code", "document"],
    )
    contracts = pd.concat(
        [
            _contracts(),
            pd.DataFrame(
                [{"bin": BIN_2, "iin": IIN_B, "start_date": date(2026, 1, 1), "end_date": None}]
            ),
        ],
        ignore_index=True,
    )
    calendar = WorkingCalendar.for_period(MARCH)
    accepted, rejects = register.split_register(marks, contracts, calendar)
    for bin_ in (BIN_1, BIN_2):
        own, own_rejects = register.split_register(
            marks[marks["bin"] == bin_], contracts[contracts["bin"] == bin_], calendar
        )
        pd.testing.assert_frame_equal(accepted[accepted["bin"] == bin_].reset_index(drop=True), own)
        pd.testing.assert_frame_equal(
            rejects[rejects["bin"] == bin_].reset_index(drop=True), own_rejects
        )
    assert sorted(rejects["reason"]) == sorted(
        ["outside_contract", "duplicate_mark", "duplicate_mark", "unknown_code",
         "invalid_iin", "outside_contract"]
    )  # fmt: skip


def test_double_funding_flags_both_providers():
    marks = pd.DataFrame(
        [
            (BIN_1, IIN_A, date(2026, 3, 3), "present", 0),
            (BIN_2, IIN_A, date(2026, 3, 3), "present", 0),
            (BIN_2, IIN_B, date(2026, 3, 3), "present", 0),
            (BIN_1, IIN_B, date(2026, 3, 3), "absent_unexcused", 0),
        ],
        columns=["bin", "iin", "mark_date", "code", "document"],
    )
    flagged = register.double_funding(marks)
    assert sorted(flagged["bin"]) == sorted([BIN_1, BIN_2])
    assert set(flagged["iin"]) == {IIN_A}


# --- risk rules ----------------------------------------------------------------------


def _flags(*rows):
    return pd.DataFrame(rows, columns=["kind", "bin", "iin", "flagged_on", "resolved_on"])


def test_tax_debt_suspends_then_resumes_after_the_fix():
    flags = _flags(("tax_debt", BIN_1, None, date(2026, 3, 10), None))
    march_end = date(2026, 3, 31)
    assert risk.provider_statuses([BIN_1], flags, march_end)[BIN_1].status == "suspended"
    fixed = _flags(("tax_debt", BIN_1, None, date(2026, 3, 10), date(2026, 4, 5)))
    assert risk.provider_statuses([BIN_1], fixed, march_end, date(2026, 4, 2))[BIN_1].status == (
        "suspended"
    )
    assert risk.provider_statuses([BIN_1], fixed, march_end, date(2026, 4, 6))[BIN_1].status == (
        "active"
    )


def test_unfixed_for_two_months_terminates():
    flags = _flags(("address_mismatch", BIN_1, None, date(2026, 3, 10), None))
    status = risk.provider_statuses([BIN_1], flags, date(2026, 3, 31), date(2026, 5, 10))[BIN_1]
    assert (status.status, status.since) == ("terminated", date(2026, 5, 10))
    assert status.reason == "address_mismatch_unfixed_2_months"
    late_fix = _flags(("address_mismatch", BIN_1, None, date(2026, 3, 10), date(2026, 5, 20)))
    assert (
        risk.provider_statuses([BIN_1], late_fix, date(2026, 3, 31), date(2026, 6, 1))[BIN_1].status
        == "terminated"
    )


def test_liquidation_terminates_and_later_flags_do_not_touch_an_earlier_month():
    flags = _flags(("liquidation", BIN_1, None, date(2026, 3, 20), None))
    assert risk.provider_statuses([BIN_1], flags, date(2026, 3, 31))[BIN_1].reason == "liquidation"
    assert risk.provider_statuses([BIN_1], flags, date(2026, 2, 28))[BIN_1].status == "active"


def test_death_dates():
    flags = _flags(("death", None, IIN_A, date(2026, 3, 18), None))
    assert risk.death_dates(flags) == {IIN_A: date(2026, 3, 18)}


# --- amounts and acts ----------------------------------------------------------------


def _round(norm: str, days: int, working: int) -> Decimal:
    return (Decimal(norm) * days / working).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_prorate_to_the_tiyn_half_up():
    got = amounts.prorate([5600000, 5600000, 1], [17, 9, 1], 18)
    assert [amounts.tenge(x) for x in got] == [
        str(_round("56000.00", 17, 18)), str(_round("56000.00", 9, 18)), "0.00"
    ]  # fmt: skip


def test_largest_remainder_sums_to_the_total():
    parts = amounts.allocate(150000000, [18, 18, 17])
    assert parts.sum() == 150000000 and (parts >= 0).all()
    assert list(amounts.allocate(100, [1, 1, 1])) == [34, 33, 33]


def _lines():
    base = {"group_type": "general", "norm_tiyn": 5600000, "excused_doc_days": 0}
    return pd.DataFrame(
        [
            {**base, "bin": BIN_1, "contract_id": "c1", "voucher_id": "v1", "iin": IIN_A,
             "child_name": "А", "start_date": date(2026, 1, 10), "end_date": None,
             "present_days": 16, "excused_doc_days": 1, "valid_marks": 18},
            {**base, "bin": BIN_1, "contract_id": "c2", "voucher_id": "v2", "iin": IIN_B,
             "child_name": "Б", "start_date": date(2026, 3, 16), "end_date": None,
             "present_days": 8, "valid_marks": 9},
            {**base, "bin": BIN_2, "contract_id": "c3", "voucher_id": "v3", "iin": IIN_A,
             "child_name": "В", "start_date": date(2026, 1, 1), "end_date": date(2026, 3, 12),
             "present_days": 7, "valid_marks": 9},
        ]
    )  # fmt: skip


def _providers(model_2="voucher"):
    return pd.DataFrame(
        [
            {"bin": BIN_1, "funding_model": "voucher", "estimate_tiyn": 0, "status": "active"},
            {"bin": BIN_2, "funding_model": model_2, "estimate_tiyn": 150000000,
             "status": "active"},
        ]
    )  # fmt: skip


def test_attendance_basis_prorates_mid_month_enrolment_and_exit():
    calendar = WorkingCalendar.for_period(MARCH)
    found, lines = acts.compute_acts(_lines(), _providers(), MARCH, calendar, "attendance")
    by_contract = lines.set_index("contract_id").sort_index()
    # enrolment on 16 March: 16-20, 26-27, 30-31; exit on 12 March: 2-6, 10-12 (9 March off)
    assert list(by_contract["contract_days"]) == [18, 9, 8]
    assert list(by_contract["payable_days"]) == [17, 8, 7]
    assert amounts.tenge(by_contract.loc["c1", "amount_tiyn"]) == str(_round("56000", 17, 18))
    assert set(found["rule_id"]) == {amounts.RULES["attendance"]}
    for act in found.itertuples():
        assert act.total_tiyn == lines.loc[lines["bin"] == act.bin, "amount_tiyn"].sum()


def test_enrolment_basis_pays_every_working_day_inside_the_contract():
    calendar = WorkingCalendar.for_period(MARCH)
    found, lines = acts.compute_acts(_lines(), _providers(), MARCH, calendar, "enrolment")
    by_contract = lines.set_index("contract_id").sort_index()
    assert list(by_contract["payable_days"]) == [18, 9, 8]
    assert amounts.tenge(by_contract.loc["c2", "amount_tiyn"]) == "28000.00"
    assert set(found["rule_id"]) == {amounts.RULES["enrolment"]}


def test_estimate_provider_gets_its_estimate_whatever_the_contingent():
    calendar = WorkingCalendar.for_period(MARCH)
    found, lines = acts.compute_acts(_lines(), _providers("estimate"), MARCH, calendar)
    act = found.set_index("bin").loc[BIN_2]
    assert act["total_tiyn"] == 150000000 and act["rule_id"] == amounts.RULES["estimate"]
    assert lines.loc[lines["bin"] == BIN_2, "amount_tiyn"].sum() == 150000000


def test_holds_in_order_of_precedence():
    calendar = WorkingCalendar.for_period(MARCH)
    lines = _lines()
    lines.loc[0, "valid_marks"] = 15  # 3 missing marks
    providers = _providers()
    found, _ = acts.compute_acts(lines, providers, MARCH, calendar)
    assert found.set_index("bin").loc[BIN_1, "act_status"] == "held_incomplete_register"
    assert found.set_index("bin").loc[BIN_1, "missing_marks"] == 3
    lines.loc[lines["bin"] == BIN_2, "present_days"] = 0
    found, _ = acts.compute_acts(lines, providers, MARCH, calendar)
    assert found.set_index("bin").loc[BIN_2, "act_status"] == "held_empty_register"
    assert bool(found.set_index("bin").loc[BIN_2, "termination_flag"])
    providers.loc[0, "status"] = "suspended"
    found, _ = acts.compute_acts(lines, providers, MARCH, calendar)
    assert found.set_index("bin").loc[BIN_1, "act_status"] == "held_provider_suspended"


def test_act_number_is_stable_and_overdue_needs_more_than_30_days():
    assert acts.act_number(MARCH, BIN_1) == acts.act_number(MARCH, BIN_1) == f"VA-202603-{BIN_1}"
    frame = pd.DataFrame(
        [
            {"act_number": "a", "status": "signed", "signed_on": date(2026, 4, 1)},
            {"act_number": "b", "status": "signed", "signed_on": date(2026, 4, 2)},
            {"act_number": "c", "status": "paid", "signed_on": date(2026, 3, 1)},
        ]
    )
    assert list(acts.overdue_acts(frame, date(2026, 5, 2))["act_number"]) == ["a"]


# --- input coverage: the gates of voucher_acts and voucher_payments ---------------------

MARCH_DAYS = WorkingCalendar.for_period(MARCH).working_days(date(2026, 3, 1), date(2026, 3, 31))


def _due_providers(*rows):
    columns = ["bin", "funding_model", "status", "status_since", "contract_from", "contract_to"]
    return pd.DataFrame([dict(zip(columns, r, strict=True)) for r in rows], columns=columns)


def _ingested(bin_days):
    return pd.DataFrame(
        [{"bin": b, "register_date": d} for b, days in bin_days.items() for d in days],
        columns=["bin", "register_date"],
    )


def test_register_is_due_on_the_working_days_of_the_contracts():
    providers = _due_providers(
        ("A", "voucher", "active", None, date(2026, 1, 10), None),  # the whole month
        ("B", "voucher", "active", None, date(2026, 3, 16), date(2026, 3, 20)),  # mid-month
        ("C", "estimate", "active", None, None, None),  # an act whatever its contingent
        ("D", "voucher", "active", None, None, None),  # no contract, no act: nothing due
    )
    due = coverage.due_register_days(MARCH_DAYS, providers)
    by_bin = due.groupby("bin")["register_date"].apply(list).to_dict()
    assert by_bin["A"] == MARCH_DAYS and len(MARCH_DAYS) == 18
    assert by_bin["B"] == [date(2026, 3, d) for d in (16, 17, 18, 19, 20)]
    assert by_bin["C"] == MARCH_DAYS
    assert "D" not in by_bin
    assert all(isinstance(d, date) for d in due["register_date"])


def test_a_terminated_provider_is_due_only_before_its_termination():
    providers = _due_providers(
        ("L", "voucher", "terminated", date(2026, 3, 20), date(2026, 1, 10), None),
        ("T", "voucher", "terminated", date(2026, 2, 1), date(2026, 1, 10), None),  # before
        ("U", "estimate", "terminated", None, None, None),  # terminated, date unknown
    )
    due = coverage.due_register_days(MARCH_DAYS, providers)
    assert set(due["bin"]) == {"L"}
    assert max(due["register_date"]) == date(2026, 3, 19)


def test_never_ingested_and_partly_ingested_months_name_the_missing_provider_days():
    providers = _due_providers(
        ("111111111111", "voucher", "active", None, date(2026, 1, 10), None),
        ("222222222222", "estimate", "active", None, None, None),
    )
    due = coverage.due_register_days(MARCH_DAYS, providers)
    never = coverage.missing_register_days(due, _ingested({}))
    assert len(never) == 36
    text = coverage.describe_missing_register(never, MARCH_DAYS, MARCH)
    assert text.startswith("register of 2026-03 not ingested for 36 provider-day(s) of 2")
    # a run is consecutive working days: the holidays (9, 23-25 March) do not break it
    assert "BIN 111111111111 on 2026-03-02..2026-03-31; BIN 222222222222 on" in text
    gaps = coverage.missing_register_days(
        due, _ingested({"111111111111": [date(2026, 3, 10)], "222222222222": MARCH_DAYS})
    )
    assert "on 2026-03-02..2026-03-06, 2026-03-11..2026-03-31." in (
        coverage.describe_missing_register(gaps, MARCH_DAYS, MARCH)
    )
    partly = coverage.missing_register_days(
        due, _ingested({"111111111111": MARCH_DAYS, "222222222222": MARCH_DAYS[:-3]})
    )
    assert list(partly["bin"]) == ["222222222222"] * 3
    text = coverage.describe_missing_register(partly, MARCH_DAYS, MARCH)
    assert "3 provider-day(s) of 1 provider(s): BIN 222222222222 on 2026-03-27..2026-03-31" in text
    assert "111111111111" not in text


def test_a_day_ingested_with_no_mark_is_covered():
    # the record of an ingested provider-day carries no marks: an empty register is covered
    providers = _due_providers(("A", "voucher", "active", None, date(2026, 1, 10), None))
    due = coverage.due_register_days(MARCH_DAYS, providers)
    assert coverage.missing_register_days(due, _ingested({"A": MARCH_DAYS})).empty


def test_the_gate_message_is_capped_and_counts_the_rest():
    days = MARCH_DAYS
    scattered = days[::2]  # nine runs of one day each
    missing = pd.DataFrame(
        [{"bin": f"{n:012d}", "register_date": d} for n in range(15) for d in scattered]
    )
    text = coverage.describe_missing_register(missing, days, MARCH, max_providers=10, max_runs=4)
    assert f"{15 * len(scattered)} provider-day(s) of 15 provider(s)" in text
    assert text.count("BIN ") == 10 and "and 5 more provider(s)" in text
    assert f"and {len(scattered) - 4} more day(s)" in text


def test_acts_in_the_registry_not_formed_here_are_named():
    registry = pd.DataFrame(
        [
            {"act_number": "VA-202603-1", "bin": "1", "period": "2026-03"},
            {"act_number": "VA-202604-1", "bin": "1", "period": "2026-04"},
            {"act_number": "VA-202603-2", "bin": "9", "period": "2026-03"},  # another provider
        ]
    )
    formed = pd.DataFrame(
        [
            {"act_number": "VA-202603-1", "bin": "1", "period": "2026-03"},
            {"act_number": "VA-202603-2", "bin": "2", "period": "2026-03"},
        ]
    )
    missing = coverage.acts_not_formed(registry, formed)
    assert list(missing["act_number"]) == ["VA-202603-2", "VA-202604-1"]
    text = coverage.describe_acts_not_formed(missing)
    assert text.startswith("2 act(s) in the voucher registry were never formed")
    assert "period(s) 2026-03, 2026-04" in text and "VA-202604-1 (BIN 1, 2026-04)" in text
    assert coverage.acts_not_formed(registry.iloc[:1], formed).empty
    many = pd.DataFrame(
        [{"act_number": f"VA-202605-{n}", "bin": str(n), "period": "2026-05"} for n in range(12)]
    )
    text = coverage.describe_acts_not_formed(coverage.acts_not_formed(many, formed))
    assert text.count("(BIN ") == 10 and "and 2 more" in text
