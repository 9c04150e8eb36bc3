"""docker-compose.yaml is valid Compose, wires the stack as Airflow's own file does, and
runs Airflow with the same settings as tests/distributed (no Docker engine runs here, so
the file is checked, not run; tests/distributed runs its shape)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from include.sandbox.environment import PROJECT_ROOT, read_env_file

COMPOSE = PROJECT_ROOT / "docker-compose.yaml"
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
)
# Where a stack's services are: compose's service names, loopback ports in the test.
# Compared by scheme only (both PostgreSQL through psycopg2, both Redis, both HTTP).
ADDRESSES = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__API__BASE_URL",
    "AIRFLOW__API__HOST",
    "AIRFLOW__API__PORT",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT",
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
    # folders: the image's /opt/airflow/… in compose, the checkout's in the test
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER",
}
SECRETS = {"AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY"}


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_validates_against_the_compose_specification():
    tool = shutil.which("check-jsonschema") or str(
        Path(sys.executable).with_name("check-jsonschema")
    )
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_services_healthchecks_and_start_order():
    services = _services()
    expected = {"postgres", "redis", "mariadb", "sandbox", "airflow-init", *AIRFLOW_SERVICES}
    assert expected <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"
        for backing in ("postgres", "redis", "mariadb"):
            assert depends[backing]["condition"] == "service_healthy", (name, backing)
        assert services[name]["env_file"] == ["config/airflow.env"]
    assert services["sandbox"]["profiles"] == ["demo"]  # the sandbox only in the demo
    assert services["sandbox"]["depends_on"]["mariadb"]["condition"] == "service_healthy"


def test_init_migrates_creates_the_admin_schemas_pools_and_owns_the_volumes():
    init = _services()["airflow-init"]
    script = "\n".join(init["command"])
    assert init["user"] == "0:0"
    for step in (
        "airflow db migrate",
        '{"admin": os.environ["_AIRFLOW_WWW_USER_PASSWORD"]}',
        "airflow pools import /opt/airflow/config/pools.json",
        "python -m include.provision",
        # the project DB through PipelinesDbHook (a secrets backend may hold the
        # Connection), never through the sandbox's stack
        "python -m include.migrations",
        'chown -R "${AIRFLOW_UID:-50000}:0" /opt/airflow/{logs,config,store}',
    ):
        assert step in script, step
    assert "include.sandbox" not in script
    sandbox = " ".join(_services()["sandbox"]["command"])
    assert "include.provision --demo" in sandbox and "load-demo" in sandbox
    volumes = yaml.safe_load(COMPOSE.read_text())["x-airflow-common"]["volumes"]
    for folder in ("dags", "logs", "config"):
        assert f"./{folder}:/opt/airflow/{folder}" in volumes


def _interpolate(value: str, dotenv: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` from `.env`."""

    def one(match: re.Match) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if dotenv.get(name):
            return dotenv[name]
        if op == ":?":
            raise AssertionError(f"{name} is required in .env: {rest}")
        return rest or ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def compose_environment(service: str, dotenv: dict[str, str]) -> dict[str, str]:
    """A service's environment as compose renders it: env_file, then environment."""
    spec = _services()[service]
    env: dict[str, str] = {}
    for name in spec.get("env_file", []):
        env.update(read_env_file(PROJECT_ROOT / name))
    for name, value in spec["environment"].items():
        env[name] = _interpolate(str(value), dotenv)
    return env


def _default(name: str) -> str | None:
    from airflow.configuration import conf

    section, key = name.removeprefix("AIRFLOW__").lower().split("__", 1)
    value = conf.get_default_value(section, key, fallback=None)
    return None if value is None else str(value)


def _same(a: str | None, b: str | None) -> bool:
    def norm(v):
        return None if v in (None, "") else v.lower() if v.lower() in ("true", "false") else v

    return norm(a) == norm(b)


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_compose_and_the_distributed_test_agree_on_every_airflow_setting(service, tmp_path):
    from include.sandbox.distributed import TEST_ONLY_SETTINGS, DistributedStack, compose_env
    from tests.conftest import TEST_ENV

    dotenv = read_env_file_text(compose_env())
    compose = compose_environment(service, dotenv)
    stack = DistributedStack.for_tests(tmp_path, TEST_ENV)
    tested = stack.environment()
    if service == "airflow-worker":
        tested.update(stack.worker_environment("worker-1"))
    names = {n for n in (*compose, *tested) if n.startswith("AIRFLOW__")}
    differ = []
    for name in sorted(names):
        ours, theirs = compose.get(name, _default(name)), tested.get(name, _default(name))
        if name in TEST_ONLY_SETTINGS:
            continue  # declared in one place, include/sandbox/distributed.py
        if name in SECRETS:
            assert ours and theirs, name  # both set: every component shares them
        elif name in ADDRESSES:
            if "://" in (ours or "") or "://" in (theirs or ""):
                assert urlsplit(ours).scheme == urlsplit(theirs).scheme, (name, ours, theirs)
        elif not _same(ours, theirs):
            differ.append(f"{name}: compose {ours!r}, tests/distributed {theirs!r}")
    assert not differ, "\n".join(differ)
    assert compose["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert tested["AIRFLOW__CORE__HOSTNAME_CALLABLE"] == "include.hostname.worker_hostname"


def read_env_file_text(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_the_store_on_s3_is_configured_alike():
    from include.sandbox.distributed import DistributedStack

    tested = DistributedStack(Path("/nonexistent"), {}).addresses()
    assert tested["PIPELINES_STORE_URL"].startswith("s3://")
    conn = __import__("json").loads(tested["AIRFLOW_CONN_PIPELINES_STORE"])
    assert conn["conn_type"] == "aws" and conn["extra"]["endpoint_url"].startswith("http://")
    env = _services()["airflow-worker"]["environment"]
    for name in ("PIPELINES_STORE_URL", "PIPELINES_STORE_CONN_ID", "AIRFLOW_CONN_PIPELINES_STORE"):
        assert name in env, name


def test_the_image_installs_the_runtime_requirements_with_airflows_constraints():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "requirements-runtime.txt" in dockerfile and "requirements.txt " not in dockerfile
    assert "constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt" in dockerfile

    def entries(path: Path) -> dict[str, str]:
        rows = {}
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                name = re.split(r"[<>=\[ ]", line, maxsplit=1)[0].lower()
                rows[name] = line
        return rows

    runtime = entries(PROJECT_ROOT / "requirements-runtime.txt")
    lock_input = entries(PROJECT_ROOT / "requirements.in")
    for name, spec in runtime.items():
        assert lock_input.get(name) == spec, f"{name}: {spec} vs requirements.in"
    for dev in ("pytest", "hypothesis", "moto", "ruff", "check-jsonschema", "sqlfluff", "uv"):
        assert dev not in runtime and dev in lock_input


def test_one_machine_and_the_scaled_out_stack_share_the_schedulers_idle_sleep():
    """The embedded default (make demo / up, the e2e tests, the benchmarks) schedules a
    run's next task as promptly as the compose stack does."""
    from include.sandbox import environment

    stack = read_env_file(PROJECT_ROOT / "config" / "airflow.env")
    one_machine = environment.airflow_settings(PROJECT_ROOT / ".local" / "x")
    name = "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME"
    assert one_machine[name] == stack[name] == environment.SCHEDULER_IDLE_SLEEP_SECONDS
