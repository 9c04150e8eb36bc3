"""Reading the project's SQL files (`sql/…`) and running them into pandas frames."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from typing import Any

from include.paths import SQL_DIR


@cache
def sql_text(relative_path: str) -> str:
    """The text of `sql/<relative_path>` (cached: the files do not change at run time)."""
    return (SQL_DIR / relative_path).read_text(encoding="utf-8")


@contextmanager
def in_transaction(connection, cursor):
    """`cursor` inside one transaction of its DB-API `connection`: committed on success,
    rolled back on any error, closed either way."""
    try:
        yield cursor
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        cursor.close()


def fetch_frame(connection, sql: str, params: Any = None):
    """Run a query on a DB-API connection and return a DataFrame with its column names."""
    import pandas as pd

    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(list(cursor.fetchall()), columns=columns)
    finally:
        cursor.close()
