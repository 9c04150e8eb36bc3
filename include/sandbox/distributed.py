"""The production shape on one machine, without Docker: what docker-compose.yaml runs.

PostgreSQL (Airflow's metadata DB) and Redis (the Celery broker) from Debian's
packages, and moto's S3 server (the store), each a project-local process on
127.0.0.1 with its own port and data under `.local/distributed-<prefix>/`; then Airflow
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
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from include.sandbox.environment import PROJECT_ROOT, read_env_file
from include.sandbox.mariadb import LocalStackError
from include.sandbox.stack import POOLS_FILE, airflow_cli, free_port

AIRFLOW_SETTINGS_FILE = PROJECT_ROOT / "config" / "airflow.env"
POSTGRES_ROLE = "airflow"
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


def _wait(check, what: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise LocalStackError(f"{what} did not start in {timeout:.0f} s; see {log}")


def _postgres_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    raise LocalStackError("PostgreSQL is not installed: apt-get install postgresql")


@dataclass
class Process:
    """A background process in its own session (so its whole group can be stopped)."""

    name: str
    args: list[str]
    log: Path
    env: dict[str, str] | None = None
    user: str | None = None
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, pid_file: Path | None = None) -> Process:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.log, "ab")
        args = ["runuser", "-u", self.user, "--", *self.args] if self.user else self.args
        self.popen = subprocess.Popen(
            args,
            env=self.env,
            stdout=handle,
            stderr=handle,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=PROJECT_ROOT,
        )
        if pid_file is not None:  # a session killed before its clean-up leaves these
            with open(pid_file, "a") as pids:
                pids.write(f"{self.popen.pid}\n")
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (SIGKILL: a machine lost, nothing cleans up)."""
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 20) -> None:
        if not self.running():
            self.kill()
            return
        self.kill(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill(signal.SIGKILL)
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            pass


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
        """PostgreSQL's folder: in the stack's own folder, unless the `postgres` user
        cannot reach it (a checkout under a private home): then a folder of its own in
        the system's temporary directory, named in `postgres.location`."""
        pointer = self.base_dir / "postgres.location"
        if pointer.exists():
            return Path(pointer.read_text().strip())
        folder = self.base_dir / "postgres"
        if os.geteuid() == 0:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.chown(folder, "postgres")
            reach = ["runuser", "-u", "postgres", "--", "test", "-w", str(folder)]
            if subprocess.run(reach, capture_output=True).returncode != 0:
                import tempfile

                folder = Path(tempfile.mkdtemp(prefix="lms-pipelines-postgres-"))
                shutil.chown(folder, "postgres")
        self.base_dir.mkdir(parents=True, exist_ok=True)
        pointer.write_text(str(folder))
        return folder

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

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
        """A PostgreSQL cluster of its own; as root, it runs as the `postgres` user."""
        user = "postgres" if os.geteuid() == 0 else None
        run_dir = self.pg_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        if user:
            shutil.chown(run_dir, user)
        if not (self.pg_data / "PG_VERSION").exists():
            shutil.rmtree(self.pg_data, ignore_errors=True)
            initdb = [
                _postgres_bin("initdb"),
                "-D",
                str(self.pg_data),
                "-U",
                POSTGRES_ROLE,
                "--auth=trust",  # loopback only, a throwaway cluster: no password to keep
                "--encoding=UTF8",
                "--no-sync",
            ]
            done = subprocess.run(
                ["runuser", "-u", user, "--", *initdb] if user else initdb,
                capture_output=True,
                text=True,
                cwd="/",
            )
            if done.returncode != 0:
                raise LocalStackError(f"initdb failed: {done.stderr.strip()[-1000:]}")
        log = run_dir / "postgres.log"
        self.processes["postgres"] = Process(
            "postgres",
            [
                _postgres_bin("postgres"),
                "-D",
                str(self.pg_data),
                "-p",
                str(self.ports["postgres"]),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={run_dir}",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            log,
            user=user,
        ).start(self.pid_file)
        ready = [_postgres_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.ports["postgres"])]
        _wait(lambda: subprocess.run(ready, capture_output=True).returncode == 0, "PostgreSQL", log)
        psql = [
            _postgres_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.ports["postgres"]),
            "-U",
            POSTGRES_ROLE,
            "-d",
            "postgres",
            "-tAc",
        ]
        exists = subprocess.run(
            [*psql, "SELECT 1 FROM pg_database WHERE datname = 'airflow'"],
            capture_output=True,
            text=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run([*psql, "CREATE DATABASE airflow"], check=True, capture_output=True)

    def start_redis(self) -> None:
        folder = self.base_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(server).exists():
            raise LocalStackError("Redis is not installed: apt-get install redis-server")
        log = folder / "redis.log"
        port = str(self.ports["redis"])
        self.processes["redis"] = Process(
            "redis",
            [server, "--port", port, "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""],
            log,
        ).start(self.pid_file)
        ping = ["redis-cli", "-p", port, "ping"]
        _wait(lambda: b"PONG" in subprocess.run(ping, capture_output=True).stdout, "Redis", log)

    def start_s3(self) -> None:
        """moto's S3-compatible server (in memory) and the store's bucket."""
        log = self.base_dir / "s3.log"
        server = str(Path(sys.executable).with_name("moto_server"))
        port = self.ports["s3"]
        self.processes["s3"] = Process(
            "s3", [server, "-H", "127.0.0.1", "-p", str(port)], log, env=dict(os.environ)
        ).start(self.pid_file)

        def up() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    return True
            except OSError:
                return False

        _wait(up, "moto's S3 server", log)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/{self.bucket}", method="PUT")
        urllib.request.urlopen(request, timeout=10).close()

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

    def start_worker(self, name: str) -> Process:
        """A Celery worker named `name` (its task instances' hostname), one task at a time."""
        args = ["celery", "worker", "--celery-hostname", f"{name}@%h", "--queues", QUEUES]
        return self._component(name, args, self.worker_environment(name))

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

        _wait(up, "Airflow's API server", self.home / "api-server.log", timeout)

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
    import MySQLdb
    from MySQLdb.constants import CLIENT

    from include.sandbox.demo_data import SeedContext, seed_all
    from include.sandbox.environment import connection_json, sandbox_db
    from include.sandbox.stack import MOODLE_FIXTURES, SANDBOX_SCHEMAS

    def connect(settings: dict):
        return MySQLdb.connect(
            host=settings["host"],
            port=int(settings["port"]),
            user=settings["login"],
            password=settings["password"],
            database=settings["schema"],
            charset="utf8mb4",
            client_flag=CLIENT.MULTI_STATEMENTS,
        )

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
