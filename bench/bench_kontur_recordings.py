"""Benchmark of `kontur_recordings`: a day of 2 000 recordings, 300 rooms, 1 500 courses.

Against the sandbox (Kontur.Talk over loopback HTTP, a Moodle-schema MariaDB; own
databases, prefix `bench_kontur`), runs the DAG's own task functions
(include/tasks/kontur_recordings.py) in order and prints, each with the 1-minute load
average: poll time (all pages), quality-gate time, upsert time, match (route + match +
place) time, the publication (URL activities written set-based, chunks of 500 in one
Moodle transaction each) as publications/s and statements per publication (counted by
the writer and by MariaDB's own `Questions` of its connection), the archive pages'
statements, a re-run (all adopted), and the peak memory. Beside them: the old per-row
writer's figures from issue 16 (14.4 round trips a publication, 247–395/s; that path is
gone). Ends with one JSON line of the figures. Nothing is asserted.
`--scale 1` (default) is the issue's size; `--scale 0.25` is a quick look.

    .venv/bin/python bench/bench_kontur_recordings.py [--scale 1]
"""

from __future__ import annotations

import argparse
import json
import os
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
    stack.fresh_databases(db, ["kontur.sql"])
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


def load() -> str:
    return f"(load {os.getloadavg()[0]:.2f})"


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label:<40} {seconds:8.2f} s  {load()}")
    return result, seconds


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# issue 16, measured on the per-row writer (a transaction per activity + a journal one)
PER_ROW = {"statements_per_publication": 14.4, "publications_per_s": [247, 395]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    sizes = {name: max(1, int(n * args.scale)) for name, n in FULL.items()}
    print(f"kontur_recordings benchmark, scale {args.scale}: {sizes} {load()}")
    server = prepare(sizes)
    try:
        run(args.scale)
    finally:
        server.stop()


def run(scale: float) -> None:
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
        "poll (all pages, HTTP)", tasks.poll_recordings.function, settings, run_id=run_id,
        logical_date=clock,
    )  # fmt: skip
    checked, _ = timed(
        "quality gate (rules + GX suite)", tasks.check_recordings.function, polled, run_id
    )
    staged, _ = timed("upsert into pipelines_db", tasks.stage_recordings.function, checked, run_id)
    decision = tasks.decide_publication.function(
        settings, {}, params={"publish_now": True}, logical_date=clock
    )
    planned, _ = timed(
        "plan: reads + route + match + place", tasks.plan_publication.function, settings,
        decision, run_id,
    )  # fmt: skip
    writer = module_writer()
    questions, cpu = writer.server_questions(), time.process_time()
    published, publish_s = timed(
        "publish (URL activities, set-based)", tasks.publish_recordings.function, settings,
        decision, planned, run_id, writer=writer,
    )  # fmt: skip
    publish_cpu = time.process_time() - cpu  # this process only (MariaDB's is its own)
    publish_questions = writer.server_questions() - questions - 1
    counted = writer.statements
    archive, archive_s = timed(
        "archive pages (one per course)", tasks.publish_archive_pages.function, settings,
        decision, published, run_id=run_id, writer=writer,
    )  # fmt: skip
    archive_questions = writer.server_questions() - questions - 2 - publish_questions
    again, again_s = timed(
        "publish again (all adopted, no writes)", tasks.publish_recordings.function, settings,
        decision, {**planned}, run_id, writer=writer,
    )  # fmt: skip
    publications = published["published"]
    statements = publish_questions + published["journal_statements"]
    per_s = publications / max(publish_s, 1e-9)
    print()
    print(f"recordings polled             {polled['entities']} in {polled['pages']} page(s)")
    print(f"accepted / rejected           {checked['accepted']} / {checked['rejected']}")
    print(f"upserted                      {staged['upserted']}")
    print(f"plan                          {planned['counts']}")
    print(
        f"match time (route+match)      {planned['match_seconds']:.2f} s for {checked['accepted']}"
    )
    print(
        f"published                     {publications} into {published['courses']} course(s) in "
        f"{published['chunks']} chunk(s), rejected {published['rejected']}: "
        f"{per_s:.0f} publications/s {load()}, {publish_cpu:.2f} s of our CPU; "
        "per-row writer (issue 16): "
        f"{PER_ROW['publications_per_s'][0]}-{PER_ROW['publications_per_s'][1]}/s"
    )
    print(
        f"statements per publication    {statements / max(publications, 1):.3f} "
        f"({publish_questions} on Moodle's DB as MariaDB counts them, {counted} counted by "
        f"the writer, + {published['journal_statements']} journal) {load()}; per-row writer "
        f"(issue 16): {PER_ROW['statements_per_publication']}"
    )
    print(
        f"archive pages                 {archive['pages']} ({archive['created']} created) in "
        f"{archive_s:.2f} s, {archive_questions} statements "
        f"({archive_questions / max(archive['pages'], 1):.3f} per page) {load()}; "
        "per-row writer (issue 16): 14.5 per page"
    )
    print(f"re-publication                {again['published']} created, {again['adopted']} adopted")
    print(
        f"throughput poll               {polled['entities'] / max(poll_s, 1e-9):.0f} recordings/s"
    )
    print(f"peak memory (RSS)             {peak_rss_mb():.0f} MB {load()}")
    figures = {
        "bench": "kontur_recordings",
        "scale": scale,
        "recordings": polled["entities"],
        "publications": publications,
        "publish_seconds": round(publish_s, 3),
        "publish_cpu_seconds": round(publish_cpu, 3),
        "publications_per_s": round(per_s, 1),
        "statements_per_publication": round(statements / max(publications, 1), 4),
        "moodle_statements": publish_questions,
        "journal_statements": published["journal_statements"],
        "archive_pages": archive["pages"],
        "archive_statements": archive_questions,
        "archive_statements_per_page": round(archive_questions / max(archive["pages"], 1), 4),
        "archive_seconds": round(archive_s, 3),
        "republish_created": again["published"],
        "republish_seconds": round(again_s, 3),
        "peak_rss_mb": round(peak_rss_mb()),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "per_row_writer_issue16": PER_ROW,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
