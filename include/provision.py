"""The deployment's database step (docker-compose.yaml's airflow-init): every schema the
connections name, created on the project's MariaDB with grants for the connection's
account. The project DB's migrations follow as their own step, through the hook
(`python -m include.migrations`).

    python -m include.provision            the pipelines schema (production: Moodle's
                                            database is the university's own)
    python -m include.provision --demo     also `moodle` and `sandbox` (the demo profile)

The administrator's account comes from `MARIADB_ROOT_USER` (default root) and
`MARIADB_ROOT_PASSWORD`; no password is printed.
"""

from __future__ import annotations

import json
import os
import sys


def _connection(name: str) -> dict:
    return json.loads(os.environ[name])


def schemas(demo: bool) -> list[dict]:
    """The connections whose schema lives on the project's MariaDB."""
    names = ["AIRFLOW_CONN_PIPELINES_DB"]
    if demo:
        names += ["AIRFLOW_CONN_MOODLE_DB", "SANDBOX_DB"]
    return [_connection(name) for name in names]


def create_schemas(demo: bool) -> list[str]:
    import MySQLdb

    target = _connection("AIRFLOW_CONN_PIPELINES_DB")
    admin = MySQLdb.connect(
        host=target["host"],
        port=int(target.get("port", 3306)),
        user=os.environ.get("MARIADB_ROOT_USER", "root"),
        password=os.environ["MARIADB_ROOT_PASSWORD"],
        charset="utf8mb4",
    )
    created = []
    try:
        cursor = admin.cursor()
        for settings in schemas(demo):
            schema, login = settings["schema"], settings["login"]
            cursor.execute(
                f"CREATE DATABASE IF NOT EXISTS `{schema}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            cursor.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s",
                           (login, settings["password"]))  # fmt: skip
            cursor.execute(f"GRANT ALL PRIVILEGES ON `{schema}`.* TO %s@'%%'", (login,))
            created.append(schema)
        admin.commit()
    finally:
        admin.close()
    return created


def main(argv: list[str]) -> None:
    demo = "--demo" in argv
    print("schemas with grants:", ", ".join(create_schemas(demo)))


if __name__ == "__main__":
    main(sys.argv[1:])
