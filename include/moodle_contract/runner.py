"""Running the contract cases against one site and comparing with the recordings."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from include.connectors.moodle_ws import REST_ENDPOINT, MoodleWsHook, encode_php_params
from include.moodle_contract.answers import differences, normalise
from include.moodle_contract.case import Case, fill, placeholders
from include.moodle_contract.cases import CASES, FIXTURE_FUNCTIONS

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


class ContractSite(MoodleWsHook):
    """The site of a `moodle_ws` connection, answering raw: (HTTP status, JSON body)."""

    def exchange(self, wsfunction: str, params: dict, token: str | None = None) -> tuple[int, Any]:
        fields = [
            ("wstoken", self.token if token is None else token),
            ("wsfunction", wsfunction),
            ("moodlewsrestformat", "json"),
            *encode_php_params(params),
        ]
        response = self.run(
            REST_ENDPOINT,
            data=fields,
            extra_options={"timeout": self.timeout, "check_response": False},
        )
        try:
            body = response.json()
        except ValueError:
            body = {"not_json": response.text[:200]}
        return response.status_code, body


@dataclass
class Outcome:
    case: Case
    request: Any = None  # the request template (placeholders), as recorded
    answer: dict | None = None  # normalised
    skipped: str = ""
    differs: list[str] = field(default_factory=list)


def _names(ctx: dict) -> dict[str, str]:
    """The run's own values that messages may echo, to replace by placeholders."""
    return {k: str(v) for k, v in ctx.items() if isinstance(v, (str, int)) and k != "functions"}


def run_cases(
    site: ContractSite,
    write: bool = False,
    recordings: dict[str, dict] | None = None,
    tag: str | None = None,
    only_recorded: bool = False,
    db_conn_id: str = "moodle_db",
) -> list[Outcome]:
    """Run the cases in order; with `recordings`, send each recorded request and compare.

    Teardown cases run even when an earlier case raised. A case whose fixture is
    missing (an earlier case failed) or whose function the site's service lacks is
    skipped with the reason. A case's `prepare` (a fixture written through the
    `db_conn_id` connection) runs just before its request.
    """
    ctx: dict[str, Any] = {"tag": tag or "pc" + secrets.token_hex(4)}
    outcomes: list[Outcome] = []
    cases = [c for c in CASES if write or not c.write]
    if only_recorded and recordings is not None:
        cases = [c for c in cases if c.key in recordings]
    body_cases = [c for c in cases if not c.teardown]
    teardown = [c for c in cases if c.teardown]
    try:
        for case in body_cases:
            outcomes.append(_run_one(site, case, ctx, recordings, db_conn_id))
    finally:
        for case in teardown:
            outcomes.append(_run_one(site, case, ctx, recordings, db_conn_id))
    return outcomes


def _run_one(
    site: ContractSite, case: Case, ctx: dict, recordings: dict | None, db_conn_id: str
) -> Outcome:
    outcome = Outcome(case)
    missing = [k for k in case.needs if k not in ctx]
    if missing:
        outcome.skipped = f"skipped: no {', '.join(missing)} (an earlier case failed)"
        return outcome
    functions = ctx.get("functions")
    if functions and case.function in FIXTURE_FUNCTIONS and case.function not in functions:
        outcome.skipped = "skipped: not in the service (needed by the write checks only)"
        return outcome
    recorded = (recordings or {}).get(case.key)
    if recordings is not None and recorded is None:
        outcome.skipped = "skipped: no recording"
        return outcome
    if case.prepare:
        try:
            case.prepare(ctx, db_conn_id)
        except Exception as exc:  # e.g. no moodle_db connection: this case cannot run
            outcome.skipped = (
                f"skipped: its fixture could not be written through {db_conn_id}: "
                f"{type(exc).__name__}: {str(exc)[:200]}"
            )
            return outcome
    if case.generated:
        outcome.request = {"generated": case.generated}
        params = case.params(ctx)
    else:
        outcome.request = recorded["request"] if recorded else case.params(placeholders())
        params = fill(outcome.request, ctx)
    try:
        status, body = site.exchange(case.function, params, token=case.token)
    except Exception as exc:  # a transport failure is this case's result, not the run's end
        outcome.skipped = f"failed: {type(exc).__name__}: {str(exc)[:200]}"
        return outcome
    if case.save and status == 200 and not (isinstance(body, dict) and "exception" in body):
        case.save(ctx, body)
    outcome.answer = normalise(status, body, _names(ctx), case.values)
    if recorded:
        outcome.differs = differences(recorded["answer"], outcome.answer)
    return outcome


def recordings_from(directory: Path) -> dict[str, dict]:
    """`{"function/case": recorded case}` from every recording file in `directory`."""
    found: dict[str, dict] = {}
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            found[f"{document['function']}/{case['case']}"] = case
    return found


def write_recordings(outcomes: list[Outcome], directory: Path, site_info: dict) -> list[Path]:
    """One JSON file per function, its cases in the order they ran. No token in them."""
    directory.mkdir(parents=True, exist_ok=True)
    by_function: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.answer is not None:
            by_function.setdefault(outcome.case.function, []).append(outcome)
    written = []
    for function, items in by_function.items():
        document = {
            "format": FORMAT_VERSION,
            "function": function,
            "recorded_from": {
                "release": site_info.get("release"),
                "version": site_info.get("version"),
                # PHP 8 keeps max_input_vars + 1 form fields of a call, drops the rest
                "form_fields_arriving": site_info.get("form_fields_arriving"),
            },
            "cases": [
                {
                    "case": o.case.name,
                    "write": o.case.write,
                    "request": o.request,
                    "answer": o.answer,
                    **({"stand_in_simplifies": o.case.simplifies} if o.case.simplifies else {}),
                }
                for o in items
            ],
        }
        path = directory / f"{function}.json"
        path.write_text(
            json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        written.append(path)
    return written
