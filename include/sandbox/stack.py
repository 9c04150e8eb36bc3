"""The local stack: MariaDB, the sandbox process, fresh demo data, Airflow's metadata DB.

Used by `python -m include.sandbox …` (the Makefile's targets) and by the
tests' session fixtures, so the demo and the tests stand on the same set-up.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from include.sandbox.environment import LOCAL_DIR, PROJECT_ROOT, connection_json, sandbox_db
from include.sandbox.mariadb import LocalMariaDB, LocalStackError

MOODLE_FIXTURES = PROJECT_ROOT / "include" / "sandbox" / "moodle"
SANDBOX_SCHEMAS = PROJECT_ROOT / "include" / "sandbox" / "sql"


def local_mariadb() -> LocalMariaDB:
    return LocalMariaDB(port=int(os.environ["SANDBOX_MARIADB_PORT"]))


def database_names() -> dict[str, str]:
    return {
        "moodle": connection_json("moodle_db")["schema"],
        "pipelines": connection_json("pipelines_db")["schema"],
        "sandbox": sandbox_db()["schema"],
    }


def connect(which: str):
    """A DB-API connection to `moodle`, `pipelines` or `sandbox` as the app account."""
    return connect_to(sandbox_db() if which == "sandbox" else connection_json(f"{which}_db"))


def connect_to(settings: dict, **options):
    """A DB-API connection (utf8mb4) to the database a connection's settings name."""
    import MySQLdb

    return MySQLdb.connect(
        host=settings["host"],
        port=int(settings["port"]),
        user=settings["login"],
        password=settings["password"],
        database=settings["schema"],
        charset="utf8mb4",
        **options,
    )


def start_mariadb() -> LocalMariaDB:
    db = local_mariadb()
    db.start()
    account = connection_json("pipelines_db")
    db.ensure_account(account["login"], account["password"])
    return db


def migrate_pipelines_db() -> list[str]:
    from include.migrations import apply_migrations

    connection = connect("pipelines")
    try:
        return apply_migrations(connection)
    finally:
        connection.close()


def fresh_databases(db: LocalMariaDB, sandbox_schemas: list[str] | None = None) -> None:
    """Empty Moodle, sandbox and pipelines databases: Moodle's schema and base rows, the
    named sandbox schemas (`["eios.sql"]`; default: all of them), the migrated project DB."""
    names = database_names()
    for name in names.values():
        db.recreate_database(name)
    db.load_file(MOODLE_FIXTURES / "schema.sql", names["moodle"])
    db.load_file(MOODLE_FIXTURES / "sample-data.sql", names["moodle"])
    schemas = sorted(SANDBOX_SCHEMAS.glob("*.sql"))
    for schema in [SANDBOX_SCHEMAS / n for n in sandbox_schemas] if sandbox_schemas else schemas:
        db.load_file(schema, names["sandbox"])
    migrate_pipelines_db()


def reset_data(db: LocalMariaDB, sizes: dict | None = None, seed: int = 20261123) -> dict[str, str]:
    """Fresh Moodle, sandbox and pipelines databases with the demo data."""
    from include.sandbox.demo_data import SeedContext, seed_all

    fresh_databases(db)
    moodle, sandbox = connect("moodle"), connect("sandbox")
    try:
        return seed_all(SeedContext(moodle=moodle, sandbox=sandbox, seed=seed, sizes=sizes or {}))
    finally:
        moodle.close()
        sandbox.close()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sandbox_is_up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


SANDBOX_PID = LOCAL_DIR / "sandbox.pid"


