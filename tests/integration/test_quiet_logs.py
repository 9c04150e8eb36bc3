"""Task logs stay readable: Great Expectations' import-time registration noise is silenced.

GX logs "Skipping registering function …" at INFO about 200 times while it is
first imported; a process imports it once, so the check runs a fresh interpreter
that records every log record at DEBUG (what `caplog` at DEBUG would see) while
it imports a suite the way a task does and runs a gate.
"""

from __future__ import annotations

import os

from include.sandbox.environment import PROJECT_ROOT
from tests.fresh_process import answer_of

NOISE = "Skipping registering function"

GATE = """
import json, logging, sys

records = []


class Capture(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())


logging.basicConfig(level=logging.DEBUG, handlers=[Capture(logging.DEBUG)])
if sys.argv[1] == "gx-first":
    import great_expectations  # noqa: F401  (before any project module: the control)

import pandas as pd

from include.eios.quality import accepted_expectations  # a suite, as a task imports it
from include.quality import check_frame

frame = pd.DataFrame(
    [{"student_id": "1", "username": "a", "group_code": "G-1"},
     {"student_id": "2", "username": "b", "group_code": "G-1"}]
)
report = check_frame(frame, accepted_expectations()[:2], "quiet_logs")
print(json.dumps({"passed": report.passed, "records": records}))
"""


def _run_gate(order: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "GX_ANALYTICS_ENABLED": "False"}
    return answer_of(GATE, order, env=env, timeout=180)


def test_a_gate_run_logs_no_gx_registration_noise():
    result = _run_gate("project-first")
    assert result["passed"]
    noise = [r for r in result["records"] if NOISE in r]
    assert noise == [], f"{len(noise)} GX registration line(s), e.g. {noise[:1]}"


def test_the_check_sees_the_noise_when_gx_is_imported_first():
    """The control: without the project's setting in force, GX does log the lines (so the
    test above would catch them; if this fails, GX dropped them and the setting can go)."""
    result = _run_gate("gx-first")
    assert sum(NOISE in r for r in result["records"]) > 50
