"""The tier's waits fail instead of hanging, saying what they waited for and the states
they saw (runs.py); no stack needed: a stand-in API answers."""

from __future__ import annotations

import pytest

from tests.distributed import runs


class FakeProcess:
    def __init__(self, alive: bool) -> None:
        self.alive = alive

    def running(self) -> bool:
        return self.alive


class FakeStack:
    def __init__(self, alive: bool = True) -> None:
        self.worker_names = ["worker-1", "worker-2"]
        self.processes = {n: FakeProcess(alive) for n in self.worker_names}


class FakeApi:
    """A run that stays `running` with the given task instances."""

    def __init__(self, task_instances: list[dict]) -> None:
        self.tis = task_instances

    def get(self, path: str) -> dict:
        return {"state": "running", "dag_run_id": "r"}

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.tis


def ti(task_id: str, state: str, map_index: int = -1, hostname: str = "") -> dict:
    return {"task_id": task_id, "state": state, "map_index": map_index, "hostname": hostname}


def test_a_task_waiting_for_an_answer_fails_the_wait_at_once():
    api = FakeApi([ti("plan_clear_journal", "success", hostname="worker-1"),
                   ti("decide_clear_journal", "awaiting_input", hostname="worker-2")])  # fmt: skip
    with pytest.raises(AssertionError) as failed:
        runs.finish(api, FakeStack(), "kontur_recordings", "r", timeout=600)
    message = str(failed.value)
    assert "decide_clear_journal waits for an answer in Required actions" in message
    assert "decide_clear_journal: awaiting_input@worker-2" in message


def test_queued_work_without_a_live_worker_fails_the_wait(monkeypatch):
    clock = iter(range(0, 10_000, 30))
    monkeypatch.setattr(runs.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(runs.time, "sleep", lambda _: None)
    api = FakeApi([ti("publish_recordings", "up_for_retry", hostname="worker-1")])
    with pytest.raises(AssertionError, match="no worker is alive.*publish_recordings: up_f"):
        runs.finish(api, FakeStack(alive=False), "kontur_recordings", "r", timeout=600)


def test_the_deadline_names_every_task_state(monkeypatch):
    clock = iter(range(0, 10_000, 100))
    monkeypatch.setattr(runs.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(runs.time, "sleep", lambda _: None)
    api = FakeApi([ti("render_acts", "running", 0, "worker-1"), ti("render_acts", "queued", 1)])
    with pytest.raises(AssertionError) as failed:
        runs.finish(api, FakeStack(), "voucher_acts", "r", timeout=300)
    assert "not finished in 300 s" in str(failed.value)
    assert "render_acts: [0]running@worker-1, [1]queued" in str(failed.value)


def test_a_kill_that_finds_no_task_at_work_fails_naming_the_states(monkeypatch, tmp_path):
    clock = iter(range(0, 10_000, 1))
    monkeypatch.setattr(runs.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(runs.time, "sleep", lambda _: None)
    stack = FakeStack()
    stack.home = tmp_path
    api = FakeApi([ti("render_acts", "scheduled", 0)])
    with pytest.raises(AssertionError, match=r"caught mid-task in 300 s; render_acts: \[0\]sch"):
        runs.kill_worker_mid_task(api, stack, "voucher_acts", "r", "render_acts")


def test_the_body_of_a_task_is_told_from_its_start_up_and_its_end(tmp_path):
    log = tmp_path / "attempt=1.log"
    start_up = '{"event":"::group::Pre Execute"}\n{"event":"::endgroup::","ti_id":"x"}\n'
    log.write_text(start_up)
    assert not runs._in_body(log)  # still Airflow's start-up
    log.write_text(start_up + '{"event":"AWS Connection …"}\n')
    assert runs._in_body(log)
    log.write_text(start_up + '{"event":"AWS Connection …"}\n{"event":"Done. Returned"}\n')
    assert not runs._in_body(log)
