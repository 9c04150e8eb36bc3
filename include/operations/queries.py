"""Running the pages' SQL (`sql/state/queries/ui_*.sql`) on the project's database."""

from __future__ import annotations

import json
from typing import Any

from include.connectors.sql_files import sql_text
from include.operations.paging import Page, PageRequest, paged_sql

# MariaDB's "table doesn't exist": a pipeline whose migration is not applied yet.
NO_SUCH_TABLE = 1146


class MissingTable(LookupError):
    """A page's table does not exist (yet) in pipelines_db."""


def _run(connection, sql: str, params: dict[str, Any] | None) -> list[dict[str, Any]]:
    import MySQLdb

    cursor = connection.cursor(MySQLdb.cursors.DictCursor)
    try:
        cursor.execute(sql, params or {})
        return list(cursor.fetchall())
    except MySQLdb.ProgrammingError as error:
        if error.args and error.args[0] == NO_SUCH_TABLE:
            raise MissingTable(str(error.args[1])) from error
        raise
    finally:
        cursor.close()


def rows(connection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """All rows of `ui_<name>.sql` (for queries bounded by design: one run, one date)."""
    return [
        _decode(row) for row in _run(connection, sql_text(f"state/queries/ui_{name}.sql"), params)
    ]


def page(connection, name: str, request: PageRequest, params: dict[str, Any] | None = None) -> Page:
    """One page of `ui_<name>.sql`; never reads more than the page plus one row."""
    sql = paged_sql(sql_text(f"state/queries/ui_{name}.sql"))
    found = _run(connection, sql, {**(params or {}), **request.sql_params()})
    return Page.from_rows([_decode(row) for row in found], request)


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    """JSON columns (counts, outputs, details) arrive as text: decode them."""
    for key in ("counts", "outputs", "details"):
        value = row.get(key)
        if isinstance(value, (str, bytes)):
            try:
                row[key] = json.loads(value)
            except ValueError:
                pass
    return row
