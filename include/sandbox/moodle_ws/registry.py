"""The table of web-service functions the stand-in serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FUNCTIONS: dict[str, Callable[[Any, dict], Any]] = {}


class MoodleException(Exception):
    """Raised by a function: answered as Moodle's exception object."""

    def __init__(self, exception: str, errorcode: str, message: str, debuginfo: str | None = None):
        super().__init__(message)
        self.body = {"exception": exception, "errorcode": errorcode, "message": message}
        if debuginfo:
            self.body["debuginfo"] = debuginfo


def invalid_parameter(debuginfo: str) -> MoodleException:
    return MoodleException(
        "invalid_parameter_exception",
        "invalidparameter",
        "Invalid parameter value detected",
        debuginfo,
    )


def wsfunction(name: str):
    """Register `fn(cursor, params)` as the web-service function `name`."""

    def register(fn):
        FUNCTIONS[name] = fn
        return fn

    return register
