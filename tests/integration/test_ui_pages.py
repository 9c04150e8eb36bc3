"""The operations pages over real HTTP: Airflow's own API server app with the plugin
mounted by Airflow, the real auth manager, MariaDB and the file store.

Login (anonymous, forged, tampered and expired tokens get no data), what each page
shows, paging, and downloads confined to the archive store.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

from tests.conftest import TEST_ENV
from tests.ui import pipeline_outputs
from tests.ui.servers import ApiServerThread, api_token, write_admin_password

PAGES = ["/", "/eios", "/kontur", "/exams", "/vouchers", "/courses", "/runs/eios_sync"]


@pytest.fixture(scope="module")
def outputs(mariadb, tmp_path_factory):
    """A fresh, migrated pipelines_db and an empty store holding the pipelines' outputs."""
    from include.sandbox import stack
    from tests.conftest import empty_store

    mariadb.recreate_database(stack.database_names()["pipelines"])
    stack.migrate_pipelines_db()
    return pipeline_outputs.write_into(empty_store())


@pytest.fixture(scope="module")
def server(airflow_db, outputs):
    from include.sandbox.stack import free_port

    password = write_admin_password(TEST_ENV["AIRFLOW_HOME"])
    running = ApiServerThread(free_port()).start()
    running.token = api_token(running.base_url, password)
    yield running
    running.stop()


def fetch(server, path: str, token: str | None = None, cookie: str | None = None):
    """(status, body text, headers) of a GET on the plugin; errors are answers too."""
    url = path if path.startswith("http") else f"{server.base_url}/lms-pipelines{path}"
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = f"_token={cookie}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def text_of(server, path, **auth) -> str:
    status, body, _ = fetch(server, path, **auth)
    assert status == 200, (path, status, body[:300])
    return body.decode("utf-8")


# --- login ------------------------------------------------------------------------


def _data_markers(outputs) -> list[str]:
    """Text that only a page or file with data holds (the login page may echo the URL)."""
    return [
        f"{__import__('datetime').date.today():%Y-%m}",
        "econ0",
        "confirm_mass_graduation",
        "ЕГЭ Лекция",
        outputs["vouchers"]["held_act"],
        "HIST-1",
        "run_id",
    ]


def _forged(token: str) -> str:
    """The same claims signed with a key that is not Airflow's."""
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, "not-the-airflow-secret-" * 4, algorithm="HS512")


def _tampered(token: str) -> str:
    """Airflow's signature kept, the payload changed (another user)."""
    import base64

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "intruder"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def _expired(token: str) -> str:
    """A token really signed by Airflow's signer, expired an hour ago."""
    import jwt
    from airflow.api_fastapi.app import get_auth_manager

    claims = jwt.decode(token, options={"verify_signature": False})
    extras = {
        k: v for k, v in claims.items() if k not in ("jti", "iss", "aud", "nbf", "exp", "iat")
    }
    return get_auth_manager()._get_token_signer().generate(extras=extras, valid_for=-3600)


@pytest.mark.parametrize("path", [*PAGES, "/files/eios_sync/history/x.csv"])
def test_an_anonymous_request_gets_401_and_no_data(server, outputs, path):
    status, body, headers = fetch(server, path)
    assert status == 401
    assert headers["WWW-Authenticate"] == "Bearer"
    text = body.decode()
    assert "Log in" in text and "/auth/login?next=" in text
    for marker in _data_markers(outputs):
        assert marker not in text.replace(path, "")


@pytest.mark.parametrize("kind", ["forged", "tampered", "expired", "garbage"])
@pytest.mark.parametrize("carrier", ["bearer", "cookie"])
def test_a_forged_or_expired_token_gets_401_and_no_data(server, outputs, kind, carrier):
    bad = {
        "forged": _forged,
        "tampered": _tampered,
        "expired": _expired,
        "garbage": lambda _: "not.a.jwt",
    }[kind](server.token)
    auth = {"token": bad} if carrier == "bearer" else {"cookie": bad}
    for path in ("/eios", f"/files/eios_sync/history/{outputs['eios']['newest']}"):
        status, body, _ = fetch(server, path, **auth)
        assert status == 401, (kind, carrier, path, status)
        for marker in _data_markers(outputs):
            assert marker not in body.decode().replace(path, "")
    reason = "expired" if kind == "expired" else "not valid"
    assert reason in fetch(server, "/eios", **auth)[1].decode()


def test_the_airflow_ui_login_cookie_and_a_bearer_token_both_open_the_pages(server):
    for auth in ({"token": server.token}, {"cookie": server.token}):
        for path in PAGES:
            assert fetch(server, path, **auth)[0] == 200, (auth.keys(), path)


