"""Writing demo rows into Moodle's tables: ids after what is there, inserts in batches."""

from __future__ import annotations


class NextIds:
    """Next free ids per table: rows go after what Moodle (and other generators) wrote."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        self.next: dict[str, int] = {}

    def take(self, table: str, count: int = 1) -> int:
        if table not in self.next:
            self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            self.next[table] = int(self.cursor.fetchone()[0])
        first = self.next[table]
        self.next[table] += count
        return first


def insert_rows(cursor, table: str, columns: tuple, rows: list) -> None:
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])
