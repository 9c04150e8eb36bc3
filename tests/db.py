"""The tests' one way to read and write the local stack's databases."""

from __future__ import annotations


def query(which: str, sql: str, *args) -> list[tuple]:
    """Every row `sql` returns on the `which` database (sandbox, moodle, pipelines); commits."""
    from include.sandbox.stack import connect

    connection = connect(which)
    try:
        cursor = connection.cursor()
        cursor.execute(sql, args)
        rows = list(cursor.fetchall())
        connection.commit()
        return rows
    finally:
        connection.close()


def one(which: str, sql: str, *args) -> tuple | None:
    """The first row `sql` returns on the `which` database, None when it returns none."""
    rows = query(which, sql, *args)
    return rows[0] if rows else None
