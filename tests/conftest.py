"""Test session: a real MariaDB (reused when running), the sandbox on a free loopback
port, an Airflow metadata DB (SQLite) of its own.

The environment is set here, before anything imports Airflow. Databases are
named `<prefix>_moodle`, `<prefix>_pipelines`, `<prefix>_sandbox` with
`TEST_DB_PREFIX` (default `test`), so the demo's data is never touched and two
test sessions with different prefixes can share one server.
"""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from include.sandbox import environment

PREFIX = os.environ.get("TEST_DB_PREFIX", "test")


def _test_environment() -> dict[str, str]:
    from include.sandbox.stack import free_port

    return environment.isolated_environment(PREFIX, free_port())


TEST_ENV = _test_environment()
environment.apply(TEST_ENV)
SECRETS = environment.secret_values(TEST_ENV)


# Airflow's deprecations fail the test that meets them (pyproject.toml, filterwarnings):
# added here, after the environment is set, because naming the classes imports Airflow.
AIRFLOW_DEPRECATIONS = (
    "airflow.exceptions.RemovedInAirflow4Warning",
    "airflow.sdk.exceptions.RemovedInAirflow4Warning",
    "airflow.exceptions.AirflowProviderDeprecationWarning",
    "airflow.utils.deprecation_tools.DeprecatedImportWarning",
)


def pytest_configure(config):
    for category in AIRFLOW_DEPRECATIONS:
        config.addinivalue_line("filterwarnings", f"error::{category}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """No token or password may appear in anything a test printed or logged."""
    outcome = yield
    report = outcome.get_result()
    captured = "".join(content for _, content in report.sections)
    leaked = [s for s in SECRETS if s in captured]
    if leaked and report.passed and report.when != "teardown":
        report.outcome = "failed"
        report.longrepr = (
            f"a connection secret appeared in the test's output ({len(leaked)} value(s))"
        )


@pytest.fixture(scope="session")
def mariadb():
    """The project-local MariaDB server (started for the session unless already running)."""
    from include.sandbox import stack

    db = stack.local_mariadb()
    started = db.start()
    account = environment.connection_json("pipelines_db")
    db.ensure_account(account["login"], account["password"])
    yield db
    if started and not os.environ.get("KEEP_MARIADB"):
        db.stop()


@pytest.fixture(scope="session")
def sandbox(mariadb):
    """The sandbox's HTTP stand-ins, in a thread of the test process."""
    from include.sandbox.app import BackgroundSandbox

    server = BackgroundSandbox(int(TEST_ENV["SANDBOX_HTTP_PORT"])).start()
    yield SandboxControl(f"http://127.0.0.1:{server.port}")
    server.stop()


class SandboxControl:
    """Arms faults and reads call counts over the sandbox's `/_control` API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def arm(self, system: str, target: str, mode: str, times: int = 1, **extra) -> None:
        self._post(
            "/_control/faults",
            {"system": system, "target": target, "mode": mode, "times": times, **extra},
        )

    def reset(self) -> None:
        self._post("/_control/reset", {})

    def calls(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.base_url}/_control/calls", timeout=10) as answer:
            return json.loads(answer.read())


@pytest.fixture
def fresh_stack(mariadb, sandbox):
    """Fresh demo data in the test databases (small sizes) and a clean sandbox."""
    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    return stack.reset_data(mariadb, sizes=test_sizes())


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's SQLite metadata DB for this session's AIRFLOW_HOME (migrated once)."""
    from include.sandbox import stack

    stack.migrate_airflow_db(TEST_ENV)
    return TEST_ENV["AIRFLOW_HOME"]


def empty_store():
    """This session's file store, emptied: its root."""
    import shutil

    from include.storage import store_root as root

    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    return root()


@pytest.fixture
def store_root():
    """An empty file store for the test."""
    return empty_store()


def pytest_terminal_summary(terminalreporter, config):
    from tests.dags.test_dagbag import PARSE_TIMES

    times = config.stash.get(PARSE_TIMES, None)
    if times:
        terminalreporter.write_line("DAG file parse times: " + "; ".join(sorted(times)))
