"""The steps `dags/eios_sync.py` calls: connectors around the pure functions.

The one module of `include/eios` that does I/O: it reads EIOS (EiosHook) and
Moodle's database (MoodleDbHook), calls Moodle's web services (MoodleWsHook),
keeps the watermarks and held actions (PipelinesDbHook) and the run's files
(the store). Frames go through the store as JSON; XCom carries paths and counts.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any

from include.config import EiosSyncSettings, SettingsError, parse_settings
from include.eios.answers import (
    created_errors,
    member_add_errors,
    member_readback_errors,
    no_row_errors,
    record_readback_errors,
    user_update_errors,
)
from include.eios.batching import send_in_batches
from include.eios.guard import mass_graduation_guard
from include.eios.history import HEADER, expired_files, history_file_name, history_rows
from include.eios.plan import KINDS, plan_sync
from include.eios.quality import (
    COLUMNS,
    moodle_refusals,
    parse_changed_at,
    reject_summary,
    split_rejects,
)
from include.eios.usernames import render_username

log = logging.getLogger(__name__)

DAG_ID = "eios_sync"
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
    return parse_settings(EiosSyncSettings, value)


def validate_settings(params: dict, dag_run) -> dict:
    """The Variable plus run-param overrides, validated; the run's identity for files."""
    from include.config import load_settings

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


def extract_students(faculty: dict, config: dict) -> dict:
    """The faculty's whole roster from EIOS, staged in the store.

    The whole roster, not only rows changed since the watermark: "missing in
    EIOS" and the empty-feed guard need it; the watermark selects what is planned."""
    from include.connectors.eios import EiosHook

    delay = float(os.environ.get("PIPELINES_RETRY_DELAY_SECONDS", "1"))
    page_size = settings_from(config["settings"]).eios_page_size
    items = EiosHook(backoff_seconds=delay, page_size=page_size).students(faculty["id"])
    path = _write_json(_work(config["run"], faculty["id"], "extract"), items)
    log.info("EIOS faculty %s: %d students", faculty["id"], len(items))
    return {**faculty, "extract": path, "rows": len(items)}


def check_quality(extracted: dict, config: dict) -> dict:
    """Row rules → rejects file; above the reject share the faculty fails loudly."""
    import pandas as pd

    from include.eios.quality import accepted_expectations
    from include.quality import DataQualityError, check_frame, require

    settings = settings_from(config["settings"])
    items = _read_json(extracted["extract"])
    now = datetime.now(UTC).replace(tzinfo=None)
    accepted, rejects = split_rejects(
        items, extracted["id"], settings.group_code_pattern, settings.username_template, now
    )
    rejects_path = _write_rejects(config, extracted["id"], rejects) if rejects else None
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
    rows += [[_cell(r.get(c)) for c in COLUMNS] + [r["reason"]] for r in rejects]
    write_csv(path, [*COLUMNS, "reason"], rows)
    return str(path)


def _cell(value) -> str:
    return "" if value is None else str(value)


def plan_changes(checked: dict, config: dict) -> dict:
    """Current Moodle state (database reads) diffed against the accepted rows.

    Rows Moodle would refuse given its state (a new user without an e-mail; an e-mail
    another account uses while `allow_accounts_same_email` is off) go to the rejects
    file here, before any call."""
    settings = settings_from(config["settings"])
    accepted = _read_json(checked["accepted"])
    roster_ids = {str(i.get("student_id")) for i in _read_json(checked["extract"])}
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
    accepted, refused = moodle_refusals(accepted, users, emails, settings.allow_accounts_same_email)
    rejects_path = checked["rejects"]
    if refused:
        rejects_path = _write_rejects(config, checked["id"], refused)
        log.warning(
            "faculty %s: %d rows Moodle would refuse, in the rejects file: %s",
            checked["id"],
            len(refused),
            reject_summary(refused, len(refused), checked["id"]).split(": ", 2)[-1],
        )
    for row in memberships:
        row["userid"] = (
            None if row["userid"] != row["userid"] or row["userid"] is None else int(row["userid"])
        )
    lower = parse_changed_at(checked["lower_bound"]) if checked["lower_bound"] else None
    plan = plan_sync(
        accepted,
        roster_ids,
        users,
        memberships,
        faculty_id=checked["id"],
        faculty_name=checked["name"],
        lower_bound=lower,
        username_template=settings.username_template,
        auth=settings.auth,
        on_leave=settings.on_leave,
        limit=settings.per_faculty_limit,
    )
    path = _write_json(
        _work(config["run"], checked["id"], "plan"),
        {"actions": plan.actions, "missing": plan.missing},
    )
    counts: dict[str, int] = {}
    for action in plan.actions:
        counts[action["kind"]] = counts.get(action["kind"], 0) + 1
    log.info("faculty %s plan: %s, %d missing in EIOS", checked["id"], counts, len(plan.missing))
    return {
        **checked,
        "rejects": rejects_path,
        "rejected_rows": checked["rejected_rows"] + len(refused),
        "plan": path,
        "planned": counts,
        "missing": len(plan.missing),
        "deferred_students": plan.deferred_students,
        "active_in_moodle": plan.active_in_moodle,
        "leaving": plan.leaving,
        "watermark": plan.watermark,
    }


