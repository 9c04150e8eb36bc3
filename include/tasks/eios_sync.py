"""The task bodies `dags/eios_sync.py` wires: connectors around the pure domain.

The task layer of eios_sync (include/tasks/): it reads EIOS (EiosHook) and
Moodle's database (MoodleDbHook), calls Moodle's web services (MoodleWsHook),
keeps the watermarks, held actions and feed rejects (PipelinesDbHook) and the
run's files (the store); include/eios/ holds the pure logic it calls. Frames go
through the store as JSON; XCom carries paths and counts.

The graph: every faculty is extracted and checked on its own (mapped), then one
`plan_changes` plans every student once across all faculties (a student listed by
two faculties is resolved by include/eios/resolve.py), then each faculty is
guarded and applied on its own (mapped), so the mass-graduation guard still
judges each faculty's own share.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import task

from include.config import EiosSyncSettings, SettingsError
from include.dag_defaults import HEAVY_TIMEOUT
from include.eios.answers import (
    created_errors,
    member_add_errors,
    member_readback_errors,
    no_row_errors,
    record_readback_errors,
    user_update_errors,
)
from include.eios.batching import send_in_batches
from include.eios.feed import FEED, student_key
from include.eios.guard import mass_graduation_guard
from include.eios.history import HEADER, expired_files, history_file_name, history_rows
from include.eios.plan import KINDS, plan_sync
from include.eios.quality import (
    COLUMNS,
    check_extract,
    moodle_refusals,
    parse_changed_at,
    reject_summary,
)
from include.eios.resolve import claimed_by, resolve_feeds
from include.eios.usernames import render_username
from include.feed_rejects import open_rejects_text

log = logging.getLogger(__name__)

DAG_ID = "eios_sync"
REJECT_HEADER = [*COLUMNS, "key", "field", "reason"]  # the rejects file's columns
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


# --- the store ---------------------------------------------------------------


def _store(*parts: str):
    from include.storage import store_path

    return store_path(DAG_ID, *parts)


def _write_json(path, value) -> str:
    with path.open("w") as handle:
        json.dump(value, handle, ensure_ascii=False, default=str)
    return str(path)


def _read_json(path_text: str):
    from include.storage import stored_path

    with stored_path(path_text).open("r") as handle:
        return json.load(handle)


def _work(run: dict, faculty_id: str, name: str):
    """Staged frames of one run: `work/<stamp>_<run id>/<faculty>/<name>.json` (the stamp
    lets prune_history remove them with the history: they hold names and e-mails)."""
    return _store("work", f"{run['stamp']}_{run['key']}", faculty_id, f"{name}.json")


# --- database hooks ------------------------------------------------------------


def _pipelines_db():
    from include.connectors.pipelines_db import PipelinesDbHook

    return PipelinesDbHook()


def _moodle_db():
    from include.connectors.moodle_db import MoodleDbHook

    return MoodleDbHook()


# --- settings and faculties --------------------------------------------------


def settings_from(value: dict) -> EiosSyncSettings:
    from include.tasks.settings import settings_of

    return settings_of(EiosSyncSettings, value)


@task(retries=0)
def resolve_settings(params: dict | None = None, dag_run=None) -> dict:
    """The Variable plus run-param overrides, validated once; and the run's identity for
    its files (so eios keeps its own body rather than include/tasks/settings.py's: it also
    stamps the run). Later tasks read `config["settings"]`, never the Variable."""
    from include.config import load_settings

    params = dict(params or {})
    settings = load_settings(EiosSyncSettings, DAG_ID, params)
    started = (dag_run.start_date or datetime.now(UTC)).astimezone(UTC)
    rescan = params.get("rescan_from")
    if rescan:
        try:
            datetime.fromisoformat(str(rescan))
        except ValueError:
            raise SettingsError(f"rescan_from: not a date: {rescan!r}") from None
    return {
        "settings": settings.model_dump(mode="json"),
        "run": {
            "run_id": dag_run.run_id,
            "key": re.sub(r"[^A-Za-z0-9_.-]+", "_", dag_run.run_id),
            "stamp": started.strftime("%Y-%m-%d_%H-%M-%S"),
            "time": started.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "confirm": [str(f) for f in params.get("confirm_mass_graduation") or []],
        "rescan_from": str(rescan) if rescan else None,
    }


@task  # a SettingsError here fails at once (AirflowFailException, no retry)
def list_faculties(config: dict) -> list[dict]:
    """One entry per faculty to scan, with its lower bound of `changed_at`."""
    from include.connectors.eios import EiosHook

    settings = settings_from(config["settings"])
    known = {str(f["id"]): f["name"] for f in EiosHook().faculties()}
    wanted = [str(f) for f in settings.faculties] or sorted(known)
    unknown = sorted(set(wanted) - set(known))
    from airflow.sdk.exceptions import AirflowFailException

    if unknown:  # a bad setting: fail at once, no retry
        raise AirflowFailException(str(SettingsError(f"faculties: not in EIOS: {unknown}")))
    not_scanned = sorted(set(config["confirm"]) - set(wanted))
    if not_scanned:
        raise AirflowFailException(
            str(SettingsError(f"confirm_mass_graduation: faculties not scanned: {not_scanned}"))
        )
    hook = _pipelines_db()
    try:
        marks = hook.read_frame(hook.query("eios_read_watermarks"))
    finally:
        hook.close()
    watermarks = {r.faculty_id: r.watermark for r in marks.itertuples()}
    faculties = []
    for faculty_id in wanted:
        if config["rescan_from"]:
            lower = config["rescan_from"]
        elif watermarks.get(faculty_id) is not None:
            lower = watermarks[faculty_id].isoformat()
        elif settings.scan_from:
            lower = settings.scan_from.isoformat()
        else:
            lower = None
        faculties.append(
            {
                "id": faculty_id,
                "name": known[faculty_id],
                "lower_bound": lower,
                "confirmed": faculty_id in config["confirm"],
            }
        )
    return faculties


# --- one faculty's branch ----------------------------------------------------


@task
def extract_students(faculty: dict, config: dict) -> dict:
    """The faculty's whole roster from EIOS, staged in the store.

    The whole roster, not only rows changed since the watermark: "missing in
    EIOS" and the empty-feed guard need it; the watermark selects what is planned."""
    from include.connectors.eios import EiosHook

    settings = settings_from(config["settings"])
    # retries and back-off: the hook's policy (the connection's extra may set it)
    hook = EiosHook(page_size=settings.eios_page_size, max_pages=settings.eios_max_pages)
    items = hook.students(faculty["id"])
    path = _write_json(_work(config["run"], faculty["id"], "extract"), items)
    log.info("EIOS faculty %s: %d students", faculty["id"], len(items))
    return {**faculty, "extract": path, "rows": len(items)}


