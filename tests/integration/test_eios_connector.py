"""EiosHook against the EIOS stand-in over real HTTP: paging, changed_since, retries,
error mapping with the system's own message."""

from __future__ import annotations

import json
import os

import pytest

from include.connectors.eios import EiosError, EiosHook, EiosUnavailable


@pytest.fixture(scope="module")
def eios(mariadb, sandbox):
    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    stack.reset_data(mariadb, sizes=test_sizes())
    return EiosHook(page_size=7, backoff_seconds=0)


def test_faculties_and_every_page_of_the_feed(eios):
    assert [f["id"] for f in eios.faculties()] == ["ECON", "LAW", "TECH"]
    eios.calls.clear()
    items = eios.students("ECON")
    assert len(items) == 30 and len({i["student_id"] for i in items}) == 30
    assert eios.calls["faculties/ECON/students"] == 5  # 30 rows in pages of 7
    assert [i["changed_at"] for i in items] == sorted(i["changed_at"] for i in items)
    cut = items[20]["changed_at"]
    assert [i["student_id"] for i in eios.students("ECON", changed_since=cut)] == [
        i["student_id"] for i in items if i["changed_at"] >= cut
    ]


def test_5xx_and_429_are_retried(eios, sandbox):
    sandbox.arm("eios", "/faculties", "http503", times=2)
    sandbox.arm("eios", "/faculties/LAW", "http429", times=1)
    assert len(eios.faculties()) == 3
    assert len(eios.students("LAW")) == 30


def test_persistent_outage_and_refusals_carry_the_systems_message(eios, sandbox, monkeypatch):
    sandbox.arm("eios", "/faculties", "http502", times=4)
    with pytest.raises(EiosUnavailable, match="HTTP 502"):
        eios.faculties()
    with pytest.raises(EiosError, match="faculty NOPE does not exist"):
        eios.students("NOPE")
    conn = json.loads(os.environ["AIRFLOW_CONN_EIOS_DEFAULT"])
    monkeypatch.setenv("AIRFLOW_CONN_EIOS_WRONG", json.dumps({**conn, "password": "wrong-token"}))
    with pytest.raises(EiosError, match="HTTP 401.*invalid token"):
        EiosHook(eios_conn_id="eios_wrong", backoff_seconds=0).faculties()
