"""The operations pages in a real headless Chromium against `airflow standalone`:
log in through Airflow's login form, find "LMS pipelines" in the navigation, open
every page, follow download links, confirm a held faculty, and end logged out.
One screenshot per page in `.local/ui-output-<prefix>/`.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.ui.servers import api_token

PAGES = {
    "eios": ["History CSVs", "Held actions per faculty", "Confirm faculty ECON", "ECON"],
    "kontur": ["Publication journal", "Next publication", "ЕГЭ Неизвестный курс"],
    "exams": ["Exam archive", "manifest.csv"],
    "vouchers": ["Acts per month", "Held acts", "Overdue payments", "tax debt"],
    "courses": ["Archived courses", "HIST-1", "8 course(s) audited"],
    "runs/eios_sync": ["Run reports of eios_sync", "5 held"],
}


def test_lms_pipelines_is_in_the_airflow_navigation(logged_in, standalone, ui_output_dir):
    browser = logged_in
    browser.wait_until("document.body.innerText.includes('LMS pipelines')")
    browser.screenshot(ui_output_dir / "01_airflow_home_with_nav_entry.png")
    browser.click("a[href='/plugin/lms-pipelines']")
    browser.wait_until("location.pathname === '/plugin/lms-pipelines'")
    src = browser.wait_until(
        "(() => { const f = document.querySelector('iframe');"
        " return f && f.contentDocument && f.contentDocument.querySelector('h1') ? f.src : null })()"
    )
    assert src == f"{standalone.base_url}/lms-pipelines/"
    framed = browser.evaluate("document.querySelector('iframe').contentDocument.body.innerText")
    for section in ("EIOS sync", "Kontur.Talk", "Exam archive", "Vouchers", "Courses"):
        assert section in framed
    browser.screenshot(ui_output_dir / "02_lms_pipelines_in_the_airflow_ui.png")


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_opens_with_its_data(logged_in, standalone, ui_output_dir, page):
    browser = logged_in
    browser.goto(f"{standalone.base_url}/lms-pipelines/{page}")
    text = browser.text()
    for expected in PAGES[page]:
        assert expected in text, (page, expected)
    browser.screenshot(ui_output_dir / f"page_{page.replace('/', '_')}.png")


def test_exam_date_page_and_its_pdf_download(logged_in, standalone, ui_data, ui_output_dir):
    browser = logged_in
    browser.goto(f"{standalone.base_url}/lms-pipelines/exams")
    browser.click("#exam-dates a[href*='/exams/']")  # the newest date
    browser.wait_until("document.querySelector('#pdfs') !== null")
    assert browser.url.endswith(f"/lms-pipelines/exams/{ui_data['exams']['days'][0]}")
    browser.screenshot(ui_output_dir / "page_exam_date.png")
    href = browser.evaluate("document.querySelector('#pdfs a.download').getAttribute('href')")
    downloaded = browser.download_by_clicking("#pdfs a.download")
    relative = href.split("/lms-pipelines/files/", 1)[1]
    assert downloaded.read_bytes() == (ui_data["root"] / relative).read_bytes()
    assert downloaded.read_bytes().startswith(b"%PDF")
    manifest = browser.download_by_clicking("#manifest a.download")
    assert browser.last_download_name == "manifest.csv"
    assert manifest.read_text().startswith("file,sha256,size")


def test_history_csv_download_is_the_newest_file(logged_in, standalone, ui_data):
    browser = logged_in
    browser.goto(f"{standalone.base_url}/lms-pipelines/eios")
    downloaded = browser.download_by_clicking("#history-csvs a.download")
    newest = ui_data["eios"]["newest"]
    assert browser.last_download_name == newest
    assert (
        downloaded.read_bytes() == (ui_data["root"] / "eios_sync" / "history" / newest).read_bytes()
    )


def test_confirming_a_held_faculty_triggers_eios_sync_with_it(logged_in, standalone, ui_output_dir):
    browser = logged_in
    token = api_token(standalone.base_url, standalone.password)
    _wait_for_dag(standalone.base_url, token, "eios_sync")
    browser.goto(f"{standalone.base_url}/lms-pipelines/eios")
    browser.click("#held-actions a.confirm")
    browser.wait_until("document.querySelector('#trigger-form') !== null")
    conf = json.loads(browser.evaluate("document.querySelector('#trigger-conf').innerText"))
    assert conf == {"confirm_mass_graduation": ["ECON"]}
    browser.screenshot(ui_output_dir / "page_eios_confirm_form.png")
    browser.click("#trigger-button")
    result = browser.wait_until(
        "(() => { const r = document.querySelector('#trigger-result').innerText;"
        " return r.length ? r : null })()"
    )
    assert result.startswith("Triggered: "), result
    browser.screenshot(ui_output_dir / "page_eios_confirm_triggered.png")
    run_id = browser.evaluate("document.querySelector('#trigger-result a').innerText")
    run = _api(standalone.base_url, token, f"/api/v2/dags/eios_sync/dagRuns/{run_id}")
    assert run["conf"] == {"confirm_mass_graduation": ["ECON"]}
    assert run["run_type"] == "manual"


def test_after_logging_out_the_pages_show_no_data(logged_in, standalone, ui_output_dir):
    browser = logged_in
    browser.send("Network.clearBrowserCookies")
    for page in ("eios", "vouchers"):
        browser.goto(f"{standalone.base_url}/lms-pipelines/{page}")
        text = browser.text()
        assert "Log in to Airflow" in text
        assert "ECON" not in text and "ACT-" not in text
    browser.screenshot(ui_output_dir / "99_logged_out.png")
    browser.click("a[href*='/auth/login']")
    browser.wait_until("location.pathname.startsWith('/auth/login')")


def _api(base_url: str, token: str, path: str) -> dict:
    request = urllib.request.Request(
        f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def _wait_for_dag(base_url: str, token: str, dag_id: str, timeout: float = 180) -> None:
    """The dag-processor of the fresh standalone parses the DAG files first."""
    import time
    import urllib.error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _api(base_url, token, f"/api/v2/dags/{dag_id}")
            return
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
        time.sleep(2)
    errors = _api(base_url, token, "/api/v2/importErrors")
    raise AssertionError(f"{dag_id} was not parsed within {timeout} s; import errors: {errors}")
