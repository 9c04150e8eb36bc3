"""Waiting on runs of the distributed stack, and losing a worker mid-task.

Every wait here has a deadline and fails saying what it waited for and the states it
saw; a run that cannot go on fails at once instead of at the deadline: a task waiting
for an answer in Required actions (the tests give none), or work queued while no
worker is alive.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.e2e.airflow_api import FINISHED, AirflowApi, DagRunOutcome

RUN_TIMEOUT = 600  # the longest run here takes ~1 min on an idle machine
KILL_TIMEOUT = 300
HEARTBEAT_LOST = "Detected a task instance without a heartbeat"


def states_seen(task_instances: list[dict]) -> str:
    """`task: state@host, …` per task (mapped instances by index), for failure messages."""
    by_task: dict[str, list[str]] = {}
    for ti in sorted(task_instances, key=lambda t: (t["task_id"], t["map_index"])):
        where = f"@{ti['hostname']}" if ti.get("hostname") else ""
        index = f"[{ti['map_index']}]" if ti["map_index"] >= 0 else ""
        by_task.setdefault(ti["task_id"], []).append(f"{index}{ti['state']}{where}")
    return "; ".join(f"{task}: {', '.join(states)}" for task, states in by_task.items())


def _stuck(stack, tis: list[dict], waiting_since: dict) -> str | None:
    """Why the run cannot go on without the test, if it cannot."""
    asking = [t["task_id"] for t in tis if t["state"] == "awaiting_input"]
    if asking:
        return f"{', '.join(asking)} waits for an answer in Required actions (awaiting_input)"
    pending = [t for t in tis if t["state"] in ("scheduled", "queued", "up_for_retry")]
    alive = [n for n in stack.worker_names if stack.processes[n].running()]
    if pending and not alive:
        waiting_since.setdefault("no_worker", time.monotonic())
        if time.monotonic() - waiting_since["no_worker"] > 60:
            return "tasks are queued but no worker is alive"
    else:
        waiting_since.pop("no_worker", None)
    return None


def finish(api: AirflowApi, stack, dag_id: str, run_id: str, timeout: float = RUN_TIMEOUT):
    """Until the run ends; its outcome. Fails at the deadline, or at once when the run is
    stuck (`_stuck`), naming every task's state."""
    deadline, since = time.monotonic() + timeout, {}
    while True:
        run = api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
        tis = api.task_instances(dag_id, run_id)
        if run["state"] in FINISHED:
            return DagRunOutcome(run, tis)
        if reason := _stuck(stack, tis, since):
            raise AssertionError(f"{dag_id} {run_id} is stuck: {reason}; {states_seen(tis)}")
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{dag_id} {run_id} not finished in {timeout:.0f} s (run {run['state']}); "
                + states_seen(tis)
            )
        time.sleep(2)


def run_to_end(api: AirflowApi, stack, dag_id: str, conf: dict | None = None) -> DagRunOutcome:
    """Trigger a run and `finish` it."""
    return finish(api, stack, dag_id, api.trigger(dag_id, conf))


def wait_for_dags(api: AirflowApi, dag_ids: list[str], timeout: float = 300) -> None:
    """Until the dag-processor has serialised every DAG; else the DAGs missing and the
    dag-processor's import errors."""
    try:
        api.wait_for_dags(dag_ids, timeout)
    except AssertionError as missing:
        errors = api.get("/api/v2/importErrors?limit=100")["import_errors"]
        shown = "; ".join(f"{e['filename']}: {e['stack_trace'][-500:]}" for e in errors)
        raise AssertionError(f"{missing}; import errors: {shown or 'none'}") from None


# --- a worker lost mid-task ----------------------------------------------------------


@dataclass(frozen=True)
class LostTask:
    """The task instance whose worker was killed while it ran."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    try_number: int
    hostname: str
    killed_at: datetime


def attempt_log(stack, dag_id: str, run_id: str, task_id: str, map_index: int, try_: int):
    """The task instance's log for one try (Airflow's default log_filename_template)."""
    folder = stack.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    if map_index >= 0:
        folder = folder / f"map_index={map_index}"
    return folder / f"attempt={try_}.log"


def _in_body(log: Path) -> bool:
    """The log shows the task's own code at work: a line logged after Pre Execute (the
    first `::endgroup::`: startup, the DAG file parsed), and it is not done yet."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return False
    _, endgroup, body = text.partition('"::endgroup::"')
    working = bool(endgroup) and len(body.strip().splitlines()) >= 2  # the rest of its line
    ended = '"Done.' in body or "Post Execute" in body or "Task failed" in body
    return working and not ended


def _running_in_body(stack, dag_id: str, run_id: str, task_id: str) -> list[Path]:
    """Attempt logs of `task_id` whose task is inside its own code (a file check: quicker
    than the REST API, so that a short task is caught too)."""
    folder = stack.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    return [log for log in folder.rglob("attempt=*.log") if _in_body(log)]


