"""Moodle's database (read queries from `sql/moodle/`), on the MySQL provider's hook.

Read-only but for one module that writes course modules (see
include/connectors/moodle_modules.py, added with kontur_recordings): Moodle
has no web-service function that creates a URL or Page activity.
"""

from __future__ import annotations

import re
from typing import Any

from include.connectors.mysql_base import OneConnectionMySqlHook
from include.connectors.sql_files import sql_text

_TABLE = re.compile(r"\bmdl_(?=\w)")


class MoodleDbHook(OneConnectionMySqlHook):
    """Runs the queries in `sql/moodle/*.sql` against Moodle's database.

    Queries are written with Moodle's default table prefix `mdl_`; a site with
    another prefix sets `table_prefix` in the connection's extra.
    """

    conn_name_attr = "moodle_conn_id"
    default_conn_name = "moodle_db"
    hook_name = "Moodle database"

    def __init__(self, moodle_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(moodle_conn_id=moodle_conn_id, **kwargs)  # DbApiHook reads conn_name_attr
        self.moodle_conn_id = moodle_conn_id
        self._prefix: str | None = None

    @property
    def table_prefix(self) -> str:
        if self._prefix is None:
            extra = self.get_connection(self.moodle_conn_id).extra_dejson
            self._prefix = extra.get("table_prefix", "mdl_")
        return self._prefix

    def query(self, name: str) -> str:
        """The text of `sql/moodle/<name>.sql` with the site's table prefix."""
        text = sql_text(f"moodle/{name}.sql")
        if self.table_prefix != "mdl_":
            text = _TABLE.sub(self.table_prefix, text)
        return text

    def read_frame(self, name: str, params: Any = None):
        """Run `sql/moodle/<name>.sql` and return a DataFrame."""
        return self.fetch_frame(self.query(name), params)


def expand_lists(sql: str, params: dict) -> tuple[str, dict]:
    """`IN (%(ids)s)` with a list value becomes `IN (%(ids__0)s, %(ids__1)s, …)`: one
    bound value per placeholder (SQLAlchemy's "expanding" parameters do the same; the
    SQL files keep one lintable placeholder)."""
    flat = {}
    for key, value in params.items():
        if isinstance(value, list | tuple | set | frozenset):
            values = list(value)
            if not values:
                raise ValueError(f"an empty list for %({key})s")
            names = [f"{key}__{i}" for i in range(len(values))]
            sql = sql.replace(f"%({key})s", ", ".join(f"%({n})s" for n in names))
            flat.update(zip(names, values, strict=True))
        else:
            flat[key] = value
    return sql, flat
