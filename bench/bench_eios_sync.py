"""Benchmark of `eios_sync`: a large university (40 000 students in 20 faculties).

Against the sandbox (EIOS and Moodle web services over loopback HTTP, a Moodle-schema
MariaDB; own databases, prefix `bench_eios_sync`), each figure with the 1-minute load
average beside it:

(1) the DAG's own task functions, in this process, timed one by one:
    extract_students (the faculties listed, every roster read), check_quality,
    check_accepted_rows (the GX suite), plan_changes (the SQL statements the plan sends
    to Moodle's database are counted), for the first sync (Moodle empty) and again
    after it with every row re-read (`rescan_from`: 40 000 students diffed against a
    full Moodle);
(2) the first full sync under the real scheduler (`airflow standalone`, LocalExecutor,
    started as tests/e2e/conftest.py starts it, triggered over REST): end-to-end
    seconds, task instances, write calls per 100 users, and Moodle's own time: the
    wall seconds during which the sandbox's Moodle was answering at least one web-service
    request (timed at the server); our side = end to end less that;
(3) an unchanged re-run under the scheduler: seconds, task instances, write calls;
(4) the naive sync, one web-service call per user and per membership, on a sample of
    fresh users, extrapolated to the same students, side by side with (2).

`--scale 1` is the issue's 40 000 students (`make bench SCALE=full`); the default 0.1
seeds 4 000. Figures only; nothing is asserted. Ends with one JSON line of the figures.

    .venv/bin/python bench/bench_eios_sync.py [--scale 0.1] [--naive-sample 300]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.sandbox import environment  # noqa: E402

PREFIX = "bench_eios_sync"
FACULTIES = 20
STUDENTS_AT_FULL_SCALE = 40_000
FIGURES: dict[str, float | int | str] = {}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def figure(name: str, value, unit: str = "") -> None:
    """Print one figure with the load average beside it and keep it for the JSON line."""
    FIGURES[name] = value
    FIGURES[f"{name}_load1"] = load()
    print(f"  {name}: {value}{unit}  (load {load():.2f})")


def prepare(students: int) -> tuple[dict, object]:
    """Own databases with Moodle's base rows and the demo university; the sandbox."""
    from include.sandbox import stack
    from include.sandbox.app import BackgroundSandbox
    from include.sandbox.demo_data import SeedContext, moodle_base, university

    port = stack.free_port()
    env = environment.isolated_environment(PREFIX, port)
    env["PIPELINES_RETRY_DELAY_SECONDS"] = "0"
    environment.apply(env)
    db = stack.start_mariadb()
    names = stack.database_names()
    for name in names.values():
        db.recreate_database(name)
    db.load_file(stack.MOODLE_FIXTURES / "schema.sql", names["moodle"])
    db.load_file(stack.MOODLE_FIXTURES / "sample-data.sql", names["moodle"])
    db.load_file(stack.SANDBOX_SCHEMAS / "eios.sql", names["sandbox"])
    stack.migrate_pipelines_db()
    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    moodle, sandbox = stack.connect("moodle"), stack.connect("sandbox")
    context = SeedContext(
        moodle=moodle,
        sandbox=sandbox,
        sizes={"eios_faculties": FACULTIES, "eios_students": students},
    )
    for module in (moodle_base, university):
        print(f"  seeded: {module.seed(context)}")
        moodle.commit()
        sandbox.commit()
    moodle.close()
    sandbox.close()
    server = BackgroundSandbox(port)
    server.server.config.app = MoodleClock(server.server.config.app)
    return env, server.start()


class MoodleClock:
    """ASGI middleware in front of the sandbox: when each Moodle web-service request was
    being answered (`/moodle/...`), to tell Moodle's own time from ours."""

    intervals: list[tuple[float, float]] = []

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or not scope.get("path", "").startswith("/moodle"):
            return await self.app(scope, receive, send)
        started = time.time()
        try:
            return await self.app(scope, receive, send)
        finally:
            MoodleClock.intervals.append((started, time.time()))

    @classmethod
    def busy_seconds(cls, since: float) -> float:
        """Wall seconds since `since` during which Moodle answered at least one request."""
        total, end = 0.0, since
        for start, stop in sorted(i for i in cls.intervals if i[1] > since):
            start = max(start, end)
            if stop > start:
                total, end = total + stop - start, stop
        return total


