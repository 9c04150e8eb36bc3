"""Operations pages on large histories: how long a page takes and what it reads.

Fills its own database (`bench_ops_pipelines`) and store with a large university's
and a national programme's histories (scale 1: 200 000 publications, 100 000
archived exam PDFs over 20 dates, 120 000 voucher acts over 12 months, 50 000
course backups, 3 000 history CSVs, 1 000 held actions), then requests each page
through Airflow's own API server app (plugin mounted by Airflow, a real token),
first and deep pages. Prints the latency (median of 5), the size of the answer
and the peak memory. Nothing is asserted.

    .venv/bin/python bench/bench_operations_pages.py [--scale 0.2]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.sandbox import environment  # noqa: E402

PREFIX = "bench_ops"


def setup_environment() -> dict[str, str]:
    from include.sandbox.stack import free_port

    env = environment.isolated_environment(PREFIX, free_port())
    environment.apply(env)
    return env


def fill(scale: float) -> dict[str, int]:
    """Bulk rows with MariaDB's sequence engine (seq_0_to_N), files in the store."""
    from include.sandbox import stack
    from include.storage import store_root

    db = stack.start_mariadb()
    db.recreate_database(stack.database_names()["pipelines"])
    stack.migrate_pipelines_db()
    sizes = {
        "kontur_publication": int(200_000 * scale),
        "exam_archive_file": int(100_000 * scale),
        "voucher_act": int(120_000 * scale),
        "course_backup": int(50_000 * scale),
        "eios_held_action": int(1_000 * scale),
        "pipeline_run_report": int(20_000 * scale),
        "history_csvs": int(3_000 * scale),
    }
    connection = stack.connect("pipelines")
    cursor = connection.cursor()
    n = sizes["kontur_publication"]
    cursor.execute(
        f"INSERT INTO kontur_publication (recording_key, course_id, cmid, section_number,"
        f" activity_name, title, viewer_url, local_date, published_at, run_id)"
        f" SELECT CONCAT('key-', seq), 100 + seq % 300, 10000 + seq, 3,"
        f" CONCAT('Запись занятия: Лекция ', seq), CONCAT('ЕГЭ Лекция ', seq),"
        f" CONCAT('https://talk.example/r/', seq), DATE_SUB(CURDATE(), INTERVAL seq DIV 300 DAY),"
        f" DATE_SUB(NOW(), INTERVAL seq MINUTE), 'bench' FROM seq_0_to_{n - 1}"
    )
    n = sizes["exam_archive_file"]
    cursor.execute(
        f"INSERT INTO exam_archive_file (archive_date, path, kind, quiz_id, attempt_id, user_id,"
        f" grade, grading_finished, sha256, bytes)"
        f" SELECT DATE_SUB(CURDATE(), INTERVAL (seq % 20) * 7 DAY),"
        f" CONCAT('exams/2026/01/01/C', (seq DIV 20) % 50, '/', (seq DIV 20) % 250, '-q/u', seq, '-1.pdf'),"
        f" 'attempt', (seq DIV 20) % 250, seq, seq, 7.5, 1, REPEAT('a', 64), 40000"
        f" FROM seq_0_to_{n - 1}"
    )
    n = sizes["voucher_act"]
    cursor.execute(
        f"INSERT INTO voucher_act (act_number, bin, period, region_code, status, rule_id,"
        f" total_tiyn, children, payable_days, missing_marks, working_days, signed_on, paid_on)"
        f" SELECT CONCAT('ACT-', seq), LPAD(seq DIV 12, 12, '0'),"
        f" DATE_FORMAT(DATE_SUB(CURDATE(), INTERVAL seq % 12 MONTH), '%Y-%m'),"
        f" CONCAT('R', seq % 20),"
        f" ELT(1 + seq % 5, 'paid', 'signed', 'generated', 'held_incomplete_register', 'paid'),"
        f" 'attendance-v1', 100000000, 100, 2000, 0, 21,"
        f" IF(seq % 5 IN (0, 1, 4), DATE_SUB(CURDATE(), INTERVAL seq % 90 DAY), NULL),"
        f" IF(seq % 5 IN (0, 4), CURDATE(), NULL) FROM seq_0_to_{n - 1}"
    )
    n = sizes["course_backup"]
    cursor.execute(
        f"INSERT INTO course_backup (course_id, academic_year, shortname, category_id, store_path,"
        f" status, backed_up_at, run_id) SELECT seq, '2025/2026', CONCAT('C-', seq), 5,"
        f" CONCAT('courses/2025-2026/F/C-', seq, '.mbz'), 'moved',"
        f" DATE_SUB(NOW(), INTERVAL seq MINUTE), 'bench' FROM seq_0_to_{n - 1}"
    )
    n = sizes["eios_held_action"]
    cursor.execute(
        f"INSERT INTO eios_held_action (faculty_id, kind, student_id, reason, held_run_id,"
        f" last_held_run_id) SELECT CONCAT('F', seq % 20), 'suspend', CONCAT('S-', seq),"
        f" 'mass graduation guard', 'bench', 'bench' FROM seq_0_to_{n - 1}"
    )
    n = sizes["pipeline_run_report"]
    cursor.execute(
        f"INSERT INTO pipeline_run_report (dag_id, run_id, logical_date, status, summary, counts,"
        f" outputs, recorded_at) SELECT ELT(1 + seq % 4, 'eios_sync', 'kontur_recordings',"
        f" 'exam_archive', 'voucher_acts'), CONCAT('scheduled__', seq), NOW(), 'success', 'bench',"
        f" '{{}}', '{{}}', DATE_SUB(NOW(), INTERVAL seq MINUTE) FROM seq_0_to_{n - 1}"
    )
    connection.commit()
    cursor.close()
    connection.close()
    root = store_root()
    shutil.rmtree(root.path, ignore_errors=True)
    history = store_root() / "eios_sync" / "history"
    history.mkdir(parents=True, exist_ok=True)
    base = time.time() - sizes["history_csvs"] * 3600
    header = "time,faculty,student,username,action,old,new,result\n"
    body = "".join(f"12:00:00,F{i % 20},S-{i},u{i},update,,,applied\n" for i in range(2000))
    for index in range(sizes["history_csvs"]):
        name = time.strftime("%Y-%m-%d_%H-%M-%S", time.gmtime(base + index * 3600)) + ".csv"
        (history / name).write_text(header + body)
    return sizes