@task  # retried: it writes feed_reject; a failed gate does not retry (below)
def check_quality(extracted: dict, config: dict) -> dict:
    """The schema, then the row rules → rejects file and `feed_reject`; above the reject
    share the faculty fails loudly; a GX suite on the accepted rows. A failed gate fails
    the task at once (no retry: a retry would give the same answer)."""
    from airflow.sdk.exceptions import AirflowFailException

    from include.quality import DataQualityError

    try:
        return _check_quality(extracted, config)
    except DataQualityError as exc:
        raise AirflowFailException(str(exc)) from exc


def _check_quality(extracted: dict, config: dict) -> dict:
    import pandas as pd

    from include.eios.quality import accepted_expectations
    from include.feed_rejects import open_rejects, record_rejects, seen_now
    from include.quality import DataQualityError, check_frame, require

    settings = settings_from(config["settings"])
    items = _read_json(extracted["extract"])
    now = datetime.now(UTC).replace(tzinfo=None)
    accepted, rejects = check_extract(
        items, extracted["id"], settings.group_code_pattern, settings.username_template, now
    )
    rejects_path = _write_rejects(config, extracted["id"], rejects) if rejects else None
    # once per key in feed_reject; a key of this faculty sent valid (or no longer sent:
    # the extract is the whole roster) is resolved
    db = _pipelines_db()
    try:
        was_open = {
            str(r.record_key)
            for r in db.read_frame(
                db.query("feed_reject_open_in_scope"),
                {"feed": FEED, "scope_pattern": extracted["id"]},
            ).itertuples(index=False)
            if str(r.scope) == extracted["id"]
        }
        with db.transaction() as cursor:
            recorded = record_rejects(
                db,
                cursor,
                FEED,
                [{"key": r["key"], "field": r["field"], "reason": r["reason"]} for r in rejects],
                config["run"]["run_id"],
                seen_now(),
                scope=extracted["id"],
                resolved_keys=[student_key(extracted["id"], row) for row in accepted],
            )
        still_open = open_rejects(db, FEED).get(FEED, 0)
    finally:
        db.close()
    summary = reject_summary(rejects, len(items), extracted["id"])
    if items and 100 * len(rejects) / len(items) > settings.reject_share_max_pct:
        raise DataQualityError(
            f"{summary}; more than {settings.reject_share_max_pct:g} % rejected, the faculty is "
            f"not synced in this run. Rejects: {rejects_path}"
        )
    if accepted:
        frame = pd.DataFrame(accepted)
        frame["username"] = [render_username(settings.username_template, i) for i in accepted]
        require(check_frame(frame, accepted_expectations(), f"eios_{extracted['id']}"))
    path = _write_json(_work(config["run"], extracted["id"], "accepted"), accepted)
    log.info(summary)
    return {
        **extracted,
        "accepted": path,
        "accepted_rows": len(accepted),
        "rejected_rows": len(rejects),
        "rejects_recorded": recorded,
        # rejected before, valid now: planned even below the watermark (see plan_sync)
        "fixed_ids": [
            str(row["student_id"])
            for row in accepted
            if student_key(extracted["id"], row) in was_open
        ],
        "open_feed_rejects": still_open,
        "rejects": rejects_path,
    }


