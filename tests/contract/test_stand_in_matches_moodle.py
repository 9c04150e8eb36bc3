"""The Moodle stand-in answers every recorded exchange as the real Moodle 4.5 did.

The recordings (tests/contract/recordings/, written by
`python -m include.moodle_contract record` against a real Moodle) are replayed
in their order against the stand-in, read and write cases alike, through the
same runner `make check-moodle` uses: each request is the recorded one with
this run's ids filled in, each answer is compared in status, shape, error code
and warning codes. The write cases build their fixtures first, as on the real
site.
"""

from __future__ import annotations

import pytest

from include.moodle_contract.__main__ import DEFAULT_RECORDINGS
from include.moodle_contract.cases import CASES
from include.moodle_contract.runner import ContractSite, recordings_from, run_cases

RECORDINGS = recordings_from(DEFAULT_RECORDINGS)


@pytest.fixture(scope="module")
def replayed(mariadb, sandbox):
    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    stack.reset_data(mariadb, sizes=test_sizes())
    site = ContractSite(backoff_seconds=0)
    outcomes = run_cases(site, write=True, recordings=RECORDINGS, only_recorded=True)
    return {o.case.key: o for o in outcomes}


def test_every_case_is_recorded():
    assert sorted(RECORDINGS) == sorted(c.key for c in CASES)


@pytest.mark.parametrize("key", sorted(RECORDINGS))
def test_the_stand_in_answers_as_moodle(replayed, key):
    outcome = replayed[key]
    assert outcome.answer is not None, outcome.skipped
    assert outcome.differs == [], f"{key}: " + "; ".join(outcome.differs)


def test_a_function_never_recorded_is_refused(mariadb, sandbox):
    site = ContractSite(backoff_seconds=0)
    status, body = site.exchange("core_group_create_groups", {"groups": []})
    assert status == 200
    assert set(body) == {"exception", "errorcode", "message"}
    assert body["errorcode"] == "notrecorded"
    assert "was never recorded from a real Moodle" in body["message"]
