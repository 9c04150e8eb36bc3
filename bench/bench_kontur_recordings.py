"""Benchmark of `kontur_recordings`: a day of 2 000 recordings, 300 rooms, 1 500 courses.

Against the sandbox (Kontur.Talk over loopback HTTP, a Moodle-schema MariaDB; own
databases, prefix `bench_kontur`), runs the DAG's own task functions (include/tasks/kontur_recordings.py) in order and prints:
poll time (all pages), quality-gate time, upsert time, match (route + match + place)
time, publish time (one Moodle transaction per recording) and the number of database
statements per published recording, the archive pages' time, and the peak memory.
`--scale 1` (default) is the issue's size; `--scale 0.25` is a quick look.
Figures only; nothing is asserted.

    .venv/bin/python bench/bench_kontur_recordings.py [--scale 1]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.sandbox import environment  # noqa: E402

PREFIX = "bench_kontur"
FULL = {"recordings": 2000, "recording_rooms": 300, "recording_courses": 1500}


def prepare(sizes: dict) -> object:
    """Own databases with Moodle's base rows and the recordings demo data; the sandbox."""
    from include.sandbox import stack
    from include.sandbox.app import BackgroundSandbox
    from include.sandbox.demo_data import SeedContext, moodle_base, recordings

    port = stack.free_port()
    env = environment.isolated_environment(PREFIX, port)
    environment.apply(env)
    db = stack.start_mariadb()
    names = stack.database_names()
    for name in names.values():
        db.recreate_database(name)
    db.load_file(stack.MOODLE_FIXTURES / "schema.sql", names["moodle"])
    db.load_file(stack.MOODLE_FIXTURES / "sample-data.sql", names["moodle"])
    db.load_file(stack.SANDBOX_SCHEMAS / "kontur.sql", names["sandbox"])
    stack.migrate_pipelines_db()
    moodle, sandbox = stack.connect("moodle"), stack.connect("sandbox")
    context = SeedContext(moodle=moodle, sandbox=sandbox, sizes=sizes)
    started = time.perf_counter()
    for module in (moodle_base, recordings):
        print(f"  seeded: {module.seed(context)}")
        moodle.commit()
        sandbox.commit()
    print(f"  seeding took {time.perf_counter() - started:.1f} s")
    moodle.close()
    sandbox.close()
    return BackgroundSandbox(port).start()


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label:<38} {seconds:8.2f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    sizes = {name: max(1, int(n * args.scale)) for name, n in FULL.items()}
    print(f"kontur_recordings benchmark, scale {args.scale}: {sizes}")
    server = prepare(sizes)
    try:
        from include.config import KonturRecordingsSettings, parse_settings
        from include.sandbox.demo_data.recordings import DEMO_SETTINGS
        from include.tasks import kontur_recordings as tasks
        from include.tasks.kontur_moodle import module_writer

        settings = parse_settings(
            KonturRecordingsSettings, {**DEMO_SETTINGS, "page_size": 1000}
        ).model_dump(mode="json")
        # warm-up outside the timings: Airflow's connection lookup, the store, GX's import
        from include.connectors.kontur import KonturTalkHook
        from include.storage import store_root

        KonturTalkHook().access_info()
        store_root()
        import great_expectations  # noqa: F401

        clock = datetime.now(UTC)
        run_id = f"bench__{clock:%Y%m%dT%H%M%S}"
        # the DAG's own task functions (`.function`: the plain callable under @task),
        # given what Airflow would pass them (run_id, logical_date, params)
        polled, poll_s = timed(
            "poll (all pages, HTTP)",
            tasks.poll_recordings.function,
            settings,
            run_id=run_id,
            logical_date=clock,
        )
        checked, _ = timed(
            "quality gate (rules + GX suite)", tasks.check_recordings.function, polled, run_id
        )
        staged, _ = timed(
            "upsert into pipelines_db", tasks.stage_recordings.function, checked, run_id
        )
        decision = tasks.decide_publication.function(
            settings, {}, params={"publish_now": True}, logical_date=clock
        )
        planned, plan_s = timed(
            "plan: reads + route + match + place",
            tasks.plan_publication.function,
            settings,
            decision,
            run_id,
        )
        writer = module_writer()
        published, publish_s = timed(
            "publish (URL activities, Moodle DB)",
            tasks.publish_recordings.function,
            settings,
            decision,
            planned,
            run_id,
            writer=writer,
        )
        statements_before = writer.statements
        archive, archive_s = timed(
            "archive pages (one per course)",
            tasks.publish_archive_pages.function,
            settings,
            decision,
            published,
            writer=writer,
        )
        again, again_s = timed(
            "publish again (all adopted, no writes)",
            tasks.publish_recordings.function,
            settings,
            decision,
            {**planned},
            run_id,
            writer=writer,
        )
        print()
        print(f"recordings polled           {polled['entities']} in {polled['pages']} page(s)")
        print(f"accepted / rejected         {checked['accepted']} / {checked['rejected']}")
        print(f"upserted                    {staged['upserted']}")
        print(f"plan                        {planned['counts']}")
        print(
            f"match time (pure route+match) {planned['match_seconds']:.2f} s for {checked['accepted']} recordings"
        )
        print(
            f"published                   {published['published']} into {published['courses']} "
            f"course(s), {published['publish_seconds']:.2f} s, "
            f"{published['published'] / max(publish_s, 1e-9):.0f} activities/s"
        )
        print(
            f"DB statements per recording {published['statements_per_activity']} on Moodle's DB "
            f"(+1 journal insert on pipelines_db); {published['statements']} in all"
        )
        print(
            f"archive pages               {archive['pages']} ({archive['created']} created), "
            f"{(writer.statements - statements_before)} statements"
        )
        print(
            f"re-publication              {again['published']} created, {again['adopted']} adopted"
        )
        print(
            f"throughput poll             {polled['entities'] / max(poll_s, 1e-9):.0f} recordings/s"
        )
        print(
            f"peak memory (RSS)           {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        del plan_s, archive_s, again_s
    finally:
        server.stop()


if __name__ == "__main__":
    main()
