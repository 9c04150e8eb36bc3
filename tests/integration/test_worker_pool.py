"""The exam archive's process pools work the same whatever `__main__` the task process has.

Under the task runner the task process's `__main__` is Airflow's own entry point and its
environment holds the blocked metadata-DB URL the supervisor sets (`block_orm_access`:
`airflow-db-not-allowed:///`). A spawned worker that re-ran that `__main__` died with
"Could not parse SQLAlchemy URL" (BrokenProcessPool). Here a script that imports Airflow
as its `__main__`, with that environment, renders a quiz and runs the gate's reader
through the pools: the workers must start, import no Airflow and give the inline bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from include.sandbox.environment import PROJECT_ROOT

TASK_LIKE_MAIN = textwrap.dedent(
    """
    import json, sys
    import airflow.settings  # what the `airflow` CLI's __main__ has loaded in a task
    from airflow.sdk.execution_time.supervisor import block_orm_access

    block_orm_access()  # what the supervisor does before a task's code runs
    from include.exams import rendering
    from include.render.worker_pool import isolated_process_pool, worker_facts
    from tests.integration.test_worker_pool import sample_documents

    documents, summary = sample_documents(rendering.MIN_POOL_BATCH)
    with isolated_process_pool(2) as pool:  # one pool for two quizzes, checked in it
        quizzes = [(1, documents, summary), (2, documents, summary)]
        done = list(rendering.render_quizzes(quizzes, pool, 2, "table", "weasyprint"))
        workers = list(pool.map(worker_facts, range(4)))
        renderers = readers = len(pool._processes)  # the workers alive in the one pool
    pooled, pooled_summary = [pdf for pdf, _ in done[0][1]], done[0][2][0]
    facts = [check for _, pairs, _ in done for _, check in pairs]
    inline = rendering.render_attempt_chunk(documents)
    print(json.dumps({
        "same_bytes": pooled == inline,
        "pool_workers": [renderers, readers],
        "summary_pdf": pooled_summary[:5].decode(),
        "files_read": len(facts),
        "all_open": all(not f["error"] and f["pages"] >= 1 for f in facts),
        "worker_imports": sorted({m for w in workers for m in w["forbidden_imports"]}),
        "parent_has_airflow": "airflow" in sys.modules,
    }))
    """
)


def sample_documents(count: int) -> tuple[list[dict], dict]:
    """`count` one-question attempt documents of one quiz and its summary sheet."""
    from include.exams import documents as docs

    common = {"archive_date": "2026-11-23", "timezone": "Europe/Moscow",
              "institution": "Университет", "category": "Факультет"}  # fmt: skip
    quiz = {"quiz_id": 7, "quiz_name": "Экзамен", "course_shortname": "MATH",
            "course_fullname": "Математика"}  # fmt: skip
    documents = [
        {**common, **quiz, "attempt_id": 100 + i, "attempt": 1,
         "student_name": f"Петров Иван {i}", "student_idnumber": f"S{i:04d}",
         "user_id": 10 + i, "group": "М-101", "started": "23.11.2026 09:00:00",
         "finished": "23.11.2026 10:00:00", "time_taken": "1 ч 00 мин 00 с",
         "grade_text": "10,00 из 10,00", "grading_finished": True, "pending_count": 0,
         "questions": [{"slot": 1, "question": "2+2?", "response": "4", "right_answer": "4",
                        "mark_text": "1,00 / 1,00", "state_text": "Верно", "pending": False}]}
        for i in range(count)
    ]  # fmt: skip
    return documents, docs.summary_document(quiz, documents, **common)


def test_pools_work_under_a_task_runner_main_with_the_blocked_db_url(tmp_path):
    script = tmp_path / "airflow_like_main.py"
    script.write_text(TASK_LIKE_MAIN)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300,
        cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts == {
        "same_bytes": True,
        "pool_workers": [2, 2],
        "summary_pdf": "%PDF-",
        "files_read": 2 * 24,
        "all_open": True,
        "worker_imports": [],
        "parent_has_airflow": True,
    }
