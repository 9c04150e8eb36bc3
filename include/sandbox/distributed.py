"""The production shape on one machine, without Docker: what docker-compose.yaml runs.

PostgreSQL (Airflow's metadata DB) and Redis (the Celery broker) from Debian's
packages, and moto's S3 server (the store), each a project-local process on
127.0.0.1 with its own port and data under `.local/distributed-<prefix>/`
(include/sandbox/backing_services.py); then Airflow
with the CeleryExecutor: API server, scheduler, dag-processor, triggerer and Celery
workers, each named by `PIPELINES_WORKER_NAME` (include/hostname.py). The Airflow
settings are config/airflow.env, the file docker-compose.yaml reads; only addresses and
the throwaway secrets are set here. Used by tests/distributed.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import sys
import urllib.request
from pathlib import Path

from include.sandbox.backing_services import (
    POSTGRES_ROLE,
    Process,
    postgres_dir,
    start_postgres,
    start_redis,
    start_s3,
    wait_until,
)
from include.sandbox.environment import PROJECT_ROOT, read_env_file
from include.sandbox.mariadb import LocalStackError
from include.sandbox.stack import POOLS_FILE, airflow_cli, free_port

AIRFLOW_SETTINGS_FILE = PROJECT_ROOT / "config" / "airflow.env"
STORE_CONN_ID = "pipelines_store"
QUEUES = "default,render"  # every worker here serves both queues (docs/scaling.md)
# The only Airflow settings a test run sets over config/airflow.env (tests/test_compose.py
# allows exactly these): the scheduler's own schedule is off so that no scheduled run
# competes with the runs a test triggers (as in tests/e2e); a retried task (a killed
# worker's) runs again at once, not after the 300 s a deployment waits.
TEST_ONLY_SETTINGS = {
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "0",
}


def airflow_settings() -> dict[str, str]:
    """The Airflow settings both the compose stack and this one use."""
    return read_env_file(AIRFLOW_SETTINGS_FILE)


class DistributedStack:
    """Start with `start()`, stop everything it started with `stop()`."""

    def __init__(self, base_dir: Path, base_env: dict[str, str], workers: int = 2) -> None:
        self.base_dir = base_dir
        self.base_env = base_env
        self.worker_names = [f"worker-{n}" for n in range(1, workers + 1)]
        self.ports = {
            name: free_port()
            for name in ("postgres", "redis", "s3", "api", "health", "triggerer_logs")
        }
        self.worker_log_ports = {name: free_port() for name in self.worker_names}
        self.processes: dict[str, Process] = {}
        self.bucket = "pipelines-store"
        self.pid_file = base_dir / "process-groups.pid"

    @classmethod
    def for_tests(cls, base_dir: Path, test_env: dict[str, str]) -> DistributedStack:
        """The stack tests/distributed runs: the test session's connections and databases
        (`test_env`), the project's DAGs, retries without delay."""
        from include.sandbox.environment import airflow_settings as local_settings

        base_env = {
            **os.environ,
            **test_env,
            **local_settings(base_dir / "airflow"),
        }
        return cls(base_dir, base_env)

    # --- paths and environment ----------------------------------------------------------

    @property
    def home(self) -> Path:
        return self.base_dir / "airflow"

    @property
    def pg_dir(self) -> Path:
        return postgres_dir(self.base_dir)

    def _secrets(self) -> dict[str, str]:
        """Throwaway secrets of this stack, shared by every component (as `.env` is in
        compose): without one JWT secret the workers' tokens fail at the API server."""
        path = self.base_dir / "secrets.json"
        if not path.exists():
            self.base_dir.mkdir(parents=True, exist_ok=True)
            values = {
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            }
            path.write_text(json.dumps(values))
            path.chmod(0o600)
        return json.loads(path.read_text())

    def store_connection(self) -> dict:
        return {
            "conn_type": "aws",
            "login": "moto-access-key",
            "password": "moto-secret-key",
            "extra": {
                "endpoint_url": f"http://127.0.0.1:{self.ports['s3']}",
                "region_name": "us-east-1",
            },
        }

    def addresses(self) -> dict[str, str]:
        """Where this stack's services listen (compose has its own: service names)."""
        pg = f"{POSTGRES_ROLE}@127.0.0.1:{self.ports['postgres']}/airflow"
        return {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{pg}",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{pg}",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": (
                f"http://127.0.0.1:{self.ports['api']}/execution/"
            ),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.ports["api"]),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.ports['api']}",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(self.ports["health"]),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.ports["triggerer_logs"]),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
                self.home / "simple_auth_manager_passwords.json.generated"
            ),
            "AIRFLOW_CONN_PIPELINES_STORE": json.dumps(self.store_connection()),
            "PIPELINES_STORE_URL": f"s3://{self.bucket}/store",
            "PIPELINES_STORE_CONN_ID": STORE_CONN_ID,
        }

    def environment(self) -> dict[str, str]:
        """The environment of every Airflow component of this stack."""
        env = {
            **self.base_env,
            **airflow_settings(),
            **TEST_ONLY_SETTINGS,
            **self._secrets(),
            **self.addresses(),
        }
        env["AIRFLOW_HOME"] = str(self.home)
        env["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] = str(self.home / "logs")
        # the venv's `airflow` and `celery` first: components start subprocesses by name
        env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))
        for name in [n for n in env if n.startswith(("AWS_", "AIRFLOW_VAR_"))]:
            del env[name]  # the store's credentials come from its connection only
        return env

    # --- the backing services ------------------------------------------------------------

    def start_postgres(self) -> None:
        start_postgres(self.pg_dir, self.ports["postgres"], self.pid_file, self.processes)

    def start_redis(self) -> None:
        folder = self.base_dir / "redis"
        start_redis(folder, self.ports["redis"], self.pid_file, self.processes)

    def start_s3(self) -> None:
        log = self.base_dir / "s3.log"
        start_s3(log, self.ports["s3"], self.bucket, self.pid_file, self.processes)

    # --- Airflow ------------------------------------------------------------------------

    def airflow(self, *args: str, timeout: float = 600) -> str:
        return airflow_cli(list(args), self.environment(), timeout=timeout)

    def _component(self, name: str, args: list[str], extra: dict | None = None) -> Process:
        env = {**self.environment(), **(extra or {})}
        airflow = str(Path(sys.executable).with_name("airflow"))
        process = Process(name, [airflow, *args], self.home / f"{name}.log", env=env)
        self.processes[name] = process.start(self.pid_file)
        return process

    def worker_environment(self, name: str) -> dict[str, str]:
        """What a worker sets over the stack's environment: its name, its log server."""
        return {
            "PIPELINES_WORKER_NAME": name,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_ports[name]),
        }

    def start_worker(self, name: str, timeout: float = 120) -> Process:
        """A Celery worker named `name` (its task instances' hostname), one task at a time;
        returns once it is ready (its log says so)."""
        log = self.home / f"{name}.log"
        offset = log.stat().st_size if log.exists() else 0
        args = ["celery", "worker", "--celery-hostname", f"{name}@%h", "--queues", QUEUES]
        process = self._component(name, args, self.worker_environment(name))

        def ready() -> bool:
            if not process.running():
                raise LocalStackError(f"Celery worker {name} exited; see {log}")
            with open(log, "rb") as text:
                text.seek(offset)
                lines = text.read().decode(errors="replace").splitlines()
            return any(f"{name}@" in line and " ready." in line for line in lines)

        wait_until(ready, f"Celery worker {name}", log, timeout)
        return process

    def restart_lost_workers(self) -> list[str]:
        """Start again every worker that is not running (a test killed it)."""
        lost = [n for n in self.worker_names if not self.processes[n].running()]
        for name in lost:
            self.start_worker(name)
        return lost

    def init_airflow(self) -> None:
        """What compose's airflow-init does: migrate, the pools, the DAGs serialised."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.airflow("db", "migrate")
        self.airflow("pools", "import", str(POOLS_FILE))
        self.airflow("dags", "reserialize")

    def stop_leftovers(self) -> None:
        """Stop the process groups an earlier session of this stack left running."""
        if not self.pid_file.exists():
            return
        for line in self.pid_file.read_text().split():
            try:
                os.killpg(int(line), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, ValueError):
                pass
        self.pid_file.unlink()

    def start(self) -> DistributedStack:
        self.stop_leftovers()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.start_postgres()
            self.start_redis()
            self.start_s3()
            self.init_airflow()
            self._component("api-server", ["api-server"])
            self.wait_for_api()
            for name in ("scheduler", "dag-processor", "triggerer"):
                self._component(name, [name])
            for name in self.worker_names:
                self.start_worker(name)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_for_api(self, timeout: float = 180) -> None:
        url = f"http://127.0.0.1:{self.ports['api']}/api/v2/monitor/health"

        def up() -> bool:
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    return answer.status == 200
            except OSError:
                return False

        wait_until(up, "Airflow's API server", self.home / "api-server.log", timeout)

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.processes[name].stop()
        self.processes.clear()
        self.pid_file.unlink(missing_ok=True)
        if not self.pg_dir.is_relative_to(self.base_dir):  # the fallback folder
            shutil.rmtree(self.pg_dir, ignore_errors=True)


# --- the compose stack's demo profile ----------------------------------------------------


def load_demo_data() -> str:
    """The sandbox's data over TCP, for docker-compose.yaml's `sandbox` service (profile
    demo): Moodle's schema and sample rows, the stand-ins' tables and the generated demo
    data, only into an empty Moodle schema (a restart keeps what the demo changed)."""
    from MySQLdb.constants import CLIENT

    from include.sandbox.demo_data import SeedContext, seed_all
    from include.sandbox.environment import connection_json, sandbox_db
    from include.sandbox.stack import MOODLE_FIXTURES, SANDBOX_SCHEMAS, connect_to

    def connect(settings: dict):
        return connect_to(settings, client_flag=CLIENT.MULTI_STATEMENTS)

    def run_file(connection, path: Path) -> None:
        cursor = connection.cursor()
        cursor.execute(path.read_text(encoding="utf-8"))
        while cursor.nextset():
            pass
        cursor.close()
        connection.commit()

    moodle, sandbox = connect(connection_json("moodle_db")), connect(sandbox_db())
    try:
        cursor = moodle.cursor()
        cursor.execute("SHOW TABLES LIKE 'mdl_user'")
        if cursor.fetchone():
            return "demo data kept (the Moodle schema is not empty)"
        for name in ("schema.sql", "sample-data.sql"):
            run_file(moodle, MOODLE_FIXTURES / name)
        for schema in sorted(SANDBOX_SCHEMAS.glob("*.sql")):
            run_file(sandbox, schema)
        summaries = seed_all(SeedContext(moodle=moodle, sandbox=sandbox))
        return "demo data loaded: " + "; ".join(summaries.values())
    finally:
        moodle.close()
        sandbox.close()


def compose_env() -> str:
    """A `.env` for docker-compose.yaml's demo: the connections of sandbox.env with the
    compose services' addresses, and new secrets (JWT secret, fernet key, passwords)."""
    env = read_env_file()
    demo_port = env["SANDBOX_HTTP_PORT"]
    lines = [
        "# docker compose's settings (README, Scale-out); made by",
        "# `python -m include.sandbox.distributed compose-env`. Keep this file private.",
        f"AIRFLOW_UID={os.getuid() if os.getuid() else 50000}",
        f"AIRFLOW__API_AUTH__JWT_SECRET={secrets.token_urlsafe(32)}",
        f"AIRFLOW__CORE__FERNET_KEY={base64.urlsafe_b64encode(os.urandom(32)).decode()}",
        f"_AIRFLOW_WWW_USER_PASSWORD={secrets.token_urlsafe(12)}",
        f"POSTGRES_PASSWORD={secrets.token_urlsafe(16)}",
        f"MARIADB_ROOT_PASSWORD={secrets.token_urlsafe(16)}",
    ]
    for name, value in env.items():
        if name.startswith("AIRFLOW_CONN_") or name == "SANDBOX_DB":
            settings = json.loads(value)
            host = settings.get("host", "")
            if host.startswith("http://127.0.0.1"):
                settings["host"] = host.replace(f"127.0.0.1:{demo_port}", "sandbox:8765")
            elif host == "127.0.0.1":
                settings["host"], settings["port"] = "mariadb", 3306
            lines.append(f"{name}={json.dumps(settings)}")
    return "\n".join(lines) + "\n"


COMMANDS = {"load-demo": load_demo_data, "compose-env": compose_env}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        raise SystemExit(f"usage: python -m include.sandbox.distributed {'|'.join(COMMANDS)}")
    print(COMMANDS[sys.argv[1]](), end="" if sys.argv[1] == "compose-env" else "\n")
