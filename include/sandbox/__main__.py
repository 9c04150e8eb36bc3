"""The local stack's commands (the Makefile calls these).

python -m include.sandbox check      system packages present?
python -m include.sandbox start      MariaDB + sandbox on loopback, migrations
python -m include.sandbox seed       fresh demo data
python -m include.sandbox demo       start, seed, run every DAG, print a summary
python -m include.sandbox up         `airflow standalone` on 127.0.0.1 (own process group);
                                     loads the demo data only into empty databases
python -m include.sandbox down       stop `airflow standalone`
python -m include.sandbox stop       stop everything
python -m include.sandbox clean      stop everything and delete .local/
python -m include.sandbox serve      run the sandbox in the foreground
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from include.sandbox import environment


def check_system() -> None:
    """One clear line per missing system package (see the README)."""
    from ctypes.util import find_library

    missing = []
    if not (shutil.which("mariadbd") or Path("/usr/sbin/mariadbd").exists()):
        missing.append("mariadb-server")
    if not shutil.which("mariadb"):
        missing.append("mariadb-client")
    if not find_library("pango-1.0"):
        missing.append("libpango-1.0-0 libpangoft2-1.0-0")
    if not find_library("harfbuzz-subset"):
        missing.append("libharfbuzz-subset0")
    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
        missing.append("fonts-dejavu-core")
    if missing:
        raise SystemExit("missing system packages: apt-get install " + " ".join(missing))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m include.sandbox")
    parser.add_argument(
        "command",
        choices=["check", "start", "seed", "demo", "up", "down", "stop", "clean", "serve"],
    )
    args = parser.parse_args(argv)
    env = environment.stack_environment("demo")
    environment.apply(env)

    from include.sandbox import stack
    from include.sandbox.mariadb import LocalStackError

    try:
        if args.command == "check":
            check_system()
        elif args.command == "serve":
            from include.sandbox.app import serve_forever

            serve_forever(int(env["SANDBOX_HTTP_PORT"]))
        elif args.command == "start":
            check_system()
            stack.start_mariadb()
            stack.start_sandbox_process(int(env["SANDBOX_HTTP_PORT"]))
        elif args.command == "seed":
            db = stack.start_mariadb()
            for name, line in stack.reset_data(db).items():
                print(f"  {name}: {line}")
        elif args.command == "demo":
            check_system()
            db = stack.start_mariadb()
            stack.stop_process_group(stack.SANDBOX_PID)  # serve this checkout's current code
            stack.start_sandbox_process(int(env["SANDBOX_HTTP_PORT"]))
            print("Loading demo data ...")
            for name, line in stack.reset_data(db).items():
                print(f"  {name}: {line}")
            stack.migrate_airflow_db(env)
            from include.sandbox.demo import print_summary, run_all_dags

            print_summary(run_all_dags())
            print(f"\nOutputs: {environment.LOCAL_DIR / 'store'}")
        elif args.command == "up":
            up(env)
        elif args.command == "down":
            stack.stop_process_group(STANDALONE_PID)
        elif args.command == "stop":
            stack.stop_process_group(STANDALONE_PID)
            stack.stop_process_group(stack.SANDBOX_PID)
            stack.local_mariadb().stop()
        elif args.command == "clean":
            stack.stop_process_group(STANDALONE_PID)
            stack.stop_process_group(stack.SANDBOX_PID)
            stack.local_mariadb().stop()
            shutil.rmtree(environment.LOCAL_DIR, ignore_errors=True)
            print(f"removed {environment.LOCAL_DIR}")
    except LocalStackError as exc:
        raise SystemExit(str(exc)) from None


STANDALONE_PID = environment.LOCAL_DIR / "standalone.pid"


def up(env: dict) -> None:
    """`airflow standalone` in its own process group, so `down` stops all its children."""
    from include.sandbox import stack

    try:
        port = environment.ui_port(env)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    check_system()
    db = stack.start_mariadb()
    stack.start_sandbox_process(int(env["SANDBOX_HTTP_PORT"]))
    print(prepare_demo_data(db))
    log_path = environment.LOCAL_DIR / "standalone.log"
    standalone_env = stack.start_airflow_standalone(env, port, STANDALONE_PID, log_path)
    print(
        f"Airflow UI: http://127.0.0.1:{port} (log in as admin; the password is in "
        f"{standalone_env['AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE']}). "
        f"Log: {log_path}. Stop: make down"
    )


def table_rows(db, names: dict[str, str]) -> dict[str, dict[str, int]]:
    """Rows of every table of the stack's databases, by role (`moodle`, `pipelines`,
    `sandbox` → {table: rows}); a missing database has no tables."""
    roles = {name: role for role, name in names.items()}
    quoted = ", ".join(f"'{name}'" for name in roles)
    listed = db.execute(
        "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES"
        f" WHERE TABLE_SCHEMA IN ({quoted}) AND TABLE_TYPE = 'BASE TABLE'"
    )
    tables = [line.split("\t") for line in listed.splitlines() if line]
    rows: dict[str, dict[str, int]] = {role: {} for role in names}
    if tables:
        counts = db.execute(
            " UNION ALL ".join(
                f"SELECT '{schema}', '{table}', COUNT(*) FROM `{schema}`.`{table}`"
                for schema, table in tables
            )
        )
        for line in counts.splitlines():
            schema, table, count = line.split("\t")
            rows[roles[schema]][table] = int(count)
    return rows


def seed_reason(rows: dict[str, dict[str, int]]) -> str | None:
    """Why `make up` must load the demo data, or None when it is there (`make demo` or
    an earlier `make up` loaded it) and must be kept, with the runs' results."""
    for role in ("moodle", "pipelines", "sandbox"):
        if not rows.get(role):
            return f"the {role} database is missing or has no tables"
    if not any(rows["sandbox"].values()):
        return "the sandbox database holds no rows"
    return None


def prepare_demo_data(db, sizes: dict | None = None) -> str:
    """Load the demo data if the databases are empty, else keep them (and apply new
    migrations of the project DB); returns the line saying which was done."""
    from include.sandbox import stack

    reason = seed_reason(table_rows(db, stack.database_names()))
    if reason:
        stack.reset_data(db, sizes=sizes)
        return f"Demo data: loaded ({reason})."
    applied = stack.migrate_pipelines_db()
    migrated = f"; migrations applied: {', '.join(applied)}" if applied else ""
    return (
        "Demo data: kept the data already in the databases (make demo or an earlier make up"
        f" loaded it){migrated}. Fresh data: .venv/bin/python -m include.sandbox seed"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