def measure(client, token: str, scale: float) -> list[tuple[str, float, int]]:
    deep = max(2, int(100 * scale))
    urls = [
        "/lms-pipelines/",
        "/lms-pipelines/eios",
        f"/lms-pipelines/eios?page={max(2, int(30 * scale))}",
        "/lms-pipelines/eios/confirm?faculty=F1",
        "/lms-pipelines/kontur",
        f"/lms-pipelines/kontur?page={deep}",
        "/lms-pipelines/kontur?course=150",
        "/lms-pipelines/exams",
        f"/lms-pipelines/exams/{time.strftime('%Y-%m-%d')}",
        f"/lms-pipelines/exams/{time.strftime('%Y-%m-%d')}?page={deep}",
        "/lms-pipelines/vouchers",
        f"/lms-pipelines/vouchers?month={time.strftime('%Y-%m')}",
        "/lms-pipelines/courses",
        f"/lms-pipelines/courses?page={deep}",
        f"/lms-pipelines/runs/eios_sync?page={deep}",
    ]
    results = []
    headers = {"Authorization": f"Bearer {token}"}
    for url in urls:
        client.get(url, headers=headers)  # warm: templates compiled, connection made
        times = []
        for _ in range(5):
            started = time.perf_counter()
            answer = client.get(url, headers=headers)
            times.append(time.perf_counter() - started)
            assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        results.append((url, statistics.median(times), len(answer.content)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    env = setup_environment()
    started = time.perf_counter()
    sizes = fill(args.scale)
    print(f"filled in {time.perf_counter() - started:.1f} s: " + json.dumps(sizes))

    from include.sandbox import stack

    stack.migrate_airflow_db(env)
    password_file = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    import secrets

    password = secrets.token_urlsafe(18)
    password_file.write_text(json.dumps({"admin": password}) + "\n")
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    client = TestClient(create_app("core"))
    token = client.post("/auth/token", json={"username": "admin", "password": password}).json()[
        "access_token"
    ]
    print(f"\n{'page':<58} {'median ms':>10} {'bytes':>9}")
    for url, seconds, size in measure(client, token, args.scale):
        print(f"{url:<58} {seconds * 1000:>10.1f} {size:>9}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the process (Airflow app + client): {peak_mb:.0f} MB")
    if args.scale != 1.0:
        print(
            f"scale {args.scale}: row counts above are {args.scale:g}x the scale-1 sizes; "
            "every paged query reads one page (LIMIT), so page times grow with the cost of "
            "the sort/group on the table, not with the rows sent."
        )


if __name__ == "__main__":
    main()
