"""eios_sync's human-in-the-loop part: the faculties the guard held in this run, the
question a person answers in Airflow's "Required actions", and the release of the chosen
faculties in the same run. Used by include/tasks/eios_sync.py (which wires them)."""

from __future__ import annotations

import logging
from datetime import timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import task

from include.config import EiosSyncSettings
from include.dag_defaults import HEAVY_TIMEOUT
from include.eios.approval import held_faculties, when_text
from include.tasks.eios_apply import release_faculty
from include.tasks.eios_state import read_json, run_file, settings_from, write_json

log = logging.getLogger(__name__)
HELD_LIST_PATH = "/lms-pipelines/eios/confirm"  # plugins/lms_pipelines: the held list


# a short circuit: when nothing is held, the scheduler marks the question and the
# release skipped without starting either (two task processes fewer on every plain run);
# the tasks after them keep their own trigger rules
@task.short_circuit(trigger_rule="all_done", retries=0, ignore_downstream_trigger_rules=False)
def check_held_faculties(config: dict | None, recorded: list[dict] | None) -> list[dict]:
    """The faculties the guard held in this run, one entry each for the question; an
    empty list (nothing held, a dry run, settings that failed) skips the question and
    the release (`decide_held_faculties`, `apply_approved_faculties`)."""
    if config is None or settings_from(config["settings"]).dry_run:
        return []
    held = held_faculties(recorded or [])
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


def decide_held_faculties() -> DecideHeldFaculties:
    """The question as the DAG has it: never retried (a retry would ask again), a mail
    when it starts waiting; nothing held: it skips itself, nobody is asked."""
    from include.notifications import approval_waiting_notifier

    return DecideHeldFaculties(
        task_id="decide_held_faculties",
        retries=0,
        notifiers=[approval_waiting_notifier()],
    )


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
        return _decided(
            config, {"asked": True, "answered": False, "released": [], "kept_held": kept}
        )
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
    return _decided(
        config,
        {
            "asked": True,
            "answered": True,
            "ws_calls": calls,
            "released": released,
            "kept_held": kept,
            "approved_by": who,
            "approved_at": when,
        },
    )


def _decided(config: dict, approval: dict) -> dict:
    """The decision, also staged for report_run (`approval.json`): when nothing is held
    this task is skipped, and a pull of a skipped task's XCom logs an error."""
    write_json(run_file(config["run"], "approval"), approval)
    return approval


def read_decision(config: dict) -> dict | None:
    """apply_approved_faculties' decision in this run; None when it was skipped."""
    path = run_file(config["run"], "approval")
    return read_json(str(path)) if path.exists() else None
