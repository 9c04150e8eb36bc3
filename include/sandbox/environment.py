"""The process environment of the local stack: the demo, `make up` and the tests.

Connections come from `sandbox.env` (the one place they are defined); the
Airflow settings below only say where this checkout keeps its state.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCAL_DIR = PROJECT_ROOT / ".local"
ENV_FILE = PROJECT_ROOT / "sandbox.env"


def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """Parse `NAME=value` lines; `#` starts a comment line."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip()
    return values


SCHEDULER_IDLE_SLEEP_SECONDS = "0.25"  # the value of config/airflow.env


def airflow_settings(airflow_home: Path) -> dict[str, str]:
    """Airflow on the embedded default: SQLite metadata DB under `.local/`."""
    return {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "60",
        # as config/airflow.env: a run's next task waits for the scheduler's next loop
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": SCHEDULER_IDLE_SLEEP_SECONDS,
        "GX_ANALYTICS_ENABLED": "False",
        "PIPELINES_STORE_URL": f"file://{LOCAL_DIR / 'store'}",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }


# Variables the process environment sets over `sandbox.env`: `AIRFLOW_UI_PORT=8090 make up`.
PROCESS_ENV_WINS = ("AIRFLOW_UI_PORT",)
DEFAULT_UI_PORT = 8080


def stack_environment(
    profile: str = "demo", process_env: dict[str, str] | None = None
) -> dict[str, str]:
    """All variables the demo (`profile="demo"`) or `make up` need: `sandbox.env`, the
    Airflow settings, then each of `PROCESS_ENV_WINS` the process environment sets."""
    env = read_env_file()
    env.update(airflow_settings(LOCAL_DIR / f"airflow-{profile}"))
    process_env = os.environ if process_env is None else process_env
    for name in PROCESS_ENV_WINS:
        if process_env.get(name, "").strip():
            env[name] = process_env[name].strip()
    return env


def ui_port(env: dict[str, str]) -> int:
    """The Airflow UI's port for `make up`: `AIRFLOW_UI_PORT`, else 8080."""
    raw = env.get("AIRFLOW_UI_PORT") or str(DEFAULT_UI_PORT)
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"AIRFLOW_UI_PORT={raw!r} is not a TCP port (1-65535)")
    return int(raw)


def isolated_environment(prefix: str, http_port: int) -> dict[str, str]:
    """The stack's variables for an isolated user of the shared MariaDB (tests, benchmarks):
    databases `<prefix>_moodle`, `<prefix>_pipelines`, `<prefix>_sandbox`, the sandbox on
    `http_port`, Airflow home and store under `.local/` named after the prefix; retries
    (the hooks' and Airflow's) without waiting."""
    env = read_env_file()
    demo_port = env["SANDBOX_HTTP_PORT"]
    for name, value in list(env.items()):
        if name.startswith("AIRFLOW_CONN_") or name == "SANDBOX_DB":
            settings = json.loads(value)
            if "schema" in settings and settings.get("conn_type", "mysql") == "mysql":
                settings["schema"] = f"{prefix}_{settings['schema']}"
            if "host" in settings:
                settings["host"] = settings["host"].replace(f":{demo_port}/", f":{http_port}/")
            if settings.get("conn_type") == "http":
                # the hooks' own retries without waiting: set as production would set
                # its back-off, in the Connection's extra (include/connectors/http_base.py)
                settings["extra"] = {**settings.get("extra", {}), "retry_backoff_seconds": 0}
            env[name] = json.dumps(settings)
    env["SANDBOX_HTTP_PORT"] = str(http_port)
    env.update(airflow_settings(LOCAL_DIR / f"airflow-{prefix}"))
    env["PIPELINES_STORE_URL"] = f"file://{LOCAL_DIR / f'store-{prefix}'}"
    # Airflow's task retries without waiting: Airflow's own setting (dag_defaults.py)
    env["AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY"] = "0"
    return env


def secret_values(env: dict[str, str] | None = None) -> set[str]:
    """Every password/token in the connections (for checks that none leaks into output)."""
    env = env if env is not None else read_env_file()
    secrets = set()
    for name, value in env.items():
        if name.startswith("AIRFLOW_CONN_") or name == "SANDBOX_DB":
            password = json.loads(value).get("password")
            if password:
                secrets.add(password)
    return secrets


def apply(env: dict[str, str]) -> None:
    os.environ.update(env)


def connection_json(name: str) -> dict:
    """The JSON of `AIRFLOW_CONN_<NAME>` from the current environment."""
    return json.loads(os.environ[f"AIRFLOW_CONN_{name.upper()}"])


def sandbox_db() -> dict:
    return json.loads(os.environ["SANDBOX_DB"])
