"""eios_sync's writes to Moodle: the planned actions sent through Moodle's web services
in batches (split on a row's error, by items and by form fields), each row `applied`
only when Moodle's answer (its warnings) or a read-back of Moodle's database says so.
Used by the apply tasks of include/tasks/eios_sync.py."""

from __future__ import annotations

import logging
import time
from typing import Any

from include.config import EiosSyncSettings
from include.eios.answers import (
    created_errors,
    member_add_errors,
    member_readback_errors,
    no_row_errors,
    record_readback_errors,
    user_update_errors,
)
from include.eios.batching import send_in_batches
from include.eios.plan import KINDS
from include.tasks.eios_state import moodle_db, read_json, record_state, work, write_json

log = logging.getLogger(__name__)

# errors that no batch split can cure: the whole task fails with Moodle's message
FATAL_CODES = {"invalidtoken", "accessexception", "webservicesnotenabled", "servicenotavailable"}
WS_FUNCTION = {
    "create_cohort": ("core_cohort_create_cohorts", "cohorts"),
    "create_user": ("core_user_create_users", "users"),
    "update_user": ("core_user_update_users", "users"),
    "unsuspend": ("core_user_update_users", "users"),
    "suspend": ("core_user_update_users", "users"),
    "remove_member": ("core_cohort_delete_cohort_members", "members"),
    "add_member": ("core_cohort_add_cohort_members", "members"),
    "archive_cohort": ("core_cohort_update_cohorts", "cohorts"),
}


def _classify(exc: Exception) -> str:
    from include.connectors.moodle_ws import MoodleWsError

    if isinstance(exc, MoodleWsError):
        return "raise" if exc.errorcode in FATAL_CODES else "split"
    return "fail"


def _describe(exc: Exception) -> str:
    from include.connectors.moodle_ws import MoodleWsError

    if isinstance(exc, MoodleWsError):
        detail = exc.debuginfo or exc.message
        return f"{exc.errorcode}: {detail}"
    return str(exc)


def _answer_errors(kind: str, payloads: list[dict], answer: Any) -> dict[int, str]:
    """What Moodle's answer says about each row (include/eios/answers.py)."""
    if kind == "add_member":
        return member_add_errors(payloads, answer)
    if kind in ("update_user", "suspend", "unsuspend"):
        return user_update_errors(payloads, answer)
    if kind == "create_user":
        return created_errors(payloads, answer, "username")
    if kind == "create_cohort":
        return created_errors(payloads, answer, "idnumber")
    # delete_cohort_members and update_cohorts answer null: a warning would name no row
    return no_row_errors(payloads, answer)


def _some(values, empty):
    """A non-empty tuple for `IN %(x)s` (MySQLdb renders a tuple as a list)."""
    return tuple(values) or (empty,)


def _read_back(kind: str, payloads: list[dict], db) -> dict[int, str] | None:
    """The batch's effect read from Moodle's database (one query), for the calls whose
    answer does not confirm each row; None for the kinds whose answer does."""
    if kind in ("add_member", "remove_member"):
        added = kind == "add_member"
        if added:
            users = [p["usertype"] for p in payloads]
            params = {
                "cohort_ids": (-1,),
                "cohort_idnumbers": _some({str(p["cohorttype"]["value"]) for p in payloads}, ""),
                "user_ids": _some({int(u["value"]) for u in users if u["type"] == "id"}, -1),
                "usernames": _some({str(u["value"]) for u in users if u["type"] != "id"}, ""),
            }
        else:
            params = {
                "cohort_ids": _some({int(p["cohortid"]) for p in payloads}, -1),
                "cohort_idnumbers": ("",),
                "user_ids": _some({int(p["userid"]) for p in payloads}, -1),
                "usernames": ("",),
            }
        rows = db.read_frame("eios_readback_members", params).to_dict("records")
        return member_readback_errors(payloads, rows, added=added)
    if kind in ("update_user", "suspend", "unsuspend"):
        ids = _some({int(p["id"]) for p in payloads}, -1)
        nothing = (None,)  # the users query's other lists: `IN (NULL)` matches nothing
        params = {"user_ids": ids, "student_ids": nothing, "departments": nothing}
        rows = db.read_frame("eios_users", {**params, "emails": nothing}).to_dict("records")
        return record_readback_errors(payloads, rows)
    if kind == "archive_cohort":
        ids = _some({int(p["id"]) for p in payloads}, -1)
        rows = db.read_frame("eios_readback_cohorts", {"cohort_ids": ids}).to_dict("records")
        return record_readback_errors(payloads, rows, ignore=("categorytype",))
    return None


