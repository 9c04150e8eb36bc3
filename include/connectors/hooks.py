"""The one place a task builds its hooks: Moodle's database, Moodle's web services and
the project DB.

Task modules (`include/tasks/<dag_id>.py`) call these instead of constructing hooks
themselves, so a hook is built the same way everywhere and a test can replace one
factory. Each returns a fresh hook that connects lazily; the caller closes it
(`close()` on the database hooks).
"""

from __future__ import annotations

from typing import Any

READ_COMMITTED = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"


def moodle_db():
    """Moodle's database (Connection `moodle_db`), read queries from `sql/moodle/`."""
    from include.connectors.moodle_db import MoodleDbHook

    return MoodleDbHook()


def pipelines_db(*, read_committed: bool = False):
    """The project DB (Connection `pipelines_db`).

    `read_committed=True`: the session's transactions read committed rows only
    (MariaDB's default is REPEATABLE READ), so mapped tasks replacing their own rows of
    one table side by side take no gap locks from each other. It opens the connection
    at once to set the level.
    """
    from include.connectors.pipelines_db import PipelinesDbHook

    hook = PipelinesDbHook()
    if read_committed:
        cursor = hook.db.cursor()
        try:
            cursor.execute(READ_COMMITTED)
        finally:
            cursor.close()
    return hook


def moodle_ws(**options: Any):
    """Moodle's web services (Connection `moodle_ws`); `options` as `MoodleWsHook` takes
    them (`backoff_seconds`, `max_input_vars`, `timeout`, `attempts`)."""
    from include.connectors.moodle_ws import MoodleWsHook

    return MoodleWsHook(**options)
