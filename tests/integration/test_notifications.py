"""The failure and approval mails, received by a real SMTP server on loopback (aiosmtpd).

The Connection `smtp_default` points at the server for these tests only (with a login
the server checks), `[api] base_url` names the UI the links lead to. A DAG run that
fails at once (a bad setting) must bring one mail with the run's link and what
stopped it; a run with a report brings its summary; an approval mail links to the
task's Required actions page. No connection secret is ever in a mail.
"""

from __future__ import annotations

import email
import json
import secrets
import threading
from email.message import Message

import pytest

from tests.conftest import SECRETS

BASE_URL = "http://airflow.example.test:8080"
TO = "ops@example.test"
FROM = "lms-pipelines@example.test"
LOGIN = "mailer"


class Mailbox:
    """aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or b""))
        self.arrived.set()
        return "250 OK"

    def wait(self, count: int = 1, timeout: float = 30) -> None:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            self.arrived.wait(0.2)
        assert len(self.messages) >= count, (
            f"{len(self.messages)} mail(s) arrived, {count} expected"
        )

    def clear(self) -> None:
        self.messages.clear()
        self.arrived.clear()


def body_text(raw: bytes) -> tuple[Message, str]:
    """The parsed mail and its decoded text (every text part)."""
    message = email.message_from_bytes(raw)
    parts = [
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if part.get_content_maintype() == "text"
    ]
    return message, "\n".join(parts)


@pytest.fixture(scope="module")
def smtp(airflow_db, mariadb):
    """aiosmtpd on 127.0.0.1 (free port) with AUTH; `smtp_default` and base_url set for it."""
    import os

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from include.sandbox import stack

    password = secrets.token_urlsafe(16)

    def authenticator(server, session, envelope, mechanism, auth_data):
        def text(value):
            return value.decode() if isinstance(value, bytes) else value

        ok = text(auth_data.login) == LOGIN and text(auth_data.password) == password
        return AuthResult(success=ok)

    # The project DB with its tables: the mails read the run's report from it.
    mariadb.recreate_database(stack.database_names()["pipelines"])
    stack.migrate_pipelines_db()

    mailbox = Mailbox()
    port = stack.free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
        auth_exclude_mechanism=["CRAM-MD5"],
    )
    controller.start()
    connection = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "login": LOGIN,
        "password": password,
        "extra": {
            "from_email": FROM,
            "to": TO,
            "disable_tls": True,
            "disable_ssl": True,
            "timeout": 10,
            "retry_limit": 1,
        },
    }
    saved = {name: os.environ.get(name) for name in ("AIRFLOW_CONN_SMTP_DEFAULT",)}
    saved["AIRFLOW__API__BASE_URL"] = os.environ.get("AIRFLOW__API__BASE_URL")
    os.environ["AIRFLOW_CONN_SMTP_DEFAULT"] = json.dumps(connection)
    os.environ["AIRFLOW__API__BASE_URL"] = BASE_URL
    mailbox.password = password
    try:
        yield mailbox
    finally:
        controller.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def assert_no_secret(raw: bytes, mailbox: Mailbox) -> None:
    text = raw.decode("utf-8", "replace")
    leaked = [s for s in {*SECRETS, mailbox.password} if s and s in text]
    assert not leaked, f"{len(leaked)} secret value(s) in the mail"


def test_a_failed_run_sends_a_mail_with_its_link_and_what_stopped_it(smtp):
    from tests.airflow_runs import run_dag

    smtp.clear()
    bad = {"suspension_grace_months": 0}  # VoucherSettings refuses it: resolve_settings fails
    result = run_dag("voucher_acts", conf={"period": "2026-03"}, settings=bad)
    assert result.state == "failed"
    smtp.wait(1)
    recipients, raw = smtp.messages[0]
    assert recipients == [TO]
    message, text = body_text(raw)
    assert message["From"] == FROM
    assert message["Subject"] == f"[LMS pipelines] voucher_acts: run {result.run_id} failed"
    assert f"{BASE_URL}/dags/voucher_acts/runs/" in text
    from urllib.parse import quote

    assert f"{BASE_URL}/dags/voucher_acts/runs/{quote(result.run_id, safe='')}" in text
    assert "No run report: the run stopped before its report step." in text
    assert "Failed task: resolve_settings." in text
    assert_no_secret(raw, smtp)
    assert len(smtp.messages) == 1  # one mail per failed run, not one per task


def test_the_mail_carries_the_runs_report_summary(smtp):
    from include.notifications import run_failed_notifier
    from include.sandbox.stack import connect

    summary = "acts 2026-03 (attendance): 3 acts in 1 region, 2 ready and registered, 1 held"
    connection = connect("pipelines")
    try:
        cursor = connection.cursor()
        cursor.execute(
            "REPLACE INTO pipeline_run_report (dag_id, run_id, logical_date, status, summary,"
            " counts, outputs) VALUES ('voucher_acts', 'manual__2026-04-02T05:00:00+00:00',"
            " '2026-04-02 05:00:00', 'success', %s, '{}', '{}')",
            (summary,),
        )
        connection.commit()
    finally:
        connection.close()
    smtp.clear()

    class Run:
        dag_id = "voucher_acts"
        run_id = "manual__2026-04-02T05:00:00+00:00"

    run_failed_notifier()({"dag_run": Run(), "run_id": Run.run_id, "reason": "task_failure"})
    smtp.wait(1)
    _, raw = smtp.messages[0]
    _, text = body_text(raw)
    assert f"Summary: {summary}" in text.replace("<strong>", "").replace("</strong>", "")
    assert f"{BASE_URL}/dags/voucher_acts/runs/manual__2026-04-02T05%3A00%3A00%2B00%3A00" in text
    assert_no_secret(raw, smtp)


def test_an_approval_mail_links_to_the_required_action(smtp):
    from include.notifications import approval_waiting_notifier

    smtp.clear()

    class Run:
        dag_id = "eios_sync"
        run_id = "scheduled__2026-09-01T06:00:00+00:00"

    class Ti:
        dag_id = "eios_sync"
        run_id = Run.run_id
        task_id = "approve_mass_graduation"
        map_index = -1
        state = "running"

    approval_waiting_notifier()({"dag_run": Run(), "ti": Ti(), "run_id": Run.run_id})
    smtp.wait(1)
    _, raw = smtp.messages[0]
    message, text = body_text(raw)
    assert (
        message["Subject"]
        == "[LMS pipelines] eios_sync: an approval waits (approve_mass_graduation)"
    )
    link = (
        f"{BASE_URL}/dags/eios_sync/runs/scheduled__2026-09-01T06%3A00%3A00%2B00%3A00"
        "/tasks/approve_mass_graduation/required_actions"
    )
    assert link in text
    assert "The run has not written its report yet." in text
    assert_no_secret(raw, smtp)


def test_a_missing_connection_or_server_never_raises(smtp, monkeypatch, caplog):
    """HITL tasks call their notifiers inline: a mail that fails must not fail the task."""
    from include.notifications import approval_waiting_notifier, run_failed_notifier

    context = {"run_id": "manual__x", "dag_run": None}
    run_failed_notifier("smtp_missing")(context)  # no such Connection: a warning, no mail
    assert "Connection smtp_missing does not exist" in caplog.text
    broken = json.loads(__import__("os").environ["AIRFLOW_CONN_SMTP_DEFAULT"])
    from include.sandbox.stack import free_port

    broken["port"] = free_port()  # nothing listens there
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_BROKEN", json.dumps(broken))
    approval_waiting_notifier("smtp_broken")(context)
    assert "approval mail not sent through Connection smtp_broken" in caplog.text
    assert smtp.password not in caplog.text


def test_every_dag_mails_its_failures():
    from include.notifications import PipelineMailNotifier
    from tests.airflow_runs import dag_bag

    bag = dag_bag()
    assert bag.dags
    for dag_id, dag in bag.dags.items():
        callbacks = dag.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        assert any(isinstance(c, PipelineMailNotifier) and c.kind == "failed" for c in callbacks), (
            dag_id
        )