def _write_rejects(config: dict, faculty_id: str, rejects: list[dict]) -> str:
    """The faculty's rejects file of this run, with `rejects` added to what it holds."""
    import csv
    import io

    from include.storage import write_csv

    path = _store("rejects", config["run"]["stamp"], f"{faculty_id}.csv")
    rows = []
    if path.exists():
        rows = [list(r.values()) for r in csv.DictReader(io.StringIO(path.read_text()))]
    rows += [[_cell(r.get(c)) for c in REJECT_HEADER] for r in rejects]
    write_csv(path, REJECT_HEADER, rows)
    return str(path)


def _cell(value) -> str:
    return "" if value is None else str(value)


def _roster_ids(extract_path: str) -> set[str]:
    """Every student id a faculty's extract lists (rejected rows too), as text."""
    ids = set()
    for item in _read_json(extract_path):
        if isinstance(item, dict) and isinstance(item.get("student_id"), str | int):
            ids.add(str(item["student_id"]).strip())
    return ids


@task(trigger_rule="all_done")  # a faculty that failed its check stops no other
def plan_changes(config: dict | None, faculties: list[dict] | None, checked) -> list[dict]:
    """One plan for every faculty: each student planned once across all faculties.

    Reads every checked faculty's accepted rows and Moodle's current state (one read
    of each), resolves a student listed by several faculties to one row (the latest
    `changed_at`; on a tie `studying` beats a leaving status: include/eios/resolve.py),
    sends the rows Moodle would refuse given its state (a new user without an e-mail;
    an e-mail another account uses while `allow_accounts_same_email` is off) to the
    rejects file, and diffs each faculty's winning rows against Moodle. A student also
    listed by a faculty that failed its check in this run is not planned (its other
    row might be the winning one); that faculty's watermark stays, so the next run
    plans it. Returns one entry per checked faculty for the mapped apply branches."""
    from airflow.sdk.exceptions import AirflowSkipException

    from include.dag_defaults import mapped_results

    if config is None or faculties is None:
        raise AirflowSkipException("resolve_settings or list_faculties failed: nothing to plan")
    # one mapped branch may arrive as its value rather than a sequence
    checked = [checked] if isinstance(checked, dict) else mapped_results(checked)
    settings = settings_from(config["settings"])
    done = {c["id"]: c for c in checked if c}
    accepted = {fid: _read_json(c["accepted"]) for fid, c in sorted(done.items())}
    rosters = {fid: _roster_ids(c["extract"]) for fid, c in done.items()}
    blocked: set[str] = set()
    for faculty in faculties:  # extracted but not checked: its rows are unknown
        if faculty["id"] in done:
            continue
        extract = _work(config["run"], faculty["id"], "extract")
        if extract.exists():
            blocked |= _roster_ids(str(extract))
    all_ids = set().union(*rosters.values(), blocked) if rosters or blocked else set()

    hook = _moodle_db()
    try:
        users = hook.read_frame("eios_users", {}).to_dict("records")
        memberships = hook.read_frame("eios_group_cohorts", {}).to_dict("records")
        emails = (
            []
            if settings.allow_accounts_same_email
            else hook.read_frame("eios_user_emails", {}).to_dict("records")
        )
    finally:
        hook.close()
    for row in memberships:
        row["userid"] = (
            None if row["userid"] != row["userid"] or row["userid"] is None else int(row["userid"])
        )

    winners, superseded = resolve_feeds(accepted)
    moved = sum(len(rows) for rows in superseded.values())
    if moved:
        log.info("%d rows superseded by another faculty's row of the same student", moved)
    owner = claimed_by(rosters, winners)
    # every row's faculty_id is its feed's (a row rule): refusals are grouped by it
    kept, refused = moodle_refusals(
        [row for rows in winners.values() for row in rows],
        users,
        emails,
        settings.allow_accounts_same_email,
    )
    results = []
    for faculty_id, entry in sorted(done.items()):
        results.append(
            _plan_faculty(
                config,
                settings,
                entry,
                [r for r in kept if str(r["faculty_id"]) == faculty_id],
                [
                    {**r, "key": student_key(faculty_id, r), "field": "email"}
                    for r in refused
                    if str(r["faculty_id"]) == faculty_id
                ],
                superseded[faculty_id],
                SharedState(all_ids, owner, blocked, users, memberships),
            )
        )
    return results