def run_config(settings: dict, run_id: str, rescan_from: str | None = None) -> dict:
    """What resolve_settings returns, for a run outside Airflow (the same shape)."""
    from include.config import EiosSyncSettings

    started = datetime.now(UTC).replace(tzinfo=None)
    return {
        "settings": EiosSyncSettings(**settings).model_dump(mode="json"),
        "run": {
            "run_id": run_id,
            "key": run_id,
            "stamp": started.strftime("%Y-%m-%d_%H-%M-%S"),
            "time": started.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "confirm": [],
        "rescan_from": rescan_from,
    }


class CountedQueries:
    """Counts the queries sent to Moodle's database (MoodleDbHook.read_frame) meanwhile."""

    def __enter__(self):
        from include.connectors.moodle_db import MoodleDbHook

        self.original = MoodleDbHook.read_frame
        self.names: list[str] = []

        def counted(hook, name, params=None):
            self.names.append(name)
            return self.original(hook, name, params)

        MoodleDbHook.read_frame = counted
        return self

    def __exit__(self, *exc):
        from include.connectors.moodle_db import MoodleDbHook

        MoodleDbHook.read_frame = self.original


def bench_tasks(label: str, rescan_from: str | None = None) -> None:
    """(1) The DAG's task functions, one after another, each timed."""
    from include.tasks import eios_sync as tasks

    print(f"\n(1{label}) the task functions in this process")
    config = run_config({}, f"bench_{label}_{int(time.time())}", rescan_from)
    started = time.perf_counter()
    t1 = time.perf_counter()
    extracted = tasks.extract_students.function(config)
    t2, cpu = time.perf_counter(), time.process_time()
    checked = tasks.check_quality.function(config, extracted)
    check_cpu = time.process_time() - cpu
    t_suite = time.perf_counter()
    tasks.check_accepted_rows.function(config, checked)  # beside the plan in the DAG
    suite_s = time.perf_counter() - t_suite
    t3, cpu = time.perf_counter(), time.process_time()
    with CountedQueries() as queries:
        planned = tasks.plan_changes.function(config, checked)
    t4, plan_cpu = time.perf_counter(), time.process_time() - cpu
    rows = sum(e["rows"] for e in extracted)
    actions = sum(p["actions"] for p in planned)
    figure(f"{label}_students", rows)
    figure(f"{label}_extract_s", round(t2 - t1, 2), " s (GET /faculties + every EIOS page)")
    figure(f"{label}_check_quality_s", round(t_suite - t2, 2), " s (schema, rules, rejects)")
    figure(f"{label}_check_accepted_rows_s", round(suite_s, 2), " s (the GX suite)")
    figure(f"{label}_check_quality_cpu_s", round(check_cpu, 2), " s of CPU")
    figure(f"{label}_plan_s", round(t4 - t3, 2), " s (plan_changes: read Moodle, one diff)")
    figure(f"{label}_plan_cpu_s", round(plan_cpu, 2), " s of CPU (the wall time less waits)")
    figure(f"{label}_plan_moodle_queries", len(queries.names), f" {queries.names}")
    figure(f"{label}_actions_planned", actions)
    figure(f"{label}_tasks_total_s", round(t4 - started, 2), " s")


# --- under the real scheduler ------------------------------------------------------------


def start_scheduler(env: dict) -> tuple[object, Path]:
    """`airflow standalone` as tests/e2e/conftest.py starts it; returns (api, pid file)."""
    from include.sandbox import stack
    from tests.e2e.airflow_api import AirflowApi

    home = environment.LOCAL_DIR / f"airflow-{PREFIX}-standalone"
    port, pid_file, _ = stack.start_airflow_for_triggered_runs(env, home)
    api = AirflowApi(port, home)
    api.wait_for_dags(["eios_sync"])
    api.unpause("eios_sync")
    warm_up(api)
    api.set_variable("eios_sync", {})
    return api, pid_file


def warm_up(api) -> None:
    """One run that fails at its first task (a bad setting), before anything is timed:
    a freshly started Airflow's first task instance waits ~3 s on Airflow's own cold
    start (measured: its log's "Pre Execute" to its DAG parse); a production scheduler
    and API server have been running for days. It touches neither EIOS nor Moodle."""
    api.set_variable("eios_sync", {"mass_graduation_threshold_pct": 0})
    outcome = api.run("eios_sync", {})
    print(f"  warm-up run (a bad setting): {outcome.run['state']}")


def ws_write_calls() -> dict[str, int]:
    from include.sandbox import faults

    return {
        t: n
        for (s, t), n in faults.calls.items()
        if s == "moodle" and not any(p in t for p in ("_get_", "_search_", "_view_"))
    }


def scheduled_run(api, label: str, students: int) -> dict:
    """(2)/(3) One run of eios_sync triggered over REST, timed end to end."""
    from include.sandbox import faults

    faults.calls.clear()
    started, clock = time.perf_counter(), time.time()
    run_id = api.trigger("eios_sync", {"dry_run": False})
    while True:
        run = api.get(f"/api/v2/dags/eios_sync/dagRuns/{run_id}")
        if run["state"] in ("success", "failed"):
            break
        time.sleep(0.5)
    wall = time.perf_counter() - started
    instances = api.task_instances("eios_sync", run_id)
    applies = [t for t in instances if t["task_id"] == "apply_changes" and t["map_index"] >= 0]
    moodle_seconds = sum(
        (api.xcom("eios_sync", run_id, "apply_changes", t["map_index"]) or {}).get(
            "moodle_seconds", 0.0
        )
        for t in applies
        if t["state"] == "success"
    )
    calls = ws_write_calls()
    writes = sum(calls.values())
    print(f"\n({label}) under the real scheduler: {run['state']}; write calls {calls}")
    print_timeline(run, instances)
    figure(f"{label}_state", run["state"])
    figure(f"{label}_end_to_end_s", round(wall, 1), " s (trigger -> run finished)")
    figure(f"{label}_task_instances", len(instances))
    figure(f"{label}_apply_tasks", len(applies))
    figure(f"{label}_write_calls", writes)
    figure(f"{label}_write_calls_per_100_users", round(100 * writes / max(students, 1), 2))
    busy = MoodleClock.busy_seconds(clock)
    figure(f"{label}_apply_waits_s", round(moodle_seconds, 1), " s (apply tasks waiting, summed)")
    figure(f"{label}_moodle_s", round(busy, 1), " s (wall time Moodle was answering a call)")
    figure(f"{label}_our_side_s", round(wall - busy, 1), " s (end to end less Moodle's time)")
    return {"wall": wall, "writes": writes}


def print_timeline(run: dict, instances: list[dict]) -> None:
    """Each task instance that ran: seconds from the run's queueing to its start and end."""

    def at(stamp: str | None) -> float:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return (
            moment - datetime.fromisoformat(run["queued_at"].replace("Z", "+00:00"))
        ).total_seconds()

    ran = [
        t
        for t in instances
        if t.get("start_date") and t.get("end_date") and t["state"] == "success"
    ]
    for t in sorted(ran, key=lambda t: t["start_date"]):
        name = t["task_id"] + (f"[{t['map_index']}]" if t["map_index"] >= 0 else "")
        print(f"    {name:28} {at(t['start_date']):7.2f} -> {at(t['end_date']):7.2f} s")


def bench_naive(sample: int, students: int) -> tuple[float, int]:
    """(4) One call per user and one per membership, on `sample` fresh users."""
    from include.connectors.moodle_ws import MoodleWsHook

    hook = MoodleWsHook()
    hook.call(
        "core_cohort_create_cohorts",
        {"cohorts": [{"name": "naive", "idnumber": "group:naive", "categorytype": {}}]},
    )
    started = time.perf_counter()
    for n in range(sample):
        sid = f"9{n:06d}"
        hook.call(
            "core_user_create_users",
            {
                "users": [
                    {
                        "username": f"naive{sid}",
                        "firstname": "Наивный",
                        "lastname": "Студент",
                        "email": f"naive{sid}@example.edu",
                        "idnumber": sid,
                        "auth": "manual",
                        "createpassword": 1,
                    }
                ]
            },
        )
        hook.call(
            "core_cohort_add_cohort_members",
            {
                "members": [
                    {
                        "cohorttype": {"type": "idnumber", "value": "group:naive"},
                        "usertype": {"type": "username", "value": f"naive{sid}"},
                    }
                ]
            },
        )
    per_student = (time.perf_counter() - started) / sample
    print(f"\n(4) naive, one call per user and per membership ({sample} students measured)")
    figure("naive_ms_per_student", round(per_student * 1000, 1), " ms")
    figure("naive_calls", 2 * students, f" for {students} students")
    figure("naive_s", round(per_student * students, 1), f" s for {students} students")
    return per_student * students, 2 * students


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--naive-sample", type=int, default=300)
    args = parser.parse_args()
    students = int(STUDENTS_AT_FULL_SCALE * args.scale)
    print(f"eios_sync benchmark: {students} students in {FACULTIES} faculties (scale {args.scale})")
    env, server = prepare(students)
    from include.sandbox import stack

    pid_file = None
    try:
        bench_tasks("first")
        api, pid_file = start_scheduler(env)
        first = scheduled_run(api, "first_sync", students)
        rerun = scheduled_run(api, "rerun", students)
        bench_tasks("rescan", rescan_from="2000-01-01")
        naive_s, naive_calls = bench_naive(args.naive_sample, students)
        print(
            f"\nside by side, {students} students: batched first sync {first['writes']} write "
            f"calls in {first['wall']:.0f} s end to end; naive {naive_calls} calls in "
            f"~{naive_s:.0f} s of web-service time alone -> "
            f"{naive_calls / max(first['writes'], 1):.0f}x fewer calls, "
            f"{naive_s / first['wall']:.1f}x less time; unchanged re-run {rerun['wall']:.1f} s"
        )
        figure("peak_rss_mib", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    finally:
        if pid_file is not None:
            stack.stop_process_group(pid_file)
        server.stop()
    print(json.dumps({"bench": "eios_sync", "scale": args.scale, **FIGURES}))


if __name__ == "__main__":
    main()
