"""Mails to the people who run the pipelines: a run failed, an approval waits.

Both go through providers-smtp's `SmtpNotifier` with the Airflow Connection
`smtp_default` (host, port, login, password, TLS as the SMTP provider reads them;
its extra holds `from_email` and `to`, the recipients, comma-separated or a
list). Without that Connection, or without recipients, nothing is sent and the
run's log says so once: a mail server is not needed to run the pipelines.

The mail carries the run's summary (its `pipeline_run_report` row when the run
got as far as its report step, else what stopped it) and a link to the run, or to
the approval, in the Airflow UI (base URL: Airflow's `[api] base_url`). Nothing
else: no setting, no connection value, no error text from an external system.

- `run_failed_notifier()`: every DAG's `on_failure_callback` (include/dag_defaults.py).
- `approval_waiting_notifier()`: for a human-in-the-loop task's `notifiers=[...]`;
  it is called when the task starts waiting.

A notifier never raises: a mail that cannot be sent is logged as a warning and
never fails the task that waits for an approval.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from urllib.parse import quote

from airflow.sdk.bases.notifier import BaseNotifier

log = logging.getLogger(__name__)

SMTP_CONN_ID = "smtp_default"
FAILED = "failed"
APPROVAL = "approval"
NO_BASE_URL = "http://localhost:8080"  # Airflow's own default when [api] base_url is unset


@dataclass(frozen=True)
class Mail:
    subject: str
    html: str


def ui_base_url() -> str:
    """Airflow's `[api] base_url`, the address users open the UI at."""
    from airflow.providers.common.compat.sdk import conf

    return (conf.get("api", "base_url", fallback=None) or NO_BASE_URL).rstrip("/")


def run_link(dag_id: str, run_id: str, base_url: str | None = None) -> str:
    """The run's page in Airflow 3's UI: `/dags/<dag_id>/runs/<run_id>`."""
    base = (base_url or ui_base_url()).rstrip("/")
    return f"{base}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def approval_link(
    dag_id: str, run_id: str, task_id: str, map_index: int = -1, base_url: str | None = None
) -> str:
    """The task's "Required actions" page, where the approval is answered."""
    link = f"{run_link(dag_id, run_id, base_url)}/tasks/{quote(task_id, safe='')}/required_actions"
    return link if map_index in (None, -1) else f"{link}?map_index={map_index}"


def run_summary(dag_id: str, run_id: str) -> str | None:
    """The summary of the run's `pipeline_run_report` row; None when it wrote none (or
    the project DB cannot be read: the mail then goes without it)."""
    from include.connectors.pipelines_db import PipelinesDbHook

    hook = PipelinesDbHook()
    try:
        row = hook.get_first(
            hook.query("run_report_summary"), parameters={"dag_id": dag_id, "run_id": run_id}
        )
    except Exception as error:  # noqa: BLE001 - a mail without the summary beats no mail
        log.warning("run report of %s %s not read: %s", dag_id, run_id, type(error).__name__)
        return None
    finally:
        hook.close()
    return row[0] if row else None


def _ids(context) -> tuple[str, str]:
    dag_run = context.get("dag_run")
    dag = context.get("dag")
    dag_id = getattr(dag_run, "dag_id", None) or getattr(dag, "dag_id", None) or "?"
    run_id = getattr(dag_run, "run_id", None) or context.get("run_id") or "?"
    return dag_id, run_id


def compose(kind: str, context, summary: str | None, base_url: str | None = None) -> Mail:
    """The mail for a failed run (`kind="failed"`) or a waiting approval (`"approval"`)."""
    dag_id, run_id = _ids(context)
    ti = context.get("ti") or context.get("task_instance")
    task_id = getattr(ti, "task_id", None)
    if kind == APPROVAL:
        subject = f"[LMS pipelines] {dag_id}: an approval waits ({task_id})"
        lead = f"The run {run_id} of {dag_id} waits for a decision in task {task_id}."
        link = approval_link(dag_id, run_id, task_id or "", getattr(ti, "map_index", -1), base_url)
        link_label = "Answer it in Airflow (Required actions)"
        reported = summary or "The run has not written its report yet."
    else:
        subject = f"[LMS pipelines] {dag_id}: run {run_id} failed"
        lead = f"The run {run_id} of {dag_id} failed."
        reason = context.get("reason")  # "task_failure" names the task that failed last
        if reason == "task_failure" and task_id:
            lead += f" Failed task: {task_id}."
        elif reason:
            lead += f" Reason: {str(reason).replace('_', ' ')}."
        link = run_link(dag_id, run_id, base_url)
        link_label = "Open the run in Airflow"
        reported = summary or "No run report: the run stopped before its report step."
    body = (
        f"<p>{html.escape(lead)}</p>"
        f"<p><strong>Summary:</strong> {html.escape(reported)}</p>"
        f'<p><a href="{html.escape(link)}">{html.escape(link_label)}</a>: {html.escape(link)}</p>'
    )
    return Mail(subject, body)


