"""Database access for the sandbox's stand-ins (one connection per thread)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import MySQLdb
import MySQLdb.cursors

from include.connectors.sql_files import in_transaction
from include.sandbox.environment import connection_json, sandbox_db

_local = threading.local()


def _connect(settings: dict):
    return MySQLdb.connect(
        host=settings["host"],
        port=int(settings.get("port", 3306)),
        user=settings["login"],
        password=settings["password"],
        database=settings["schema"],
        charset="utf8mb4",
        autocommit=False,
    )


def _connection(key: str, settings_factory):
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    settings = settings_factory()
    cache_key = (key, settings["schema"], int(settings.get("port", 3306)))
    connection = connections.get(cache_key)
    if connection is None:
        connection = connections[cache_key] = _connect(settings)
    return connection


@contextmanager
def transaction(which: str = "moodle"):
    """A dict cursor in one transaction on Moodle's DB (`moodle`) or the sandbox's (`sandbox`)."""
    factory = (lambda: connection_json("moodle_db")) if which == "moodle" else sandbox_db
    connection = _connection(which, factory)
    try:
        connection.ping()
    except MySQLdb.OperationalError:
        _local.connections.clear()
        connection = _connection(which, factory)
    with in_transaction(connection, connection.cursor(MySQLdb.cursors.DictCursor)) as cursor:
        yield cursor