def apply_actions(
    actions: list[dict],
    batch_size: int,
    hook=None,
    db=None,
    max_input_vars: int | None = None,
) -> tuple[list[dict], int, float]:
    """Apply in the order of KINDS, batched by items and form fields; returns (actions
    with `result`, calls, seconds spent waiting on Moodle's answers). A row is `applied` only when Moodle's answer or, for calls
    that answer nothing per row, one read-back query per batch says so."""
    from include.connectors.moodle_ws import (
        DEFAULT_MAX_INPUT_VARS,
        HEADER_FIELDS,
        MoodleWsHook,
        encode_php_params,
    )

    if not actions:
        return [], 0, 0.0
    max_input_vars = max_input_vars or DEFAULT_MAX_INPUT_VARS
    hook = hook or MoodleWsHook(max_input_vars=max_input_vars)
    own_db = db is None
    db = db or moodle_db()
    results: list[dict] = []
    not_created: set[str] = set()
    calls = 0
    moodle_seconds = [0.0]  # waiting on Moodle's answers (its own time, as seen from here)
    try:
        for kind in KINDS:
            todo = []
            for action in (a for a in actions if a["kind"] == kind):
                if kind == "add_member" and action["student_id"] in not_created:
                    results.append(
                        {**action, "result": "failed: skipped: the user was not created"}
                    )
                else:
                    todo.append(action)
            if not todo:
                continue
            function, key = WS_FUNCTION[kind]

            def send(batch: list[dict], function=function, key=key, kind=kind) -> dict[int, str]:
                payloads = [a["payload"] for a in batch]
                started = time.perf_counter()
                try:
                    answer = hook.call(function, {key: payloads})
                finally:
                    moodle_seconds[0] += time.perf_counter() - started
                errors = _answer_errors(kind, payloads, answer)
                if len(errors) < len(payloads):
                    checked = _read_back(kind, payloads, db) or {}
                    errors = {**checked, **errors}
                return errors

            sizes = [len(encode_php_params({key: [a["payload"]]})) for a in todo]
            outcome = send_in_batches(
                todo,
                send,
                batch_size,
                _classify,
                _describe,
                field_counts=sizes,
                max_fields=getattr(hook, "max_fields", None) or _budget(max_input_vars),
                fixed_fields=HEADER_FIELDS,
            )
            calls += outcome.calls
            for action, error in zip(todo, outcome.errors, strict=True):
                result = "applied" if error is None else f"failed: {error}"
                results.append({**action, "result": result})
                if error is not None and kind == "create_user":
                    not_created.add(action["student_id"])
    finally:
        if own_db:
            db.close()
    log.info("%d web-service calls, %.1f s waiting on Moodle", calls, moodle_seconds[0])
    return results, calls, moodle_seconds[0]


def _budget(max_input_vars: int) -> int:
    from include.connectors.moodle_ws import field_budget

    return field_budget(max_input_vars)


def apply_faculty(guarded: dict, config: dict, settings: EiosSyncSettings) -> dict:
    """One faculty's plan: held actions set aside, the rest sent to Moodle in batches (or
    only planned in a dry run); the results staged in the store. A faculty with nothing
    to send (`to_send` 0) makes no call and opens no connection."""
    plan = read_json(guarded["plan"])
    actions = plan["actions"]
    held = [a for a in actions if guarded["held"] and a["leaving"]]
    to_apply = [a for a in actions if not (guarded["held"] and a["leaving"])]
    results: list[dict] = []
    calls, waited = 0, 0.0
    if settings.dry_run:
        results += [{**a, "result": "planned (would be held)"} for a in held]
        results += [{**a, "result": "planned"} for a in to_apply]
    else:
        results += [{**a, "result": "held"} for a in held]
        applied, calls, waited = apply_actions(
            to_apply, settings.ws_batch_size, max_input_vars=settings.ws_max_input_vars
        )
        results += applied
    if guarded["empty_feed_held"]:
        results.append(
            {
                "kind": "empty_feed",
                "student_id": "",
                "username": "",
                "group_code": "",
                "cohort_idnumber": "",
                "changed_at": "",
                "old": f"{guarded['active_in_moodle']} active",
                "new": "",
                "leaving": True,
                "result": "planned (would be held)" if settings.dry_run else "held",
            }
        )
    results += [{**m, "result": "reported"} for m in plan["missing"]]
    path = write_json(work(config["run"], guarded["id"], "results"), results)
    tally: dict[str, int] = {}
    for row in results:
        outcome = row["result"].split(":")[0].split(" (")[0]
        tally[outcome] = tally.get(outcome, 0) + 1
    if calls:
        log.info("faculty %s: %s in %d web-service calls", guarded["id"], tally, calls)
    return {
        **guarded,
        "results": path,
        "outcomes": tally,
        "ws_calls": calls,
        "moodle_seconds": round(waited, 3),
    }


def to_send(guarded: dict, dry_run: bool) -> int:
    """How many of a guarded faculty's planned actions go to Moodle in this run."""
    if dry_run:
        return 0
    return guarded["actions"] - (guarded["leaving_actions"] if guarded["held"] else 0)


def release_faculty(state: dict, config: dict, settings: EiosSyncSettings, note: str) -> int:
    """Apply a held faculty's held actions a person chose to release (as
    `confirm_mass_graduation` would): the held rows are applied with `note`, the watermark
    moves, its pending held actions close as `released`. -> web-service calls."""
    results = read_json(state["results"])
    waiting = [r for r in results if r["result"] == "held" and r["kind"] != "empty_feed"]
    actions = [{k: v for k, v in r.items() if k != "result"} for r in waiting]
    applied, calls, _ = apply_actions(
        actions, settings.ws_batch_size, max_input_vars=settings.ws_max_input_vars
    )
    rows = [r for r in results if r["result"] != "held"]
    rows += [{**a, "result": f"{a['result']} {note}"} for a in applied]
    rows += [
        {**r, "result": f"released {note}"}
        for r in results
        if r["result"] == "held" and r["kind"] == "empty_feed"
    ]
    path = write_json(work(config["run"], state["id"], "results"), rows)
    record_state(
        {**state, "results": path, "held": False, "empty_feed_held": False, "confirmed": True},
        config,
    )
    return calls
