"""The distributed tier: the production shape of docker-compose.yaml on this machine.

PostgreSQL as Airflow's metadata DB, Redis as the Celery broker, moto's S3 server as
the store, the API server, scheduler, dag-processor and triggerer, and two Celery
workers (`worker-1`, `worker-2`, one task at a time each), all on 127.0.0.1
(include/sandbox/distributed.py); MariaDB and the sandbox as in every tier. DAGs are
triggered over the REST API (tests/e2e/airflow_api.py). Run with `make test-distributed`.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from tests.distributed.runs import wait_for_dags
from tests.e2e.airflow_api import AirflowApi

SIZES = {
    "eios_faculties": 3,
    "eios_students": 90,  # ~30 a faculty: one generated reject stays under the 5 % gate
    "recordings": 24,
    "recording_rooms": 6,
    "recording_courses": 12,
    "exam_quizzes": 4,
    "exam_attempts_per_quiz": 8,
    "exam_questions": 4,
    "voucher_regions": 2,
    "voucher_providers": 6,  # a ready act in each region: both render_acts write a PDF
    "voucher_children": 24,
    "courses_finished": 4,
}
DAG_IDS = [
    "eios_sync",
    "kontur_recordings",
    "exam_archive",
    "voucher_ingest",
    "voucher_acts",
    "voucher_payments",
    "course_audit",
    "course_archive",
]


@pytest.fixture(scope="session")
def stack(mariadb, sandbox):
    """Fresh data at `SIZES`, an empty local store (the single-machine runs) and the
    distributed stack with the S3 store."""
    from include.sandbox import environment
    from include.sandbox import stack as local_stack
    from include.sandbox.distributed import DistributedStack
    from tests.conftest import PREFIX, TEST_ENV

    sandbox.reset()
    local_stack.reset_data(mariadb, sizes=SIZES)
    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    base_dir = environment.LOCAL_DIR / f"distributed-{PREFIX}"
    DistributedStack(base_dir, {}).stop_leftovers()
    shutil.rmtree(base_dir, ignore_errors=True)
    started = time.monotonic()
    distributed = DistributedStack.for_tests(base_dir, TEST_ENV)
    distributed.start()
    # the test process reads the S3 store through the same connection the tasks use
    os.environ["AIRFLOW_CONN_PIPELINES_STORE"] = distributed.addresses()[
        "AIRFLOW_CONN_PIPELINES_STORE"
    ]
    try:
        api = AirflowApi(distributed.ports["api"], distributed.home)
        wait_for_dags(api, DAG_IDS)
        for dag_id in DAG_IDS:
            api.unpause(dag_id)
        Figures()["the stack started (services, migration, pools, DAGs parsed)"] = (
            f"{time.monotonic() - started:.0f} s"
        )
        yield distributed
    finally:
        distributed.stop()


@pytest.fixture(scope="session")
def api(stack) -> AirflowApi:
    return AirflowApi(stack.ports["api"], stack.home)


@pytest.fixture(scope="session")
def s3_store(stack):
    """The distributed runs' store root (moto's S3)."""
    from airflow.sdk import ObjectStoragePath

    env = stack.addresses()
    return ObjectStoragePath(env["PIPELINES_STORE_URL"], conn_id=env["PIPELINES_STORE_CONN_ID"])


@pytest.fixture(autouse=True)
def both_workers(request):
    """A test that killed a worker gets it back afterwards, whatever its outcome: the
    next test needs both (a lost worker never restarted cost the next tests theirs)."""
    yield
    if "stack" in request.fixturenames:
        request.getfixturevalue("stack").restart_lost_workers()


FIGURES: dict[str, str] = {}


class Figures:
    """Figures the tests measure, each with the 1-minute load average when measured,
    printed in the terminal summary (docs/scaling.md quotes them)."""

    def __setitem__(self, name: str, value: str) -> None:
        FIGURES[name] = f"{value} (load {os.getloadavg()[0]:.2f})"


@pytest.fixture(scope="session")
def figures() -> Figures:
    return Figures()


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("distributed tier figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")
