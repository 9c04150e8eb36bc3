"""Browser tests of the operations pages: `airflow standalone` (as `make up` runs it)
on a free loopback port with this session's databases, the demo data at test
sizes plus the pipelines' outputs, and a headless Chromium.

Package-scoped: the server and the browser stop after the last UI test.
Screenshots go to `.local/ui-output-<prefix>/` (printed at the end of the session).
"""

from __future__ import annotations

import os
import shutil

import pytest

from include.sandbox.environment import LOCAL_DIR
from tests.conftest import PREFIX, TEST_ENV


@pytest.fixture(scope="package")
def ui_output_dir():
    path = LOCAL_DIR / f"ui-output-{PREFIX}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    yield path
    print(f"\nUI screenshots: {path}")


@pytest.fixture(scope="package")
def ui_data(mariadb):
    """Fresh demo data (test sizes), migrated pipelines_db, the pipelines' outputs."""
    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes
    from tests.conftest import empty_store
    from tests.ui import pipeline_outputs

    stack.reset_data(mariadb, sizes=test_sizes())
    return pipeline_outputs.write_into(empty_store())


@pytest.fixture(scope="package")
def standalone(airflow_db, ui_data, ui_output_dir):
    from include.sandbox.stack import free_port
    from tests.ui.servers import AirflowStandalone, write_admin_password

    password = write_admin_password(TEST_ENV["AIRFLOW_HOME"])
    server = AirflowStandalone(TEST_ENV, free_port(), ui_output_dir / "standalone.log").start()
    server.password = password
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser(ui_output_dir, tmp_path_factory):
    from tests.ui.browser import Chromium

    # A missing browser is an error, never a skip: CI installs system-packages.txt.
    assert shutil.which("chromium") or os.path.exists("/usr/bin/chromium"), (
        "chromium is missing: apt-get install chromium (see system-packages.txt)"
    )
    profile = tmp_path_factory.mktemp("chromium-profile")
    chromium = Chromium(profile, ui_output_dir / "downloads").start()
    yield chromium
    chromium.stop()


@pytest.fixture(scope="package")
def logged_in(browser, standalone):
    """The browser after logging in through Airflow's own login form."""
    from tests.ui.flows import log_in

    log_in(browser, standalone.base_url, "admin", standalone.password)
    return browser
