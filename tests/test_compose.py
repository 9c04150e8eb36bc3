"""docker-compose.yaml is valid Compose and wires the stack as Airflow's own file does
(no Docker engine runs here, so the file is checked, not run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from include.sandbox.environment import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yaml"


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
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    expected = {
        "postgres",
        "redis",
        "mariadb",
        "sandbox",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "airflow-triggerer",
        "airflow-init",
    }
    assert expected <= set(services)
    for name, service in services.items():
        if name != "airflow-init":
            assert "healthcheck" in service, f"{name} has no healthcheck"
    for name in (
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "airflow-triggerer",
    ):
        depends = services[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"
        for backing in ("postgres", "redis", "mariadb"):
            assert depends[backing]["condition"] == "service_healthy", (name, backing)
        assert services[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert services["sandbox"]["depends_on"]["mariadb"]["condition"] == "service_healthy"