@dataclass(frozen=True)
class SharedState:
    """What every faculty's plan shares: the run's rosters and Moodle's state."""

    all_ids: set[str]  # every student id of every extract
    owner: dict[str, str]  # student id → the faculty planning the student
    blocked: set[str]  # ids listed by a faculty that failed its check
    users: list[dict]
    memberships: list[dict]


def _plan_faculty(
    config: dict,
    settings: EiosSyncSettings,
    checked: dict,
    accepted: list[dict],
    refused: list[dict],
    superseded: list[dict],
    shared: SharedState,
) -> dict:
    """One faculty's part of the plan, staged in the store."""
    rejects_path = checked["rejects"]
    if refused:
        rejects_path = _write_rejects(config, checked["id"], refused)
        log.warning(
            "faculty %s: %d rows Moodle would refuse, in the rejects file: %s",
            checked["id"],
            len(refused),
            reject_summary(refused, len(refused), checked["id"]).split(": ", 2)[-1],
        )
    lower = parse_changed_at(checked["lower_bound"]) if checked["lower_bound"] else None
    plan = plan_sync(
        accepted,
        shared.all_ids,
        shared.users,
        shared.memberships,
        faculty_id=checked["id"],
        faculty_name=checked["name"],
        lower_bound=lower,
        username_template=settings.username_template,
        auth=settings.auth,
        on_leave=settings.on_leave,
        limit=settings.per_faculty_limit,
        owner=shared.owner,
        superseded=superseded,
        blocked_ids=shared.blocked,
        fixed_ids=set(checked.get("fixed_ids") or ()),
    )
    path = _write_json(
        _work(config["run"], checked["id"], "plan"),
        {"actions": plan.actions, "missing": plan.missing},
    )
    counts: dict[str, int] = {}
    for action in plan.actions:
        counts[action["kind"]] = counts.get(action["kind"], 0) + 1
    log.info(
        "faculty %s plan: %s, %d missing in EIOS, %d rows superseded by another faculty",
        checked["id"],
        counts,
        len(plan.missing),
        len(superseded),
    )
    return {
        **checked,
        "rejects": rejects_path,
        "rejected_rows": checked["rejected_rows"] + len(refused),
        "plan": path,
        "planned": counts,
        "missing": len(plan.missing),
        "superseded": len(superseded),
        "deferred_students": plan.deferred_students,
        "active_in_moodle": plan.active_in_moodle,
        "leaving": plan.leaving,
        "watermark": plan.watermark,
    }


@task(retries=0)
def check_mass_graduation(planned: dict, config: dict) -> dict:
    settings = settings_from(config["settings"])
    decision = mass_graduation_guard(
        planned["id"],
        leaving=planned["leaving"],
        active=planned["active_in_moodle"],
        feed_size=planned["rows"],
        threshold_pct=settings.mass_graduation_threshold_pct,
        min_active=settings.guard_min_active_students,
        confirmed=planned["confirmed"],
    )
    log.log(logging.WARNING if decision.held else logging.INFO, "guard: %s", decision.reason)
    return {
        **planned,
        "held": decision.held,
        "empty_feed_held": decision.held and planned["rows"] == 0,
        "guard_reason": decision.reason,
        "share_pct": round(decision.share_pct, 1),
    }


# --- apply -------------------------------------------------------------------


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
        rows = db.read_frame("eios_readback_users", {"user_ids": ids}).to_dict("records")
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
) -> tuple[list[dict], int]:
    """Apply in the order of KINDS, batched by items and form fields; returns (actions
    with `result`, calls). A row is `applied` only when Moodle's answer or, for calls
    that answer nothing per row, one read-back query per batch says so."""
    from include.connectors.moodle_ws import (
        DEFAULT_MAX_INPUT_VARS,
        HEADER_FIELDS,
        MoodleWsHook,
        encode_php_params,
    )

    max_input_vars = max_input_vars or DEFAULT_MAX_INPUT_VARS
    hook = hook or MoodleWsHook(max_input_vars=max_input_vars)
    own_db = db is None
    db = db or _moodle_db()
    results: list[dict] = []
    not_created: set[str] = set()
    calls = 0
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
                answer = hook.call(function, {key: payloads})
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
    return results, calls


