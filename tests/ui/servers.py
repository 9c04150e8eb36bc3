"""Airflow's API server for the operations-page tests, with the plugin mounted by Airflow.

- `ApiServerThread`: Airflow's own FastAPI app (`create_app`), plugins and auth
  manager included, served by uvicorn on a loopback port in a thread of the test
  process (HTTP tests of auth, paging and downloads).
- `AirflowStandalone`: `airflow standalone` as the user runs it (`make up`), in its
  own process group on a free port, for the browser tests.
Both log in through the simple auth manager with an admin password written here
before start, so no generated password is printed into the test output.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from include.sandbox.environment import LOCAL_DIR


def password_file(airflow_home: str) -> Path:
    return Path(airflow_home) / "simple_auth_manager_passwords.json.generated"


def write_admin_password(airflow_home: str) -> str:
    """A fresh random admin password in the simple auth manager's password file."""
    password = secrets.token_urlsafe(18)
    path = password_file(airflow_home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"admin": password}) + "\n")
    return password


def wait_for_health(base_url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the Airflow process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/api/v2/monitor/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Airflow did not answer on {base_url} within {timeout} s")


def api_token(base_url: str, password: str, username: str = "admin") -> str:
    request = urllib.request.Request(
        f"{base_url}/auth/token",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["access_token"]


class ApiServerThread:
    """Airflow's API server app (core API, auth manager, plugins) in a uvicorn thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> ApiServerThread:
        import uvicorn
        from airflow.api_fastapi.app import create_app

        app = create_app("core")
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_for_health(self.base_url, timeout=60)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


class AirflowStandalone:
    """`airflow standalone` in its own process group; `stop` ends the whole group."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.env = env
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 240) -> AirflowStandalone:
        venv_bin = str(Path(sys.executable).parent)
        env = {
            **os.environ,
            **self.env,
            "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.base_url,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
                password_file(self.env["AIRFLOW_HOME"])
            ),
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it until stop
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), "standalone"],
            env=env,
            stdout=log,
            stderr=log,
            cwd=str(LOCAL_DIR.parent),
            start_new_session=True,
        )
        log.close()
        try:
            wait_for_health(self.base_url, timeout, self.process)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None and not self._group_alive():
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self._group_alive():
            time.sleep(0.2)
        if self._group_alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True
