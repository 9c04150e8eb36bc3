"""The run reports' wording helpers: plurals, money, counts as a line; mapped results."""

from __future__ import annotations

from decimal import Decimal

import pytest

from include.dag_defaults import mapped_results
from include.reporting import counts_text, money, plural, verb
from include.vouchers.amounts import tenge_ru, to_tiyn

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "act", "0 acts"),
        (1, "act", "1 act"),
        (2, "act", "2 acts"),
        (1, "category", "1 category"),
        (3, "category", "3 categories"),
        (2, "day", "2 days"),  # a vowel before the y
        (2, "batch", "2 batches"),
        (2, "attempt PDF", "2 attempt PDFs"),
        (21, "voucher-month", "21 voucher-months"),
    ],
)
def test_plural_builds_regular_english_endings(count, noun, expected):
    assert plural(count, noun) == expected


def test_plural_takes_the_irregular_form():
    assert plural(1, "child", "children") == "1 child"
    assert plural(2, "child", "children") == "2 children"
    assert plural(2, "quiz", "quizzes") == "2 quizzes"


def test_verb_agrees_with_the_count():
    assert f"1 course {verb(1, 'waits', 'wait')}" == "1 course waits"
    assert f"2 courses {verb(2, 'waits', 'wait')}" == "2 courses wait"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234567.89"), "1 234 567,89 ₸"),
        ("0", "0,00 ₸"),
        (56000, "56 000,00 ₸"),
        (Decimal("999.995"), "1 000,00 ₸"),  # half up, to the tiyn
        (Decimal("-1500.5"), "-1 500,50 ₸"),
    ],
)
def test_money_has_thousands_separators_and_a_decimal_comma(amount, expected):
    assert money(amount) == expected.replace(" ", NBSP)


def test_money_prints_an_amount_as_the_acts_do():
    for amount in ("0.01", "1234567.89", "100000000.00"):
        assert money(amount).removesuffix(f"{NBSP}₸") == tenge_ru(to_tiyn(amount))


def test_counts_read_as_one_line_without_reprs():
    line = counts_text(
        {"acts": 3, "held": {"held_empty_register": 1}, "not_synced": [], "regions": ["A", "B"]}
    )
    assert line == "acts: 3; held: 1 held_empty_register; not synced: none; regions: A, B"
    assert not set("{}[]'") & set(line)


class FakeLazySequence:
    """Airflow's lazy sequence in miniature: a slice is one read, iterating reads past the end."""

    def __init__(self, values):
        self.values = values
        self.reads_past_the_end = 0

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.values[key]
        if key >= len(self.values):
            self.reads_past_the_end += 1  # Airflow logs "[error] XCom not found offset=N"
            raise IndexError(key)
        return self.values[key]


def test_mapped_results_read_by_a_slice_never_past_the_end():
    results = FakeLazySequence([{"acts": 1}, {"acts": 2}])
    assert list(results) == [{"acts": 1}, {"acts": 2}]  # iterating: one read past the end
    assert results.reads_past_the_end == 1
    assert mapped_results(results) == [{"acts": 1}, {"acts": 2}]
    assert results.reads_past_the_end == 1  # the slice added none
    assert mapped_results(None) == []
    assert mapped_results([{"acts": 3}]) == [{"acts": 3}]  # a plain list (called directly)
