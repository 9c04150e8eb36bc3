"""Property-based tests (hypothesis) of every feed's schema, pure: any JSON at all in a
feed's list is split into valid rows and rejects with a field and a reason, never a crash."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from include.recordings.feed import validate_entities
from include.vouchers.feeds import (
    REGISTRY_FEEDS,
    validate_contracts,
    validate_marks,
    validate_registry,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
FIELDS = ["id", "key", "title", "createdDate", "createdBy", "participantsCount", "duration",
          "iin", "date", "code", "document", "contract_id", "bin", "status"]  # fmt: skip
rows = st.lists(
    json_values | st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8), max_size=6
)
FAST = settings(max_examples=40, deadline=None)


def _partitioned(items, good, rejects):
    assert len(good) + len(rejects) >= min(len(items), 1) or not items
    for reject in rejects:
        assert reject.key and reject.field and reject.reason
        assert len(reject.key) <= 191 and len(reject.reason) <= 1000


@FAST
@given(rows)
def test_any_kontur_entities_are_accepted_or_rejected_with_a_reason(items):
    good, rejects = validate_entities(items, datetime(2026, 11, 23, tzinfo=UTC))
    _partitioned(items, good, rejects)
    assert len(good) + len(rejects) == len(items)


@FAST
@given(rows)
def test_any_lms_rows_are_accepted_or_rejected_with_a_reason(items):
    for good, rejects in (
        validate_contracts("990640000123", items),
        validate_marks("990640000123", date(2026, 4, 15), items),
    ):
        _partitioned(items, good, rejects)


@FAST
@given(st.sampled_from(sorted(REGISTRY_FEEDS)), rows)
def test_any_registry_rows_are_accepted_or_rejected_with_a_reason(feed, items):
    good, rejects = validate_registry(feed, items)
    _partitioned(items, good, rejects)
