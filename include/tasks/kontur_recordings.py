"""`kontur_recordings`' tasks: poll Kontur.Talk, gate and stage the recordings, decide
once a day, plan with the pure routing, publish into Moodle, keep the archive pages.

Each task takes plain values and returns a small JSON dict for XCom; frames travel
through the store (`kontur_recordings/<run>/…`) and the project database. The run's
clock is its logical date (Airflow passes `logical_date`, `dag_run`, `run_id` and
`params` to the tasks that name them), so a re-run decides alike. The tasks are here;
their bodies beside them: the Kontur.Talk side in include/tasks/kontur_feed.py, the
Moodle side in include/tasks/kontur_moodle.py, the clearings in
include/tasks/kontur_clearing.py.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import get_current_context, task

from include.assets import KONTUR_PUBLISHED
from include.config import KonturRecordingsSettings, load_settings
from include.connectors.hooks import pipelines_db
from include.dag_defaults import API_READ_TIMEOUT, HEAVY_TIMEOUT
from include.notifications import approval_waiting_notifier
from include.tasks.kontur_clearing import (
    clear_journal_after,
    clear_sections_after,
    journal_plan,
    sections_plan,
    timeout_text,
)
from include.tasks.kontur_feed import (
    DAG_ID,
    advance_watermark,
    check,
    naive,
    poll,
    run_clock,
    settings_from,
    stage,
)
from include.tasks.kontur_moodle import (
    module_writer,
    plan_courses,
    publish_planned,
    write_archive_pages,
)

log = logging.getLogger(__name__)

APPROVE, REJECT = "Approve", "Reject"
ANSWER_KEY = "answer"  # the XCom every `ClearingApproval` outcome leaves
DEFAULT_APPROVAL_MINUTES = KonturRecordingsSettings.model_fields["approval_timeout_minutes"].default


# --- settings ------------------------------------------------------------------------


@task(retries=0)
def resolve_settings(params: dict | None = None) -> dict:
    """The run's settings (Variable `kontur_recordings` + same-named params), read once;
    a bad one fails here, naming the field."""
    return load_settings(KonturRecordingsSettings, DAG_ID, params or {}).model_dump(mode="json")


# --- poll, gate, stage ---------------------------------------------------------------


@task(execution_timeout=API_READ_TIMEOUT)
def poll_recordings(
    settings: dict, run_id: str | None = None, logical_date=None, dag_run=None, hook=None
) -> dict:
    """Read [watermark − overlap, clock) following every page; the raw entities go to the
    store."""
    from include.connectors.kontur import KonturTalkHook

    config = settings_from(settings)
    hook = hook or KonturTalkHook(max_pages=config.max_pages)
    return poll(config, naive(run_clock(logical_date, dag_run)), run_id, hook)


@task(retries=0)
def check_recordings(polled: dict, run_id: str | None = None) -> dict:
    """Schema first (include/recordings/feed.py), then the row rules, then the GX suite on
    the accepted rows. Rejects (key, field, reason) go to `rejects.csv`; they never stop
    the accepted rows. Only a poll file that is not a list of entities fails the task."""
    return check(polled, run_id)


@task
def stage_recordings(checked: dict, run_id: str | None = None) -> dict:
    """Upsert the accepted recordings by key and record the rejects (`feed_reject`, once
    per key; a key now accepted is resolved) in one committed transaction."""
    return stage(checked, run_id)


@task
def record_watermark(polled: dict, _staged: dict, run_id: str | None = None) -> dict:
    """Advance the watermark to the window's end: runs only after the upsert committed."""
    return advance_watermark(polled, run_id)


# --- clearing, approved by a person ---------------------------------------------------
#
# A clearing runs in three steps: `plan_clear_…` counts what would go (and whether to ask
# at all), `decide_clear_…` (a `ClearingApproval`) waits in the UI's Required actions for
# Approve or Reject, with no default, and `clear_…` clears only after an Approve. Not
# asked (the param off, nothing to clear, a dry run): the decision is skipped and the run
# never waits. No answer within `approval_timeout_minutes`: the decision ends skipped,
# nothing is cleared and the run goes on; the report says so.


@task
def plan_clear_journal(settings: dict, _watermark: dict, params: dict | None = None) -> dict:
    """What clearing the publication journal would delete, and whether to ask: only with
    the param `clear_journal`, outside a dry run, and with a journal to clear."""
    return journal_plan(settings_from(settings), params or {})


@task(trigger_rule="none_failed")
def clear_journal(settings: dict, plan: dict, approval: dict | None = None) -> dict:
    """Empty the publication journal (and the published days), only after an Approve of
    `decide_clear_journal`. Activities in Moodle stay; their markers keep them from
    being published twice."""
    return clear_journal_after(settings_from(settings), plan, approval)


