"""The REST endpoint, as Moodle's `webservice/rest/server.php` answers it."""

from __future__ import annotations

import os
import re
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from include.sandbox import faults
from include.sandbox.database import transaction
from include.sandbox.moodle_ws import (  # noqa: F401  (register functions)
    categories,
    cohorts,
    courses,
    modules,
    site,
    users,
)
from include.sandbox.moodle_ws.registry import (
    FUNCTIONS,
    MoodleException,
    invalid_parameter,
    recorded_functions,
)

router = APIRouter()
# PHP's max_input_vars on the recorded Moodle (Moodle requires at least 5000).
DEFAULT_MAX_INPUT_VARS = 5000
_KEY = re.compile(r"[^\[\]]+|\[([^\]]*)\]")


def decode_php_params(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """`users[0][username]=x` → {"users": [{"username": "x"}]} (numeric keys become lists)."""
    root: dict = {}
    for name, value in fields:
        parts = [m.group(1) if m.group(1) is not None else m.group(0) for m in _KEY.finditer(name)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _exception(exception: str, errorcode: str, message: str) -> JSONResponse:
    return JSONResponse({"exception": exception, "errorcode": errorcode, "message": message})


def max_input_vars() -> int:
    return int(os.environ.get("SANDBOX_MOODLE_MAX_INPUT_VARS", DEFAULT_MAX_INPUT_VARS))


def php_input_vars(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What PHP passes on of one request's fields: the first max_input_vars + 1, silently.

    Observed on PHP 8.2 with max_input_vars = 5000: 5001 fields arrive, the rest are
    dropped with only a warning in the web server's log (PHP counts a field after
    storing it and stops when the count exceeds the setting).
    """
    return fields[: max_input_vars() + 1]


@router.api_route("/moodle/webservice/rest/server.php", methods=["GET", "POST"])
async def rest_server(request: Request):
    form = await request.form(max_fields=10**6) if request.method == "POST" else None
    fields = php_input_vars(list(form.multi_items())) if form is not None else []
    fields += php_input_vars(list(request.query_params.multi_items()))
    params = decode_php_params([(k, str(v)) for k, v in fields])
    token = params.pop("wstoken", "")
    name = params.pop("wsfunction", "")
    params.pop("moodlewsrestformat", None)
    fault = faults.record_and_take("moodle", name)
    if fault:
        response = faults.fault_response(fault)
        if response is not None:
            return response
        return _exception("core\\exception\\moodle_exception", fault["errorcode"], fault["message"])
    return run_function(token, name, params)


def run_function(token: str, name: str, params: dict) -> JSONResponse:
    with transaction("moodle") as cursor:
        cursor.execute(
            "SELECT id, userid, validuntil FROM mdl_external_tokens WHERE token = %s", (token,)
        )
        row = cursor.fetchone()
    if row is None or (row["validuntil"] and row["validuntil"] < time.time()):
        return _exception(
            "core\\exception\\moodle_exception", "invalidtoken", "Invalid token - token not found"
        )
    if name not in recorded_functions():
        return _exception(
            "core\\exception\\moodle_exception",
            "notrecorded",
            f"{name} was never recorded from a real Moodle: the stand-in refuses it. Add cases"
            " for it to include/moodle_contract/ (read_cases.py, write_cases.py) and record them"
            " (python -m include.moodle_contract record).",
        )
    function = FUNCTIONS.get(name)
    if function is None:
        return _exception(
            "dml_missing_record_exception",
            "invalidrecord",
            "Can't find data record in database table external_functions.",
        )
    try:
        with transaction("moodle") as cursor:
            result = function(cursor, params)
    except MoodleException as exc:
        return JSONResponse(exc.body)
    except KeyError as exc:  # validate_parameters: a required key that did not arrive
        return JSONResponse(
            invalid_parameter(f"Missing required key in single structure: {exc.args[0]}").body
        )
    return JSONResponse(result)
