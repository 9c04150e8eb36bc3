"""What the real-Moodle tests share (marker `real_moodle`, deselected by default): the
real site's two connections from REAL_MOODLE_WS / REAL_MOODLE_DB, aimed at it for one
test's runs only, and reads of its database.

    REAL_MOODLE_WS='{"conn_type": "http", "host": "http://127.0.0.1:8300", "password": "<token>"}' \\
    REAL_MOODLE_DB='{"conn_type": "mysql", "host": "127.0.0.1", "port": 3466, "schema": "moodle",
                     "login": "moodle", "password": "…", "extra": {"charset": "utf8mb4"}}' \\
    KEEP_MARIADB=1 .venv/bin/python -m pytest -m real_moodle tests/moodle -q
"""

from __future__ import annotations

import json
import os

import pytest


def _connection(name: str) -> dict:
    raw = os.environ.get(name, "").strip()
    if not raw:
        pytest.fail(
            f"{name} is not set: give the real Moodle's connection JSON (docs/eios_sync.md, "
            "'Against a real Moodle'); this module runs only with -m real_moodle",
            pytrace=False,
        )
    return json.loads(raw)


@pytest.fixture
def real_moodle(fresh_stack, store_root):
    """AIRFLOW_CONN_MOODLE_WS / _DB pointed at the real Moodle for the test's DAG runs only.

    Function-scoped and after `fresh_stack` on purpose: the sandbox's data reset recreates
    and seeds the database `moodle_db` names, which must be the tests' own, never the real
    site (a module-scoped fixture would be set up first and aim the reset at it)."""
    import tests.conftest as session

    ws, db = _connection("REAL_MOODLE_WS"), _connection("REAL_MOODLE_DB")
    session.SECRETS.update(s for s in (ws.get("password"), db.get("password")) if s)
    saved = {k: os.environ.get(k) for k in ("AIRFLOW_CONN_MOODLE_WS", "AIRFLOW_CONN_MOODLE_DB")}
    os.environ["AIRFLOW_CONN_MOODLE_WS"] = json.dumps(ws)
    os.environ["AIRFLOW_CONN_MOODLE_DB"] = json.dumps(db)
    try:
        yield db
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def moodle_rows(db: dict, sql: str, *args) -> list[tuple]:
    """A read of the real Moodle's own database (never a write)."""
    import MySQLdb

    prefix = (db.get("extra") or {}).get("table_prefix", "mdl_")
    connection = MySQLdb.connect(
        host=db["host"],
        port=int(db.get("port") or 3306),
        user=db["login"],
        password=db.get("password") or "",
        database=db["schema"],
        charset="utf8mb4",
    )
    try:
        cursor = connection.cursor()
        cursor.execute(sql.replace("mdl_", prefix), args)
        return list(cursor.fetchall())
    finally:
        connection.close()