class ClearingApproval(HITLOperator):
    """Approve or Reject a clearing (`decide_clear_…`), with no default.

    Reads the plan of `plan_task_id`: not to be asked, it skips itself at once (the run
    never waits); else it shows the plan's Markdown body in Required actions, mails the
    people who answer (`approval_waiting_notifier`), and waits the settings'
    `approval_timeout_minutes`. It returns `{approved, answer, by, at}`; it never skips
    or fails what follows on Reject (the clearing task reads the answer). No answer in
    time: the task ends skipped, its log saying nothing was cleared. Every outcome, a
    skip too, leaves the XCom `answer`, so the clearing task never asks for one that is
    not there (the task SDK logs such a miss as an error)."""

    def __init__(self, *, plan_task_id: str, **kwargs) -> None:
        kwargs.setdefault("notifiers", [approval_waiting_notifier()])
        kwargs["retries"] = 0  # a retry would ask again
        # set per run from the settings (execute); given here so that the task's
        # execution_timeout is not taken for the response timeout
        kwargs.setdefault("response_timeout", timedelta(minutes=DEFAULT_APPROVAL_MINUTES))
        super().__init__(options=[APPROVE, REJECT], multiple=False, defaults=None, **kwargs)
        self.plan_task_id = plan_task_id

    def execute(self, context):
        from airflow.sdk.exceptions import AirflowSkipException

        ti = context["ti"]
        plan = ti.xcom_pull(task_ids=self.plan_task_id) or {}
        if not plan.get("ask"):
            ti.xcom_push(ANSWER_KEY, {"asked": False})
            raise AirflowSkipException(f"nothing to decide: {plan.get('outcome', 'not asked')}")
        config = settings_from(ti.xcom_pull(task_ids="resolve_settings"))
        self.body = plan["body"]
        self.response_timeout = timedelta(minutes=config.approval_timeout_minutes)
        self._timeout_text = timeout_text(config)
        return super().execute(context)

    def execute_complete(self, context, event: dict):
        from airflow.sdk.exceptions import AirflowSkipException

        if event.get("error_type") == "timeout":
            context["ti"].xcom_push(ANSWER_KEY, {"asked": True, "timed_out": True})
            log.warning("no answer within the response timeout: nothing will be cleared")
            raise AirflowSkipException("no answer within the response timeout: nothing cleared")
        answered = super().execute_complete(context, event)
        chosen = answered["chosen_options"][0]
        user = answered.get("responded_by_user")
        name = user.get("name") if isinstance(user, dict) else getattr(user, "name", None)
        moment = answered.get("responded_at")
        at = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else None
        log.info("%s by %s at %s", chosen, name, at)
        answer = {"asked": True, "approved": chosen == APPROVE, "answer": chosen, "by": name,
                  "at": at}  # fmt: skip
        context["ti"].xcom_push(ANSWER_KEY, answer)
        return answer


@task
def decide_publication(
    settings: dict, _cleared: dict, params: dict | None = None, logical_date=None, dag_run=None
) -> dict:
    """The once-a-day gate (include/recordings/gate.py) over the journal of published days."""
    from include.recordings.gate import decide_publication as decide

    config, params = settings_from(settings), params or {}
    db = pipelines_db()
    days = db.read_frame(db.query("kontur_published_dates"))
    decision = decide(
        run_clock(logical_date, dag_run),
        auto_publish=config.auto_publish,
        publish_at=config.publish_at,
        timezone=config.timezone,
        published_dates={str(d) for d in days["local_date"]} if len(days) else set(),
        publish_now=bool(params.get("publish_now")),
    )
    log.info("publication gate: %s (%s)", decision.publish, decision.reason)
    return decision.as_dict() | {"dry_run": bool(params.get("dry_run"))}


# --- plan, publish, archive, clear ---------------------------------------------------


@task
def plan_publication(settings: dict, decision: dict, run_id: str | None = None) -> dict:
    """Route, match and place every unpublished recording; unmatched ones go to a CSV."""
    if not decision["publish"]:
        return {"planned": False, "reason": decision["reason"]}
    return plan_courses(settings_from(settings), run_id)


@task(execution_timeout=HEAVY_TIMEOUT, pool="moodle_db_writer", outlets=[KONTUR_PUBLISHED])
def publish_recordings(
    settings: dict,
    decision: dict,
    planned: dict,
    run_id: str | None = None,
    outlet_events=None,
    writer=None,
) -> dict:
    """Write the planned recordings as URL activities, set-based: chunks of 500, each one
    Moodle transaction with its courses locked in id order, then the chunk's journal rows
    in one insert; a marker already in Moodle is adopted, never duplicated; a malformed
    recording goes to `publish_rejects.csv` and never stops the others. A day published
    emits `kontur_publications` through its alias (not outside a task run)."""
    from include.assets import KONTUR_PUBLICATIONS, emit_through, kontur_publication_extra

    if not planned.get("planned"):
        published = {"published": 0, "adopted": 0, "skipped": planned.get("reason", "not due")}
    else:
        published = publish_planned(
            settings_from(settings), decision, planned, run_id or "", writer or module_writer()
        )
    if outlet_events is not None and (extra := kontur_publication_extra(decision, published)):
        emit_through(KONTUR_PUBLISHED, KONTUR_PUBLICATIONS, extra)
    return published