def start_sandbox_process(port: int) -> None:
    """The sandbox as a background process (demo, `make up`); reused when running."""
    if sandbox_is_up(port):
        return
    if not port_is_free(port):
        raise LocalStackError(
            f"port {port} on 127.0.0.1 is in use by another program: free it or change "
            "SANDBOX_HTTP_PORT and the connection hosts in sandbox.env"
        )
    LOCAL_DIR.mkdir(exist_ok=True)
    log = open(LOCAL_DIR / "sandbox.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "include.sandbox", "serve"],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    SANDBOX_PID.write_text(str(process.pid))
    deadline = time.monotonic() + 30
    while not sandbox_is_up(port):
        if time.monotonic() > deadline or process.poll() is not None:
            raise LocalStackError(f"the sandbox did not start; see {LOCAL_DIR / 'sandbox.log'}")
        time.sleep(0.2)


def stop_process_group(pid_file: Path) -> None:
    """Stop a process started in its own session, with all its children."""
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip() or 0)
    pid_file.unlink()
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def start_airflow_standalone(
    env: dict[str, str], port: int, pid_file: Path, log_path: Path, extra: dict | None = None
) -> dict[str, str]:
    """`airflow standalone` (LocalExecutor, SQLite) in its own process group on 127.0.0.1:port,
    so `stop_process_group(pid_file)` stops all its children; returns its environment."""
    if not port_is_free(port):
        raise LocalStackError(f"port {port} on 127.0.0.1 is in use: free it or set AIRFLOW_UI_PORT")
    migrate_airflow_db(env)
    standalone_env = {
        **os.environ,
        **env,
        # standalone starts its components as `airflow …` subprocesses: the venv's first
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", ""))),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        # where task processes reach the API server (its default assumes port 8080)
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
            Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
        ),
        **(extra or {}),
    }
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("airflow")), "standalone"],
        env=standalone_env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    pid_file.write_text(str(process.pid))
    return standalone_env


def wait_for_airflow_api(port: int, timeout: float = 180) -> None:
    """Until Airflow's API server answers (task processes report to it: a task started
    before it is up fails with "connection refused")."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/api/v2/monitor/health"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise LocalStackError(f"Airflow's API server on port {port} did not answer in {timeout} s")


POOLS_FILE = PROJECT_ROOT / "config" / "pools.json"


def migrate_airflow_db(env: dict[str, str]) -> None:
    """`airflow db migrate` on the SQLite metadata DB and the pools of config/pools.json
    (tasks in a missing pool are never scheduled), once per Airflow version and pools file."""
    import hashlib

    import airflow

    home = Path(env["AIRFLOW_HOME"])
    pools = hashlib.sha256(POOLS_FILE.read_bytes()).hexdigest()[:12]
    marker = home / f".migrated-{airflow.__version__}-{pools}"
    if marker.exists() and (home / "airflow.db").exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    for command in (["db", "migrate"], ["pools", "import", str(POOLS_FILE)]):
        airflow_cli(command, env)
    marker.write_text("ok\n")


def airflow_cli(args: list[str], env: dict[str, str], timeout: float = 600) -> str:
    """One `airflow …` command in `env`; its output, or LocalStackError with its error."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise LocalStackError(f"airflow {' '.join(args[:2])} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def start_airflow_for_triggered_runs(
    env: dict[str, str], home: Path, task_slots: int | None = 4
) -> tuple[int, Path, Path]:
    """`airflow standalone` as the end-to-end tests and the benchmarks run it: a fresh
    `home`, runs only when triggered (no job schedule), `task_slots` task processes at a
    time (None: Airflow's default), settings from Variables set over the API (not
    `AIRFLOW_VAR_*`), every DAG serialised before the scheduler starts; returns (port,
    pid file, log) once its API answers."""
    import shutil

    from include.sandbox.environment import airflow_settings

    shutil.rmtree(home, ignore_errors=True)
    env = {
        **env,
        **airflow_settings(home),
        "PIPELINES_STORE_URL": env["PIPELINES_STORE_URL"],
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        **({"AIRFLOW__CORE__PARALLELISM": str(task_slots)} if task_slots else {}),
    }
    env = {name: value for name, value in env.items() if not name.startswith("AIRFLOW_VAR_")}
    migrate_airflow_db(env)
    airflow_cli(["dags", "reserialize"], env, timeout=300)
    port = free_port()
    pid_file, log = home / "standalone.pid", home / "standalone.log"
    start_airflow_standalone(env, port, pid_file, log)
    try:
        wait_for_airflow_api(port)
    except BaseException:
        stop_process_group(pid_file)
        raise
    return port, pid_file, log
