"""The table of web-service functions the stand-in serves."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from include.sandbox.environment import PROJECT_ROOT

FUNCTIONS: dict[str, Callable[[Any, dict], Any]] = {}
# Recorded from a real Moodle by `python -m include.moodle_contract record`.
RECORDINGS = PROJECT_ROOT / "tests" / "contract" / "recordings"


@cache
def recorded_functions() -> frozenset[str]:
    """The functions some recording from a real Moodle covers: the only ones served."""
    return frozenset(
        json.loads(path.read_text(encoding="utf-8"))["function"]
        for path in RECORDINGS.glob("*.json")
    )


class MoodleException(Exception):
    """Raised by a function: answered as Moodle's exception object."""

    def __init__(self, exception: str, errorcode: str, message: str, debuginfo: str | None = None):
        super().__init__(message)
        self.body = {"exception": exception, "errorcode": errorcode, "message": message}
        if debuginfo:
            self.body["debuginfo"] = debuginfo


def invalid_parameter(debuginfo: str) -> MoodleException:
    return MoodleException(
        "core\\exception\\invalid_parameter_exception",
        "invalidparameter",
        "Invalid parameter value detected",
        debuginfo,
    )


def missing_record(table: str) -> MoodleException:
    """Moodle's answer for an id that is not in `table` (without the `mdl_` prefix)."""
    return MoodleException(
        "dml_missing_record_exception",
        "invalidrecord",
        f"Can't find data record in database table {table}.",
    )


def wsfunction(name: str):
    """Register `fn(cursor, params)` as the web-service function `name`."""

    def register(fn):
        FUNCTIONS[name] = fn
        return fn

    return register
