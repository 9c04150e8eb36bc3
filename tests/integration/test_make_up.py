"""`make up`: the UI port from the process environment, and the demo data loaded
only into empty databases (so `make up` after `make demo` keeps the demo's results).

The functions `up` calls are tested here on this session's databases
(`<TEST_DB_PREFIX>_moodle`, ...), never on the demo's, and no Airflow is started."""

from __future__ import annotations

import pytest

from include.sandbox import __main__ as commands
from include.sandbox import environment
from tests.conftest import PREFIX


@pytest.fixture
def env_file(monkeypatch):
    """`sandbox.env` as given, for `stack_environment`."""

    def use(values: dict[str, str]) -> None:
        monkeypatch.setattr(environment, "read_env_file", lambda: dict(values))

    return use


def test_the_process_environment_sets_the_ui_port(env_file, monkeypatch):
    env_file({"SANDBOX_HTTP_PORT": "8765"})
    monkeypatch.setenv("AIRFLOW_UI_PORT", "8090")
    assert environment.ui_port(environment.stack_environment("demo")) == 8090


def test_the_process_environment_wins_over_sandbox_env(env_file):
    env_file({"AIRFLOW_UI_PORT": "8081"})
    assert environment.ui_port(environment.stack_environment("demo", {})) == 8081
    env = environment.stack_environment("demo", {"AIRFLOW_UI_PORT": "8090"})
    assert environment.ui_port(env) == 8090
    blank = environment.stack_environment("demo", {"AIRFLOW_UI_PORT": " "})
    assert environment.ui_port(blank) == 8081  # set but empty: not set


def test_without_a_setting_the_ui_port_is_8080(env_file):
    env_file({})
    assert environment.ui_port(environment.stack_environment("demo", {})) == 8080


@pytest.mark.parametrize("value", ["80a", "0", "70000", "-1"])
def test_a_bad_ui_port_names_the_variable(value):
    with pytest.raises(ValueError, match="AIRFLOW_UI_PORT"):
        environment.ui_port({"AIRFLOW_UI_PORT": value})


def test_only_the_ui_port_comes_from_the_process_environment(env_file):
    env_file({"AIRFLOW_CONN_MOODLE_DB": "{}"})
    env = environment.stack_environment("demo", {"AIRFLOW_CONN_MOODLE_DB": "other"})
    assert env["AIRFLOW_CONN_MOODLE_DB"] == "{}"


SEEDED = {
    "moodle": {"mdl_user": 9},
    "pipelines": {"schema_migrations": 40, "pipeline_run_report": 7},
    "sandbox": {"eios_student": 120, "kontur_recording": 0},
}


def test_seeded_databases_are_kept():
    assert commands.seed_reason(SEEDED) is None


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ({}, "the moodle database is missing or has no tables"),
        ({**SEEDED, "pipelines": {}}, "the pipelines database is missing or has no tables"),
        ({**SEEDED, "sandbox": {}}, "the sandbox database is missing or has no tables"),
        ({**SEEDED, "sandbox": {"eios_student": 0}}, "the sandbox database holds no rows"),
    ],
)
def test_empty_databases_are_seeded(rows, reason):
    assert commands.seed_reason(rows) == reason


def test_up_seeds_empty_databases_and_keeps_seeded_ones(mariadb, fresh_stack):
    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes

    names = stack.database_names()
    assert all(name.startswith(f"{PREFIX}_") for name in names.values()), names
    # after a demo: data is kept, with what the runs wrote
    mariadb.execute(
        "CREATE TABLE up_probe (id INT); INSERT INTO up_probe VALUES (1);", names["pipelines"]
    )
    line = commands.prepare_demo_data(mariadb, sizes=test_sizes())
    assert line.startswith("Demo data: kept"), line
    assert commands.table_rows(mariadb, names)["pipelines"]["up_probe"] == 1
    # a database gone: everything is loaded afresh
    mariadb.execute(f"DROP DATABASE `{names['sandbox']}`")
    assert commands.table_rows(mariadb, names)["sandbox"] == {}
    line = commands.prepare_demo_data(mariadb, sizes=test_sizes())
    assert line == "Demo data: loaded (the sandbox database is missing or has no tables).", line
    rows = commands.table_rows(mariadb, names)
    assert "up_probe" not in rows["pipelines"] and any(rows["sandbox"].values())
    assert commands.seed_reason(rows) is None