def _ti_of_log(log: Path) -> tuple[int, int]:
    index = re.search(r"map_index=(\d+)", str(log))
    return (int(index.group(1)) if index else -1), int(re.search(r"attempt=(\d+)", log.name)[1])


def kill_worker_mid_task(api: AirflowApi, stack, dag_id: str, run_id: str, task_id: str):
    """Wait until a `task_id` instance runs its own code on a worker, freeze that worker's
    whole process tree (SIGSTOP), check that the instance is still running there (it
    cannot finish while frozen), and SIGKILL the tree: a machine lost mid-task. The
    instance that finished just before the freeze is let go, and the next one tried."""
    deadline, since, checked = time.monotonic() + KILL_TIMEOUT, {}, 0.0
    tis: list[dict] = []
    while time.monotonic() < deadline:
        for log in _running_in_body(stack, dag_id, run_id, task_id):
            map_index, try_ = _ti_of_log(log)
            path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
            ti = api.get(path if map_index < 0 else f"{path}/{map_index}")
            host = ti.get("hostname")
            if ti["state"] != "running" or host not in stack.worker_names:
                continue
            worker = stack.processes[host]
            worker.freeze()
            try:
                time.sleep(1)  # a state update already sent lands before the check
                now = api.get(path if map_index < 0 else f"{path}/{map_index}")
                still = now["state"] == "running" and now["try_number"] == try_
            except BaseException:
                worker.thaw()  # never leave a frozen worker to the next tests
                raise
            if still and _in_body(log):
                killed_at = datetime.now(UTC)
                worker.lose()
                return LostTask(dag_id, run_id, task_id, map_index, try_, host, killed_at)
            worker.thaw()  # it finished in between: try the next one
        if time.monotonic() - checked > 2:
            checked = time.monotonic()
            tis = api.task_instances(dag_id, run_id)
            run = api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] in FINISHED or (reason := _stuck(stack, tis, since)):
                why = f"the run ended {run['state']}" if run["state"] in FINISHED else reason
                raise AssertionError(
                    f"no {task_id} of {dag_id} {run_id} caught mid-task: {why}; " + states_seen(tis)
                )
        time.sleep(0.05)
    raise AssertionError(
        f"no {task_id} of {dag_id} {run_id} caught mid-task in {KILL_TIMEOUT} s; "
        + states_seen(tis)
    )


def heartbeat_lost_at(stack, lost: LostTask) -> datetime:
    """When the scheduler logged that the killed task instance's heartbeat stopped."""
    wanted = [
        HEARTBEAT_LOST,
        f"'Task Id': '{lost.task_id}'",
        f"'Run Id': '{lost.run_id}'",
        f"'Hostname': '{lost.hostname}'",
    ]
    if lost.map_index >= 0:
        wanted.append(f"'Map Index': {lost.map_index},")
    log = stack.home / "scheduler.log"
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if all(part in line for part in wanted):
            return datetime.fromisoformat(line.split()[0])
    raise AssertionError(f"the scheduler never logged {HEARTBEAT_LOST!r} for {lost}; see {log}")


def retried_elsewhere(api: AirflowApi, stack, outcome, lost: LostTask) -> dict:
    """The killed try failed on its worker, the scheduler noticed the lost heartbeat,
    and the next try succeeded on the other worker. Returns the figures."""
    path = f"/api/v2/dags/{lost.dag_id}/dagRuns/{lost.run_id}/taskInstances/{lost.task_id}"
    tries = {
        t["try_number"]: t for t in api.get(f"{path}/{lost.map_index}/tries")["task_instances"]
    }
    first, survivor = tries.get(lost.try_number), tries.get(lost.try_number + 1)
    assert first and first["hostname"] == lost.hostname, (lost, tries)
    assert first["state"] == "failed", (lost, first)  # not finished: the worker was lost
    assert survivor, f"{lost} never retried; tries: {tries}"
    assert survivor["state"] == "success", (lost, survivor)
    assert survivor["hostname"] in set(stack.worker_names) - {lost.hostname}, (lost, survivor)
    current = next(
        t
        for t in outcome.task_instances
        if t["task_id"] == lost.task_id and t["map_index"] == lost.map_index
    )
    assert current["try_number"] == survivor["try_number"], (current, survivor)
    noticed = heartbeat_lost_at(stack, lost)
    retried = datetime.fromisoformat(survivor["start_date"])
    assert lost.killed_at < noticed < retried, (lost, noticed, retried)
    return {
        "lost worker": lost.hostname,
        "retried on": survivor["hostname"],
        "noticed after": f"{(noticed - lost.killed_at).total_seconds():.0f} s",
        "retried after": f"{(retried - lost.killed_at).total_seconds():.0f} s",
    }