@task(pool="moodle_db_writer")
def publish_archive_pages(
    settings: dict,
    decision: dict,
    published: dict,
    params: dict | None = None,
    run_id: str | None = None,
    writer=None,
) -> dict:
    """One Page activity per course listing every published recording; rebuilt in place
    (every course's with the param `build_archive`, else the courses just published),
    set-based in chunks like the URL activities."""
    if decision.get("dry_run"):
        return {"pages": 0, "dry_run": True}
    db = pipelines_db()
    if (params or {}).get("build_archive"):
        frame = db.read_frame(db.query("kontur_published_courses"))
        course_ids = [int(c) for c in frame["course_id"]]
    else:
        course_ids = list(published.get("course_ids") or [])
    if not course_ids:
        return {"pages": 0, "created": 0, "updated": 0, "unchanged": 0}
    return write_archive_pages(
        settings_from(settings), db, course_ids, writer or module_writer(), run_id
    )


@task
def plan_clear_sections(
    settings: dict, _archive: dict, params: dict | None = None, logical_date=None, dag_run=None
) -> dict:
    """What `clear_sections` would remove (recording activities older than
    `clear_after_days`), and whether to ask: only with the param, outside a dry run, and
    with something to remove."""
    return sections_plan(settings_from(settings), params or {}, run_clock(logical_date, dag_run))


@task(pool="moodle_ws", trigger_rule="none_failed")
def clear_sections(settings: dict, plan: dict, approval: dict | None = None) -> dict:
    """After an Approve of `decide_clear_sections`: remove the recording activities older
    than the plan's cut-off through `core_course_delete_modules`; the journal keeps them,
    so the archive page still lists them."""
    return clear_sections_after(settings_from(settings), plan, approval)


# --- report --------------------------------------------------------------------------


@task
def report_kontur_recordings(*results: dict) -> dict:
    """The run's summary and report row (`report_line`)."""
    from include.reporting import record_run_report

    return record_run_report(get_current_context(), *report_line(*results))


def report_line(
    polled: dict,
    checked: dict,
    decision: dict,
    planned: dict,
    published: dict,
    archive: dict,
    cleared: dict,
    staged: dict | None = None,
    journal: dict | None = None,
) -> tuple[str, dict, dict]:
    """(summary, counts, outputs) of the run report; open feed rejects are named in every
    run's summary until the source fixes them; a clearing asked for says what became of
    it (who approved it and when, rejected, not answered in time)."""
    from include.reporting import plural

    counts = {
        "pages": polled["pages"],
        "polled": polled["entities"],
        "accepted": checked["accepted"],
        "rejected": checked["rejected"],
        "publish": decision["publish"],
        "published": published.get("published", 0),
        "adopted": published.get("adopted", 0),
        "publish_rejected": published.get("rejected", 0),
        "archive_pages": archive.get("pages", 0),
        "archive_rejected": archive.get("rejected", 0),
        "cleared": cleared.get("cleared", 0),
        "journal_cleared": (journal or {}).get("cleared", 0),
        "open_rejects": (staged or {}).get("open_rejects", 0),
    }
    counts |= {f"plan_{k}": v for k, v in (planned.get("counts") or {}).items()}
    summary = (
        f"polled {plural(polled['entities'], 'recording')} in {plural(polled['pages'], 'page')}, "
        f"{checked['rejected']} rejected; publication: {decision['reason']}"
    )
    if counts["open_rejects"]:
        summary += (
            f"; {plural(counts['open_rejects'], 'rejected recording')} still open in "
            "feed_reject (kontur_recordings) until Kontur.Talk sends them valid"
        )
    if decision["publish"]:
        summary += (
            f"; published {counts['published']}, adopted {counts['adopted']}, "
            f"unmatched {counts.get('plan_unmatched', 0)}, "
            f"ambiguous {counts.get('plan_ambiguous', 0)}"
            + (
                f", not written {counts['publish_rejected']} (publish_rejects.csv)"
                if counts["publish_rejected"]
                else ""
            )  # fmt: skip
            + (" (dry run: nothing written)" if decision.get("dry_run") else "")
        )
    for label, clearing in (("journal", journal or {}), ("sections", cleared)):
        if clearing.get("requested"):
            summary += f"; clear {label}: {clearing.get('outcome', 'done')}"
    outputs = {
        "rejects": checked.get("rejects_path"),
        "plan": planned.get("plan_path"),
        "unmatched": planned.get("unmatched_path"),
        "publish_rejects": published.get("rejects_path"),
        "archive_rejects": archive.get("rejects_path"),
    }
    return summary, counts, {k: v for k, v in outputs.items() if v}
