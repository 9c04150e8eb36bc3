"""The local stack stops with one clear line when a port is taken or a package is missing,
and the sandbox answers on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from include.sandbox import stack
from include.sandbox.environment import PROJECT_ROOT
from include.sandbox.mariadb import LocalMariaDB, LocalStackError


@pytest.fixture
def busy_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        yield listener.getsockname()[1]


def test_mariadb_on_a_busy_port_says_which_port_to_free(busy_port, tmp_path):
    with pytest.raises(LocalStackError, match=f"port {busy_port} on 127.0.0.1 is in use"):
        LocalMariaDB(port=busy_port, base_dir=tmp_path).start()


def test_sandbox_on_a_busy_port_says_which_port_to_free(busy_port):
    with pytest.raises(LocalStackError, match=f"port {busy_port} on 127.0.0.1 is in use"):
        stack.start_sandbox_process(busy_port)


def test_a_missing_system_package_is_named_in_one_line(tmp_path):
    # A PATH without MariaDB's binaries: the check names the Debian package to install.
    script = (
        "import shutil, pathlib;"
        "from include.sandbox import __main__ as cli;"
        "pathlib.Path.exists = lambda self: False;"  # no /usr/sbin/mariadbd, no fonts
        "shutil.which = lambda name: None;"
        "cli.check_system()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("missing system packages: apt-get install mariadb-server")
    assert "fonts-dejavu-core" in last


def test_the_system_of_this_machine_is_complete():
    done = subprocess.run(
        [sys.executable, "-m", "include.sandbox", "check"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_mariadb_listens_on_loopback_only(mariadb):
    bound = mariadb.execute("SELECT @@bind_address, @@port").split()
    assert bound[0] == "127.0.0.1" and int(bound[1]) == mariadb.port


def test_the_sandbox_is_on_loopback(sandbox):
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    assert stack.sandbox_is_up(int(sandbox.base_url.rsplit(":", 1)[1]))