def test_the_plugin_is_registered_with_its_nav_entry(server):
    plugins = json.loads(
        fetch(server, f"{server.base_url}/api/v2/plugins", token=server.token)[1].decode()
    )["plugins"]
    ours = next(p for p in plugins if p["name"] == "lms_pipelines")
    assert ours["fastapi_apps"][0]["url_prefix"] == "/lms-pipelines"
    view = ours["external_views"][0]
    assert (view["name"], view["href"], view["destination"]) == (
        "LMS pipelines",
        "/lms-pipelines/",
        "nav",
    )


# --- what the pages show -------------------------------------------------------------


def test_eios_page_history_held_faculties_and_last_run_counts(server, outputs):
    page = text_of(server, "/eios", token=server.token)
    newest, oldest = outputs["eios"]["newest"], outputs["eios"]["oldest"]
    assert newest in page and oldest not in page  # newest first, 50 a page
    assert page.index(newest) < page.index(outputs["eios"]["history"][-2])
    # held actions per faculty, each with a link to the prefilled eios_sync trigger form
    assert 'href="/lms-pipelines/eios/confirm?faculty=ECON"' in page
    assert "mass graduation guard" in page
    assert "LAW" in page  # in the counts; the released LAW action is not held
    assert page.count("Confirm faculty") == 1
    # the last run's counts per faculty (from its history CSV): ECON 3 applied, 5 held
    counts = page[page.index('id="counts"') :]
    econ = counts[
        counts.index("<th>ECON</th>") : counts.index("</tr>", counts.index("<th>ECON</th>"))
    ]
    assert [cell.split("<")[0] for cell in econ.split('class="num">')[1:]] == ["3", "5", "0", "8"]


def test_confirm_page_is_the_trigger_form_prefilled_for_the_faculty(server):
    page = text_of(server, "/eios/confirm?faculty=ECON", token=server.token)
    assert '<pre id="trigger-conf">{"confirm_mass_graduation": ["ECON"]}</pre>' in page
    assert '"/api/v2/dags/eios_sync/dagRuns"' in page
    held = page[page.index('id="faculty-held-actions"') :]
    assert held.count("<tr>") - 1 == 5 and "grad0" in held
    other = text_of(server, "/eios/confirm?faculty=LAW", token=server.token)
    assert "has no held actions" in other and "trigger-form" not in other


def test_kontur_page_journal_filter_unmatched_and_next_publication(server, outputs):
    page = text_of(server, "/kontur", token=server.token)
    assert "Запись занятия: Лекция 0," in page
    # auto_publish is off by default: the page says so and names the daily time
    assert "Automatic publication is off" in page and "20:00 Europe/Moscow" in page
    assert outputs["kontur"]["unmatched_recent"] in page
    assert outputs["kontur"]["unmatched_old"] not in page  # older than 7 days
    only_101 = text_of(server, "/kontur?course=101&per_page=200", token=server.token)
    journal = only_101[only_101.index('id="journal-table"') :]
    assert '<td class="num">102</td>' not in journal and '<td class="num">101</td>' in journal
    assert journal.count("<tr>") - 1 == 32  # 65 publications, odd ones in course 101
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    day = text_of(server, f"/kontur?date_from={today}&date_to={today}", token=server.token)
    journal = day[day.index('id="journal-table"') :]
    assert journal.count("<tr>") - 1 == 5
    assert str(today - timedelta(days=1)) not in journal


def test_exam_pages_dates_quizzes_pdfs_and_manifest(server, outputs):
    page = text_of(server, "/exams", token=server.token)
    days = outputs["exams"]["days"]
    assert [page.index(d) for d in days] == sorted(page.index(d) for d in days)  # newest first
    day = text_of(server, f"/exams/{days[0]}", token=server.token)
    assert "MATH101/31-ekzamen" in day and "PHYS201/32-ekzamen" in day
    assert day.count(".pdf</a>") == 10 and "manifest.csv" in day and "manifest.json" in day
    assert "(grading not finished)" in day