def guard_mass_graduation(planned: dict, config: dict) -> dict:
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

    delay = float(os.environ.get("PIPELINES_RETRY_DELAY_SECONDS", "1"))
    max_input_vars = max_input_vars or DEFAULT_MAX_INPUT_VARS
    hook = hook or MoodleWsHook(backoff_seconds=delay, max_input_vars=max_input_vars)
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


def record_faculty_state(applied: dict, config: dict) -> dict:
    """Watermark and held actions (nothing in a dry run)."""
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
                for row in results:
                    if row["result"] != "held":
                        continue
                    cursor.execute(
                        hook.query("eios_hold_action"),
                        {
                            "faculty_id": applied["id"],
                            "kind": row["kind"],
                            "student_id": row.get("student_id") or "",
                            "cohort_idnumber": row.get("cohort_idnumber") or "",
                            "username": row.get("username") or "",
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


# --- the run as a whole --------------------------------------------------------


def _require_config(config: dict | None) -> dict:
    from airflow.sdk.exceptions import AirflowSkipException

    if config is None:
        raise AirflowSkipException("validate_settings failed: nothing ran")
    return config


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


def pending_held_actions() -> list[dict]:
    hook = _pipelines_db()
    try:
        return hook.read_frame(hook.query("eios_pending_held_actions")).to_dict("records")
    finally:
        hook.close()


def report_run(context, config: dict, history: dict, faculties: list[dict] | None) -> dict:
    """The run's report row; status `held` or `failed` when anything was held or failed."""
    from airflow.sdk.exceptions import AirflowFailException

    if config is None or faculties is None:
        raise AirflowFailException(
            "eios_sync did not run: validate_settings or list_faculties failed (see its log: "
            "the message names the bad setting)"
        )

    outcomes = history.get("outcomes", {}) if history else {}
    pending = pending_held_actions()
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
    }
    status = "held" if held else ("failed" if failed or not_synced else "success")
    from include.reporting import plural

    summary = (
        f"{'DRY RUN: ' if dry_run else ''}{plural(outcomes.get('applied', 0), 'change')} applied, "
        f"{outcomes.get('planned', 0)} planned, {held} held, {failed} failed, "
        f"{outcomes.get('reported', 0)} missing in EIOS"
        + (f"; NOT SYNCED (see check_quality): {', '.join(not_synced)}" if not_synced else "")
    )
    outputs = {"history_csv": history.get("history") if history else None}
    from include.reporting import record_run_report

    return record_run_report(context, summary, counts, outputs, status=status)


def verify_nothing_held(report: dict) -> None:
    """Fail visibly when the guard held actions or rows failed (the run ends 'held')."""
    from airflow.sdk.exceptions import AirflowFailException

    counts = report["counts"]
    held, failed = counts.get("held", 0), counts.get("failed", 0)
    not_synced = counts.get("faculties_not_synced") or []
    if held or failed or not_synced:
        parts = []
        if held:
            parts.append(
                f"HELD: {held} leaving action(s) held by the mass-graduation guard (table "
                "eios_held_action; release with the param confirm_mass_graduation)"
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
