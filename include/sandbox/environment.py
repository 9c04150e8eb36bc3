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
        "GX_ANALYTICS_ENABLED": "False",
        "PIPELINES_STORE_URL": f"file://{LOCAL_DIR / 'store'}",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }


def stack_environment(profile: str = "demo") -> dict[str, str]:
    """All variables the demo (`profile="demo"`) or `make up` need."""
    env = read_env_file()
    env.update(airflow_settings(LOCAL_DIR / f"airflow-{profile}"))
    return env


def apply(env: dict[str, str]) -> None:
    os.environ.update(env)


def connection_json(name: str) -> dict:
    """The JSON of `AIRFLOW_CONN_<NAME>` from the current environment."""
    return json.loads(os.environ[f"AIRFLOW_CONN_{name.upper()}"])


def sandbox_db() -> dict:
    return json.loads(os.environ["SANDBOX_DB"])