def test_voucher_page_months_held_acts_and_overdue(server, outputs):
    page = text_of(server, "/vouchers", token=server.token)
    for period in outputs["vouchers"]["periods"]:
        assert f"?month={period}" in page
    held = page[page.index('id="held-acts"') : page.index('id="overdue"')]
    assert outputs["vouchers"]["held_act"] in held
    assert "3 missing marks; provider suspended: tax_debt; suspended: tax debt" in held
    overdue = page[page.index('id="overdue-acts"') :]
    assert outputs["vouchers"]["overdue_act"] in overdue
    assert f"ACT-{outputs['vouchers']['periods'][-1]}-1" not in overdue  # signed 5 days ago
    month = text_of(
        server, f"/vouchers?month={outputs['vouchers']['periods'][-1]}", token=server.token
    )
    assert "held_provider_suspended" in month and ">PDF</a>" in month


def test_course_page_archived_courses_and_latest_audit(server, outputs):
    page = text_of(server, "/courses", token=server.token)
    assert "HIST-1" in page and "CHEM-2" in page and "backup.php exited 1" in page
    assert "8 course(s) audited" in page
    assert "fsu-audit: audit.csv" in page and "fsu-audit: audit.html" in page


# --- paging ------------------------------------------------------------------------


def test_history_pages_walk_from_newest_to_oldest(server, outputs):
    names = outputs["eios"]["history"][::-1]  # newest first
    seen = []
    for number in (1, 2, 3):
        page = text_of(server, f"/eios?page={number}&per_page=50", token=server.token)
        table = page[page.index('id="history-csvs"') :]
        seen += [n for n in names if n in table]
        assert ('rel="next"' in table) == (number < 3)
    assert seen == names  # 130 files: 50 + 50 + 30, each once, in order


def test_a_page_reads_at_most_one_row_more_than_it_shows(outputs):
    from include.operations import queries
    from include.operations.paging import PageRequest
    from include.sandbox import stack

    connection = stack.connect("pipelines")
    try:
        page = queries.page(connection, "kontur_journal", PageRequest.of(2, 20), _no_filter())
        assert len(page.items) == 20 and page.has_next and page.has_previous
        last = queries.page(connection, "kontur_journal", PageRequest.of(4, 20), _no_filter())
        assert len(last.items) == 5 and not last.has_next
    finally:
        connection.close()


def _no_filter():
    return {"course_id": None, "date_from": None, "date_to": None}


def test_page_size_and_number_are_bounded(server):
    from include.operations.paging import MAX_PER_PAGE, PageRequest

    assert PageRequest.of(1, 100000).per_page == MAX_PER_PAGE == 200
    assert PageRequest.of("-3", "x") == PageRequest(1, 50)
    page = text_of(server, "/kontur?per_page=100000&page=0", token=server.token)
    journal = page[page.index('id="journal-table"') :]
    assert journal.count("<tr>") - 1 == 65
    assert fetch(server, "/eios?page=abc", token=server.token)[0] == 422


# --- downloads --------------------------------------------------------------------


def test_a_download_returns_the_store_file(server, outputs):
    path = f"eios_sync/history/{outputs['eios']['newest']}"
    status, body, headers = fetch(server, f"/files/{path}", token=server.token)
    assert status == 200
    assert body == (outputs["root"] / path).read_bytes()
    assert "attachment" in headers["Content-Disposition"]
    day = outputs["exams"]["days"][0].replace("-", "/")
    status, body, headers = fetch(
        server, f"/files/exams/{day}/MATH101/31-ekzamen/u1-1.pdf", token=server.token
    )
    assert (
        status == 200 and body.startswith(b"%PDF") and headers["Content-Type"] == "application/pdf"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "eios_sync/..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "eios_sync/%2E%2E/%2E%2E/sandbox.env",
        "%2Fetc%2Fpasswd",
        "%2F%2Fetc%2Fpasswd",
        "file:%2F%2F%2Fetc%2Fpasswd",
        "..%5C..%5Cetc%5Cpasswd",
        "~%2F.ssh%2Fid_rsa",
    ],
)
def test_a_download_outside_the_store_is_refused(server, raw):
    status, body, _ = fetch(server, f"/files/{raw}", token=server.token)
    assert status == 400, (raw, status)
    assert body.startswith(b"Refused")
    assert b"root:" not in body


def test_a_symlink_out_of_the_store_is_refused(server, outputs):
    link = outputs["root"] / "eios_sync" / "history" / "escape.csv"
    os.symlink("/etc/passwd", link.path)
    try:
        status, body, _ = fetch(server, "/files/eios_sync/history/escape.csv", token=server.token)
    finally:
        os.unlink(link.path)
    assert status == 400 and b"root:" not in body


def test_a_missing_file_is_404(server):
    assert fetch(server, "/files/eios_sync/history/none.csv", token=server.token)[0] == 404
    assert fetch(server, "/files/eios_sync/history", token=server.token)[0] == 404  # a folder