@dataclass(frozen=True)
class Addresses:
    from_email: str | None
    to: list[str]


def addresses(smtp_conn_id: str = SMTP_CONN_ID) -> Addresses | None:
    """`from_email` and `to` of the Connection's extra; None when the Connection does not
    exist. (Given to `SmtpNotifier` explicitly: it would otherwise re-render them with
    the DAG's Jinja environment, which a serialized DAG in a callback does not have.)"""
    from airflow.sdk import BaseHook

    try:
        connection = BaseHook.get_connection(smtp_conn_id)
    except Exception:  # noqa: BLE001 - AirflowNotFoundException (its class moved in 3.x)
        return None
    extra = connection.extra_dejson
    to = extra.get("to") or []
    if isinstance(to, str):
        to = to.replace(";", ",").split(",")
    return Addresses(
        from_email=extra.get("from_email") or None,
        to=[address.strip() for address in to if address and address.strip()],
    )


class PipelineMailNotifier(BaseNotifier):
    """Builds the mail in Python (no Jinja over a summary) and sends it with `SmtpNotifier`."""

    template_fields = ()

    def __init__(self, kind: str = FAILED, smtp_conn_id: str = SMTP_CONN_ID) -> None:
        super().__init__()
        if kind not in (FAILED, APPROVAL):
            raise ValueError(f"kind must be {FAILED!r} or {APPROVAL!r}, not {kind!r}")
        self.kind = kind
        self.smtp_conn_id = smtp_conn_id

    def render_template_fields(self, context, jinja_env=None) -> None:
        """Nothing to render; and the context's DAG may be a serialized one without a
        template environment (DAG callbacks under dag.test())."""

    def notify(self, context) -> None:
        try:
            self._send(context)
        except Exception as error:  # noqa: BLE001 - a mail never fails a run or a task
            log.warning(
                "%s mail not sent through Connection %s: %s",
                self.kind,
                self.smtp_conn_id,
                type(error).__name__,
            )

    def _send(self, context) -> None:
        found = addresses(self.smtp_conn_id)
        if found is None or not found.to or not found.from_email:
            missing = (
                "does not exist"
                if found is None
                else "names no recipient (extra 'to')"
                if not found.to
                else "names no sender (extra 'from_email')"
            )
            log.warning("no %s mail: the Connection %s %s", self.kind, self.smtp_conn_id, missing)
            return
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        dag_id, run_id = _ids(context)
        mail = compose(self.kind, context, run_summary(dag_id, run_id))
        SmtpNotifier(
            to=found.to,
            from_email=found.from_email,
            subject=mail.subject,
            html_content=mail.html,
            smtp_conn_id=self.smtp_conn_id,
            mime_subtype="alternative",
        ).notify(context)
        log.info("%s mail sent to %d recipient(s)", self.kind, len(found.to))


def run_failed_notifier(smtp_conn_id: str = SMTP_CONN_ID) -> PipelineMailNotifier:
    """A DAG's `on_failure_callback`: a mail with the run's summary and its link."""
    return PipelineMailNotifier(FAILED, smtp_conn_id)


def approval_waiting_notifier(smtp_conn_id: str = SMTP_CONN_ID) -> PipelineMailNotifier:
    """For a human-in-the-loop task's `notifiers=[...]`: a mail with the run's summary so
    far and a link to the task's Required actions page."""
    return PipelineMailNotifier(APPROVAL, smtp_conn_id)
