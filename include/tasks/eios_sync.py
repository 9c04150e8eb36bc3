"""The task bodies `dags/eios_sync.py` wires: connectors around the pure domain.

The task layer of eios_sync (include/tasks/): it reads EIOS (EiosHook) and
Moodle's database (MoodleDbHook), calls Moodle's web services (MoodleWsHook),
keeps the watermarks, held actions and feed rejects (PipelinesDbHook) and the
run's files (the store); include/eios/ holds the pure logic it calls. Frames go
through the store as JSON; XCom carries paths and counts. The tasks are here; what
they do at length lives beside them: the quality gate and the plan in
include/tasks/eios_plan.py, the web-service apply and its read-back in
include/tasks/eios_apply.py, the store and the project database's state in
include/tasks/eios_state.py.

The graph: every faculty is extracted and checked on its own (mapped), then one
`plan_changes` plans every student once across all faculties (a student listed by
two faculties is resolved by include/eios/resolve.py), then each faculty is
guarded and applied on its own (mapped), so the mass-graduation guard still
judges each faculty's own share.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import task

from include.config import EiosSyncSettings, SettingsError
from include.dag_defaults import HEAVY_TIMEOUT
from include.eios.approval import held_faculties, when_text
from include.eios.guard import mass_graduation_guard
from include.tasks.eios_apply import apply_faculty, release_faculty
from include.tasks.eios_plan import check_faculty, plan_faculties
from include.tasks.eios_report import run_report, visible_problems
from include.tasks.eios_state import (
    DAG_ID,
    faculties_to_scan,
    prune_files,
    record_state,
    settings_from,
    work,
    write_history,
    write_json,
)

log = logging.getLogger(__name__)


# --- settings and faculties --------------------------------------------------


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
    return faculties_to_scan(wanted, known, config, settings.scan_from)


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
    path = write_json(work(config["run"], faculty["id"], "extract"), items)
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
        return check_faculty(extracted, config)
    except DataQualityError as exc:
        raise AirflowFailException(str(exc)) from exc


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
    return plan_faculties(config, faculties, checked)


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


@task(execution_timeout=HEAVY_TIMEOUT, pool="moodle_ws")
def apply_changes(guarded: dict, config: dict) -> dict:
    """Held actions are set aside; the rest go to Moodle in batches (or are only planned)."""
    return apply_faculty(guarded, config, settings_from(config["settings"]))


@task
def record_faculty_state(applied: dict, config: dict) -> dict:
    """Watermark and held actions (nothing in a dry run)."""
    return record_state(applied, config)


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
    held = held_faculties(results)
    log.info("held faculties: %s", ", ".join(f["id"] for f in held) or "none")
    return held


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
    when = when_text(decision.get("responded_at"))
    note = approval_note(who, when)
    released, kept, calls = [], [], 0
    for faculty in held:
        if faculty["id"] not in chosen:
            kept.append(faculty["id"])
            continue
        calls += release_faculty(faculty["state"], config, settings, note)
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
    return write_history(_require_config(config)["run"])


@task(trigger_rule="all_done")
def prune_history(config: dict | None, now: datetime | None = None) -> dict:
    """Remove history CSVs, rejects and staged work files older than the retention."""
    config = _require_config(config)
    settings = settings_from(config["settings"])
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return prune_files(now, settings.history_retention_days)


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

    dry_run = settings_from(config["settings"]).dry_run
    summary, counts, outputs, status = run_report(dry_run, history, faculties, approval)
    from include.reporting import record_run_report

    run = {"dag_run": dag_run, "logical_date": logical_date}
    return record_run_report(run, summary, counts, outputs, status=status)


@task(retries=0)
def verify_nothing_held(report: dict) -> None:
    """Fail visibly when rows failed, a faculty was not synced, or the guard held actions
    nobody decided on (the question timed out or was not asked). Faculties a person chose
    to keep held are a decision, not a failure: logged, and asked again next run."""
    from airflow.sdk.exceptions import AirflowFailException

    problems = visible_problems(report["counts"])
    if problems:
        raise AirflowFailException(
            "eios_sync ended visibly held: "
            + "; ".join(problems)
            + ". History CSV: "
            + str(report["outputs"].get("history_csv"))
        )
