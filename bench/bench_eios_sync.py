"""Benchmark of `eios_sync`: a large university (40 000 students in 20 faculties).

Prints, against the sandbox (EIOS and Moodle web services over loopback HTTP, a
Moodle-schema MariaDB; own databases, prefix `bench_eios_sync`):
(1) extract + quality + plan of every faculty: seconds and peak Python memory;
(2) the first full sync with `dag.test()`: web-service calls and wall time;
(3) the same for an unchanged re-run;
(4) a naive sync (one web-service call per user and per membership) of a sample,
    extrapolated to the same students, and the ratio against (2).
`--scale 0.1` (default: ~5 minutes on a shared 2-core machine) seeds 4 000 students
in 20 faculties; `--scale 1` is the issue's 40 000. Figures only; nothing is asserted.

    .venv/bin/python bench/bench_eios_sync.py [--scale 0.1] [--naive-sample 400]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.sandbox import environment  # noqa: E402

PREFIX = "bench_eios_sync"
FACULTIES = 20
STUDENTS_AT_FULL_SCALE = 40_000


def prepare(students: int) -> object:
    """Own databases with Moodle's base rows and the demo university; the sandbox."""
    from include.sandbox import stack
    from include.sandbox.app import BackgroundSandbox
    from include.sandbox.demo_data import SeedContext, moodle_base, university

    port = stack.free_port()
    env = environment.isolated_environment(PREFIX, port)
    env["PIPELINES_RETRY_DELAY_SECONDS"] = "0"
    environment.apply(env)
    db = stack.start_mariadb()
    stack.fresh_databases(db, ["eios.sql"])
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
    stack.migrate_airflow_db(env)
    return BackgroundSandbox(port).start()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_extract_and_plan() -> None:
    """(1) Every faculty: EIOS pages → quality rules → plan against Moodle's state."""
    from datetime import UTC, datetime

    from include.config import EiosSyncSettings
    from include.connectors.eios import EiosHook
    from include.eios.plan import plan_sync
    from include.eios.quality import check_extract
    from include.tasks.eios_state import moodle_db

    settings = EiosSyncSettings()
    started = time.perf_counter()
    hook = EiosHook()
    faculties = hook.faculties()
    extract_seconds = plan_seconds = 0.0
    rows = actions = 0
    extracts = {}
    moodle = moodle_db()

    def plan_one(faculty: dict, items: list[dict]):
        now = datetime.now(UTC).replace(tzinfo=None)
        accepted, _ = check_extract(
            items, faculty["id"], settings.group_code_pattern, settings.username_template, now
        )
        users = moodle.read_frame("eios_users", {}).to_dict("records")
        members = moodle.read_frame("eios_group_cohorts", {}).to_dict("records")
        return plan_sync(
            accepted,
            {i["student_id"] for i in items},
            users,
            members,
            faculty_id=faculty["id"],
            faculty_name=faculty["name"],
            lower_bound=None,
            username_template=settings.username_template,
            auth=settings.auth,
            on_leave=settings.on_leave,
        )

    for faculty in faculties:
        t0 = time.perf_counter()
        items = extracts[faculty["id"]] = hook.students(faculty["id"])
        t1 = time.perf_counter()
        plan = plan_one(faculty, items)
        extract_seconds += t1 - t0
        plan_seconds += time.perf_counter() - t1
        rows += len(items)
        actions += len(plan.actions)
    wall = time.perf_counter() - started
    # peak memory of quality + plan, traced apart: tracemalloc would also trace (and slow)
    # the sandbox's server thread in this process during the HTTP extract
    tracemalloc.start()
    for faculty in faculties:
        plan_one(faculty, extracts[faculty["id"]])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    moodle.close()
    size = sum(len(json.dumps(v, ensure_ascii=False)) for v in extracts.values())
    print(
        f"\n(1) extract + plan, {len(faculties)} faculties, {rows} students: {wall:.1f} s "
        f"(extract {extract_seconds:.1f} s over {sum(hook.calls.values())} EIOS calls, "
        f"{size / 2**20:.1f} MiB of JSON; quality + plan {plan_seconds:.1f} s), {actions} "
        f"actions planned; peak traced memory of quality + plan {peak / 2**20:.0f} MiB "
        f"(all faculties, one after another); process peak RSS {peak_rss_mb():.0f} MiB"
    )


def ws_calls() -> dict[str, int]:
    from include.sandbox import faults

    return {t: n for (s, t), n in faults.calls.items() if s == "moodle"}


def bench_dag_run(label: str) -> tuple[float, int]:
    from include.sandbox import faults
    from tests.airflow_runs import run_dag

    faults.calls.clear()
    started = time.perf_counter()
    result = run_dag("eios_sync", settings={})
    wall = time.perf_counter() - started
    calls = ws_calls()
    writes = sum(n for name, n in calls.items() if "_get_" not in name)
    report = result.xcom("report_run") or {}
    print(
        f"\n({label}) dag.test(): {result.state} in {wall:.1f} s; {writes} write calls "
        f"{dict(sorted(calls.items()))}; {report.get('summary', '')}"
    )
    return wall, writes


def bench_naive(sample: int) -> tuple[float, int]:
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
                        "usertype": {"type": "idnumber", "value": sid},
                    }
                ]
            },
        )
    return time.perf_counter() - started, 2 * sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--naive-sample", type=int, default=400)
    args = parser.parse_args()
    students = int(STUDENTS_AT_FULL_SCALE * args.scale)
    print(f"eios_sync benchmark: {students} students in {FACULTIES} faculties (scale {args.scale})")
    server = prepare(students)
    try:
        bench_extract_and_plan()
        first_wall, first_calls = bench_dag_run("2 first full sync")
        rerun_wall, rerun_calls = bench_dag_run("3 unchanged re-run")
        naive_wall, naive_calls = bench_naive(args.naive_sample)
        per_student = naive_wall / args.naive_sample
        naive_total_calls = 2 * students
        print(
            f"\n(4) naive, one call per user and per membership: {args.naive_sample} students in "
            f"{naive_wall:.1f} s ({naive_calls} calls, {per_student * 1000:.1f} ms per student); "
            f"for {students} students: {naive_total_calls} calls, ~{per_student * students:.0f} s"
            f"\n    batched first sync: {first_calls} write calls in {first_wall:.1f} s (whole DAG)"
            f" -> {naive_total_calls / max(first_calls, 1):.0f}x fewer calls, "
            f"{per_student * students / first_wall:.1f}x less wall time"
        )
        if args.scale != 1:
            factor = 1 / args.scale
            print(
                f"\nExtrapolated to 40 000 students (x{factor:g}, linear in students): first sync "
                f"~{first_calls * factor:.0f} write calls, ~{first_wall * factor:.0f} s; re-run "
                f"{rerun_calls} write calls, ~{rerun_wall * factor:.0f} s; naive "
                f"{2 * STUDENTS_AT_FULL_SCALE} calls, ~{per_student * STUDENTS_AT_FULL_SCALE:.0f} s"
            )
        print(f"\nprocess peak RSS {peak_rss_mb():.0f} MiB")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
