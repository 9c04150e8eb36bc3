"""The end-to-end tier: the DAGs run as production runs them.

`airflow standalone` (what `make up` starts: scheduler, dag-processor, API server and
triggerer, LocalExecutor, the task runner, SQLite metadata DB) on its own Airflow home
and port; every DAG is triggered through the REST API with params, settings are Airflow
Variables set through the REST API, and the outputs are read back from the store, the
project DB and Moodle's schema.

Sizes (`E2E_SIZES` and the page and batch sizes the tests set) are
chosen so that every code path runs under the task runner at least once: the render and
gate process pools (>= 24 attempts per quiz, >= 40 files a day), paging over several
pages (EIOS, kindergarten LMS, Kontur.Talk), web-service batching over several batches,
mapped ingest batches, a held faculty and a backfill over 3 dates.

The scheduler's own schedule is off (`use_job_schedule = False`): unpausing a DAG would
otherwise start its latest interval at once (docs/operations.md), and that run would
compete with the ones a test triggers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.airflow_api import AirflowApi

E2E_SIZES = {
    "eios_faculties": 3,
    "eios_students": 90,
    "recordings": 40,
    "recording_rooms": 8,
    "recording_courses": 24,
    "exam_quizzes": 4,
    "exam_attempts_per_quiz": 26,  # >= rendering.MIN_POOL_BATCH: every quiz renders in the pool
    "exam_questions": 5,
    "voucher_regions": 1,
    "voucher_providers": 3,
    "voucher_children": 24,
    "courses_finished": 4,
}
PAGE_SIZES = {"eios_page_size": 7, "lms_page_size": 5}  # settings: several pages each
DAG_IDS = [p.stem for p in sorted((Path(__file__).parents[2] / "dags").glob("*.py"))]


@pytest.fixture(scope="session")
def e2e_stack(mariadb, sandbox):
    """Fresh data at `E2E_SIZES`, an empty store and `airflow standalone` with its API."""
    from include.sandbox import environment, stack
    from tests.conftest import PREFIX, TEST_ENV

    sandbox.reset()
    stack.reset_data(mariadb, sizes=E2E_SIZES)
    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    home = environment.LOCAL_DIR / f"airflow-{PREFIX}-e2e"
    port, pid_file, log = stack.start_airflow_for_triggered_runs({**os.environ, **TEST_ENV}, home)
    try:
        api = AirflowApi(port, home)
        api.wait_for_dags(DAG_IDS)
        for dag_id in DAG_IDS:
            api.unpause(dag_id)
        yield {"api": api, "home": home, "log": log}
    finally:
        stack.stop_process_group(pid_file)


@pytest.fixture(scope="session")
def api(e2e_stack) -> AirflowApi:
    return e2e_stack["api"]


@pytest.fixture(scope="session")
def succeeded(e2e_stack):
    """`succeeded(outcome)`: the run succeeded and logged no error (assert_quiet_success)."""
    return lambda outcome: assert_quiet_success(e2e_stack, outcome)


def assert_quiet_success(e2e_stack, outcome) -> None:
    """A successful run, and none of its task logs (as the task runner wrote them) holds a
    line at level error: an `[error]` line on a good run misleads whoever reads it."""
    assert outcome.state == "success", outcome
    logs = e2e_stack["home"] / "logs" / f"dag_id={outcome.run['dag_id']}"
    errors = [
        f"{path.relative_to(logs)}: {line[:300]}"
        for path in sorted(logs.glob(f"run_id={outcome.run_id}/**/*.log"))
        for line in path.read_text(errors="replace").splitlines()
        if '"level":"error"' in line
    ]
    assert not errors, "\n".join(errors[:10])