def _budget(max_input_vars: int) -> int:
    from include.connectors.moodle_ws import field_budget

    return field_budget(max_input_vars)


@task(execution_timeout=HEAVY_TIMEOUT, pool="moodle_ws")
def apply_changes(guarded: dict, config: dict) -> dict:
    """Held actions are set aside; the rest go to Moodle in batches (or are only planned)."""
    settings = settings_from(config["settings"])
    plan = _read_json(guarded["plan"])
    actions = plan["actions"]
    held = [a for a in actions if guarded["held"] and a["leaving"]]
    to_apply = [a for a in actions if not (guarded["held"] and a["leaving"])]
    results: list[dict] = []
    calls = 0
    if settings.dry_run:
        results += [{**a, "result": "planned (would be held)"} for a in held]
        results += [{**a, "result": "planned"} for a in to_apply]
    else:
        results += [{**a, "result": "held"} for a in held]
        applied, calls = apply_actions(
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
    path = _write_json(_work(config["run"], guarded["id"], "results"), results)
    tally: dict[str, int] = {}
    for row in results:
        outcome = row["result"].split(":")[0].split(" (")[0]
        tally[outcome] = tally.get(outcome, 0) + 1
    log.info("faculty %s: %s in %d web-service calls", guarded["id"], tally, calls)
    return {**guarded, "results": path, "outcomes": tally, "ws_calls": calls}


@task
def record_faculty_state(applied: dict, config: dict) -> dict:
    """Watermark and held actions (nothing in a dry run)."""
    return _record_state(applied, config)


def _record_state(applied: dict, config: dict) -> dict:
    settings = settings_from(config["settings"])
    if settings.dry_run:
        return {**applied, "watermark_saved": None}
    results = _read_json(applied["results"])
    watermark = applied["watermark"]
    pinned = [
        r["changed_at"]
        for r in results
        if r["changed_at"] and (r["result"] == "held" or r["result"].startswith("failed"))
    ]
    if pinned:  # held or failed rows are read again next run
        earliest = min(pinned, key=parse_changed_at)
        if watermark is None or parse_changed_at(earliest) < parse_changed_at(watermark):
            watermark = earliest
    if applied["empty_feed_held"]:
        watermark = None
    hook = _pipelines_db()
    run_id = config["run"]["run_id"]
    try:
        with hook.transaction() as cursor:
            if watermark is not None:
                cursor.execute(
                    hook.query("eios_upsert_watermark"),
                    {
                        "faculty_id": applied["id"],
                        "watermark": parse_changed_at(watermark),
                        "run_id": run_id,
                    },
                )
            if applied["held"]:
                # name and EIOS status as staged, for the confirm page (migration 070)
                accepted = _read_json(applied["accepted"]) if applied.get("accepted") else []
                staged = {str(s.get("student_id")): s for s in accepted}
                for row in results:
                    if row["result"] != "held":
                        continue
                    student = staged.get(str(row.get("student_id") or ""), {})
                    names = (student.get(k) for k in ("last_name", "first_name", "middle_name"))
                    cursor.execute(
                        hook.query("eios_hold_action"),
                        {
                            "faculty_id": applied["id"],
                            "faculty_name": str(applied.get("name") or "")[:200],
                            "kind": row["kind"],
                            "student_id": row.get("student_id") or "",
                            "cohort_idnumber": row.get("cohort_idnumber") or "",
                            "username": row.get("username") or "",
                            "student_name": " ".join(str(n).strip() for n in names if n)[:300],
                            "eios_status": str(student.get("status") or "")[:32],
                            "old": str(row.get("old", ""))[:500],
                            "new": str(row.get("new", ""))[:500],
                            "changed_at": row.get("changed_at") or "",
                            "reason": applied["guard_reason"][:500],
                            "run_id": run_id,
                        },
                    )
            else:
                cursor.execute(
                    hook.query("eios_close_held_actions"),
                    {
                        "faculty_id": applied["id"],
                        "status": "released" if applied["confirmed"] else "resolved",
                        "run_id": run_id,
                    },
                )
    finally:
        hook.close()
    return {**applied, "watermark_saved": watermark}


# --- a person releases held faculties (human-in-the-loop) ---------------------------

HELD_LIST_PATH = "/lms-pipelines/eios/confirm"  # plugins/lms_pipelines: the held list


@task(trigger_rule="all_done", retries=0)
def check_held_faculties(config: dict | None, finished) -> list[dict]:
    """The faculties the guard held in this run, one entry each for the question; an
    empty list (nothing held, a dry run, settings that failed): the question skips."""
    from include.dag_defaults import mapped_results

    if config is None or settings_from(config["settings"]).dry_run:
        return []
    results = [finished] if isinstance(finished, dict) else mapped_results(finished)
    held = [
        {
            "id": r["id"],
            "name": r.get("name") or "",
            "held_actions": r.get("outcomes", {}).get("held", 0),
            "leaving": r.get("leaving", 0),
            "active": r.get("active_in_moodle", 0),
            "share_pct": r.get("share_pct", 0),
            "reason": r.get("guard_reason", ""),
            "state": r,
        }
        for r in results
        if r and r.get("held")
    ]
    log.info("held faculties: %s", ", ".join(f["id"] for f in held) or "none")
    return held


def _when_text(moment) -> str:
    """The answer's time as `YYYY-MM-DD HH:MM UTC` (XCom may give a datetime or text)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if not isinstance(moment, datetime):
        return "unknown time"
    if moment.tzinfo:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class DecideHeldFaculties(HITLOperator):
    """The question in Airflow's "Required actions": one option per held faculty,
    `multiple`, no default (a timeout keeps every faculty held). The options, the body
    and the response timeout (setting `approval_timeout_hours`) are only known when the
    run gets here: read from `check_held_faculties` and `resolve_settings`' XCom, in
    `execute` and again in `execute_complete` (a new process checks the answer)."""

    PENDING = "(the held faculties, listed when the task runs)"

    def __init__(
        self,
        *,
        held_task_id: str = "check_held_faculties",
        settings_task_id: str = "resolve_settings",
        **kwargs,
    ) -> None:
        from include.eios.approval import SUBJECT

        default_hours = EiosSyncSettings.model_fields["approval_timeout_hours"].default
        kwargs.setdefault("subject", SUBJECT)
        kwargs.setdefault("response_timeout", timedelta(hours=default_hours))
        super().__init__(options=[self.PENDING], multiple=True, defaults=None, **kwargs)
        self.held_task_id = held_task_id
        self.settings_task_id = settings_task_id

    def _ask_about(self, context) -> None:
        from include.eios.approval import approval_body
        from include.notifications import ui_base_url

        ti = context["ti"]
        held = ti.xcom_pull(task_ids=self.held_task_id) or []
        if not held:  # nothing held: nobody is asked
            from airflow.sdk.exceptions import AirflowSkipException

            raise AirflowSkipException("no faculty held: nothing to decide")
        config = ti.xcom_pull(task_ids=self.settings_task_id)
        hours = settings_from(config["settings"]).approval_timeout_hours
        self.options = [str(f["id"]) for f in held]
        self.validate_options()
        self.body = approval_body(held, ui_base_url() + HELD_LIST_PATH, hours)
        self.response_timeout = timedelta(hours=hours)

    def execute(self, context):
        self._ask_about(context)
        return super().execute(context)

    def execute_complete(self, context, event):
        self._ask_about(context)
        return super().execute_complete(context, event)


@task(trigger_rule="all_done", execution_timeout=HEAVY_TIMEOUT, pool="moodle_ws")
def apply_approved_faculties(config: dict | None, held: list[dict] | None, ti=None) -> dict:
    """Apply, in this run, the held actions of the faculties a person chose (as
    `confirm_mass_graduation` would: the held rows are applied, the watermark moves, the
    faculty's pending held actions close as `released`); the others stay held. No answer
    (a timeout, or no question: nothing held) applies nothing."""
    from include.eios.approval import approval_note, responder_name

    if config is None or not held:
        return {"asked": False, "answered": False, "released": [], "kept_held": []}
    # read only when asked (a skipped question has no answer to read)
    decision = ti.xcom_pull(task_ids="decide_held_faculties") if ti is not None else None
    if not decision:  # the question timed out or failed: everything stays held
        kept = [f["id"] for f in held]
        log.warning("no answer to decide_held_faculties: %s stay held", ", ".join(kept))
        return {"asked": True, "answered": False, "released": [], "kept_held": kept}
    settings = settings_from(config["settings"])
    chosen = {str(o) for o in decision.get("chosen_options") or []}
    who = responder_name(decision.get("responded_by_user"))
    when = _when_text(decision.get("responded_at"))
    note = approval_note(who, when)
    released, kept, calls = [], [], 0
    for faculty in held:
        if faculty["id"] not in chosen:
            kept.append(faculty["id"])
            continue
        state = faculty["state"]
        results = _read_json(state["results"])
        waiting = [r for r in results if r["result"] == "held" and r["kind"] != "empty_feed"]
        actions = [{k: v for k, v in r.items() if k != "result"} for r in waiting]
        applied, n = apply_actions(
            actions, settings.ws_batch_size, max_input_vars=settings.ws_max_input_vars
        )
        calls += n
        rows = [r for r in results if r["result"] != "held"]
        rows += [{**a, "result": f"{a['result']} {note}"} for a in applied]
        rows += [
            {**r, "result": f"released {note}"}
            for r in results
            if r["result"] == "held" and r["kind"] == "empty_feed"
        ]
        path = _write_json(_work(config["run"], faculty["id"], "results"), rows)
        _record_state(
            {**state, "results": path, "held": False, "empty_feed_held": False, "confirmed": True},
            config,
        )
        released.append(faculty["id"])
    log.info(
        "approved by %s at %s: released %s (%d web-service calls); still held: %s",
        who,
        when,
        ", ".join(released) or "none",
        calls,
        ", ".join(kept) or "none",
    )
    return {
        "asked": True,
        "answered": True,
        "ws_calls": calls,
        "released": released,
        "kept_held": kept,
        "approved_by": who,
        "approved_at": when,
    }


# --- the run as a whole --------------------------------------------------------


def _require_config(config: dict | None) -> dict:
    from airflow.sdk.exceptions import AirflowSkipException

    if config is None:
        raise AirflowSkipException("resolve_settings failed: nothing ran")
    return config


@task(trigger_rule="all_done")
def record_history(config: dict | None) -> dict:
    """The run's history CSV from every faculty that got as far as apply."""
    from include.storage import write_csv

    config = _require_config(config)

    run = config["run"]
    work = _store("work", f"{run['stamp']}_{run['key']}", "x").parent
    rows: list[list[str]] = []
    outcomes: dict[str, int] = {}
    faculties = []
    for folder in sorted(p for p in work.iterdir() if p.is_dir()):
        results_file = folder / "results.json"
        if not results_file.exists():
            continue
        faculties.append(folder.name)
        results = _read_json(str(results_file))
        rows += history_rows(run["time"], folder.name, results)
        for row in results:
            outcome = row["result"].split(":")[0].split(" (")[0]
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    started = datetime.strptime(run["stamp"], "%Y-%m-%d_%H-%M-%S")
    path = _store("history", history_file_name(started))
    write_csv(path, HEADER, rows)
    return {"history": str(path), "rows": len(rows), "outcomes": outcomes, "faculties": faculties}


@task(trigger_rule="all_done")
def prune_history(config: dict | None, now: datetime | None = None) -> dict:
    """Remove history CSVs, rejects and staged work files older than the retention."""
    config = _require_config(config)
    settings = settings_from(config["settings"])
    now = now or datetime.now(UTC).replace(tzinfo=None)
    history = _store("history", "x").parent
    names = [p.name for p in history.iterdir()] if history.exists() else []
    removed = expired_files(names, now, settings.history_retention_days)
    for name in removed:
        (history / name).unlink()
    rejects = _store("rejects", "x").parent
    for folder in list(rejects.iterdir()) if rejects.exists() else []:
        if expired_files([f"{folder.name}.csv"], now, settings.history_retention_days):
            for file in folder.iterdir():
                file.unlink()
            folder.rmdir()
    work = _store("work", "x").parent
    for folder in list(work.iterdir()) if work.exists() else []:
        if expired_files([f"{folder.name[:19]}.csv"], now, settings.history_retention_days):
            folder.fs.rm(folder.path, recursive=True)
    log.info(
        "history: removed %d file(s) older than %d days",
        len(removed),
        settings.history_retention_days,
    )
    return {"removed": removed, "kept": len(names) - len(removed)}


def _open_feed_rejects() -> dict[str, int]:
    """EIOS rows still rejected (open in `feed_reject`): reported until EIOS fixes them."""
    from include.feed_rejects import open_rejects

    hook = _pipelines_db()
    try:
        return {k: v for k, v in open_rejects(hook, FEED).items() if v}
    finally:
        hook.close()


def pending_held_actions() -> list[dict]:
    hook = _pipelines_db()
    try:
        return hook.read_frame(hook.query("eios_pending_held_actions")).to_dict("records")
    finally:
        hook.close()


@task(trigger_rule="all_done")
def report_run(
    config: dict | None,
    history: dict | None,
    faculties: list[dict] | None,
    approval: dict | None = None,
    dag_run=None,
    logical_date=None,
) -> dict:
    """The run's report row; status `held` or `failed` when anything was held or failed;
    who released which held faculties, and when (`apply_approved_faculties`).
    (`dag_run` and `logical_date`: the run's clock, passed in by Airflow.)"""
    from airflow.sdk.exceptions import AirflowFailException

    if config is None or faculties is None:
        raise AirflowFailException(
            "eios_sync did not run: resolve_settings or list_faculties failed (see its log: "
            "the message names the bad setting)"
        )

    outcomes = history.get("outcomes", {}) if history else {}
    pending = pending_held_actions()
    open_feed_rejects = _open_feed_rejects()
    held = outcomes.get("held", 0)
    failed = outcomes.get("failed", 0)
    dry_run = settings_from(config["settings"]).dry_run
    synced = history.get("faculties", []) if history else []
    not_synced = sorted({f["id"] for f in faculties or []} - set(synced))
    counts = {
        "faculties_synced": len(synced),
        "faculties_not_synced": not_synced,
        **outcomes,
        "held_pending_total": len(pending),
        "open_feed_rejects": sum(open_feed_rejects.values()),
        **_approval_counts(approval),
    }
    status = "held" if held else ("failed" if failed or not_synced else "success")
    from include.reporting import plural

    summary = (
        f"{'DRY RUN: ' if dry_run else ''}{plural(outcomes.get('applied', 0), 'change')} applied, "
        f"{outcomes.get('planned', 0)} planned, {held} held, {failed} failed, "
        f"{outcomes.get('reported', 0)} missing in EIOS"
        + (f"; NOT SYNCED (see check_quality): {', '.join(not_synced)}" if not_synced else "")
        + (f"; {open_rejects_text(open_feed_rejects)}" if open_feed_rejects else "")
        + _approval_text(approval)
    )
    outputs = {"history_csv": history.get("history") if history else None}
    from include.reporting import record_run_report

    run = {"dag_run": dag_run, "logical_date": logical_date}
    return record_run_report(run, summary, counts, outputs, status=status)


def _approval_counts(approval: dict | None) -> dict:
    if not approval or not approval.get("asked"):
        return {"approval": "not asked"}
    if not approval.get("answered"):
        return {"approval": "no answer", "kept_held": approval.get("kept_held", [])}
    return {
        "approval": "answered",
        "approved_by": approval.get("approved_by"),
        "approved_at": approval.get("approved_at"),
        "released": approval.get("released", []),
        "kept_held": approval.get("kept_held", []),
    }


def _approval_text(approval: dict | None) -> str:
    if not approval or not approval.get("asked"):
        return ""
    if not approval.get("answered"):
        return "; approval: NO ANSWER (decide_held_faculties), every held faculty stays held"
    released = ", ".join(approval.get("released") or []) or "none"
    kept = ", ".join(approval.get("kept_held") or []) or "none"
    return (
        f"; approved by {approval.get('approved_by')} at {approval.get('approved_at')}: "
        f"released {released}; still held {kept}"
    )


@task(retries=0)
def verify_nothing_held(report: dict) -> None:
    """Fail visibly when rows failed, a faculty was not synced, or the guard held actions
    nobody decided on (the question timed out or was not asked). Faculties a person chose
    to keep held are a decision, not a failure: logged, and asked again next run."""
    from airflow.sdk.exceptions import AirflowFailException

    counts = report["counts"]
    held, failed = counts.get("held", 0), counts.get("failed", 0)
    not_synced = counts.get("faculties_not_synced") or []
    if held and counts.get("approval") == "answered":
        log.warning(
            "%d leaving action(s) stay held by decision of %s (faculties %s); the next run "
            "asks again",
            held,
            counts.get("approved_by"),
            ", ".join(counts.get("kept_held") or []) or "none",
        )
        held = 0
    if held or failed or not_synced:
        parts = []
        if held:
            parts.append(
                f"HELD: {held} leaving action(s) held by the mass-graduation guard and no "
                "answer to decide_held_faculties (Airflow's Required actions; table "
                "eios_held_action); the next run asks again, or the param "
                "confirm_mass_graduation releases a faculty"
            )
        if failed:
            parts.append(f"FAILED: {failed} action(s) failed; the next run retries them")
        if not_synced:
            parts.append(
                f"NOT SYNCED: faculties {', '.join(not_synced)} (quality gate or a failed task)"
            )
        raise AirflowFailException(
            "eios_sync ended visibly held: "
            + "; ".join(parts)
            + ". History CSV: "
            + str(report["outputs"].get("history_csv"))
        )
