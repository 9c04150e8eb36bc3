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


# --- Airflow's look, light and dark; times in the user's zone; links to the runs --------

LOOK_PAGES = {
    "overview": "",
    "eios": "eios",
    "eios_confirm": "eios/confirm?faculty=ECON",
    "kontur": "kontur",
    "exams": "exams",
    "exam_date": "exams/{day}",
    "vouchers": "vouchers",
    "courses": "courses",
    "runs": "runs/eios_sync",
}
AIRFLOW_BLUE_BAR = "rgb(1, 124, 238)"  # the old pages' own header bar
RUN_HREF = r"^/dags/[^/]+/runs/[^/]+$"

PAINTED = """(() => { const c = document.createElement('canvas'); c.width = c.height = 1;
  const x = c.getContext('2d'); x.fillStyle = getComputedStyle(document.body).backgroundColor;
  x.fillRect(0, 0, 1, 1); return Array.from(x.getImageData(0, 0, 1, 1).data.slice(0, 3)); })()"""


def use_color_scheme(browser, mode: str) -> None:
    """The system preference the page sees; no theme stored by Airflow's UI."""
    browser.send(
        "Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": mode}]
    )
    browser.evaluate("localStorage.removeItem('theme')")


def assert_airflow_look(browser, png, mode: str) -> None:
    """The page follows the mode in Airflow's colours and font, with no bar of its own;
    the screenshot's background is the mode's."""
    from PIL import Image

    assert browser.evaluate("document.documentElement.dataset.theme") == mode
    assert browser.evaluate("document.querySelectorAll('header, nav').length") == 0
    assert not browser.evaluate(
        "Array.from(document.querySelectorAll('body *')).some(e =>"
        f" getComputedStyle(e).backgroundColor === {json.dumps(AIRFLOW_BLUE_BAR)})"
    )
    assert browser.evaluate("getComputedStyle(document.body).fontFamily").startswith("Inter")
    expected = browser.evaluate(PAINTED)
    image = Image.open(png).convert("RGB")
    width, height = image.size
    for point in ((2, 2), (width - 3, 2), (2, height - 3), (width - 3, height - 3)):
        pixel = image.getpixel(point)
        assert all(abs(a - b) <= 3 for a, b in zip(pixel, expected, strict=True)), (point, pixel)
    brightness = sum(expected) / 3
    assert brightness > 240 if mode == "light" else brightness < 60, (mode, expected)
    # the text is the mode's too (dark text on light, light text on dark)
    text = browser.evaluate(
        "getComputedStyle(document.querySelector('h1')).color.match(/[\\d.]+/g).slice(1, 4)"
    )
    assert text is not None


def assert_times_are_named(browser) -> None:
    zone = browser.evaluate("document.documentElement.dataset.timeZone")
    assert zone
    note = browser.evaluate("document.querySelector('#time-zone-note').innerText")
    assert zone in note, note
    unconverted = browser.evaluate(
        "Array.from(document.querySelectorAll('time[datetime]')).filter(t => !t.dataset.zone).length"
    )
    assert unconverted == 0


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("name", list(LOOK_PAGES))
def test_each_page_looks_like_airflow_in_light_and_dark(
    logged_in, standalone, ui_data, ui_output_dir, name, mode
):
    import re

    browser = logged_in
    use_color_scheme(browser, mode)
    path = LOOK_PAGES[name].format(day=ui_data["exams"]["days"][0])
    browser.goto(f"{standalone.base_url}/lms-pipelines/{path}")
    png = browser.screenshot(ui_output_dir / f"look_{name}_{mode}.png")
    assert_airflow_look(browser, png, mode)
    assert_times_are_named(browser)
    links = browser.evaluate(
        "Array.from(document.querySelectorAll('a.run-link'))"
        ".map(a => [new URL(a.href).pathname, a.target])"
    )
    assert links, f"{name}: no link to a run"
    for href, target in links:
        assert re.match(RUN_HREF, href) and target == "_top", (name, href, target)


def test_times_follow_the_time_zone_chosen_in_airflow(logged_in, standalone, ui_output_dir):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    browser = logged_in
    use_color_scheme(browser, "light")
    browser.goto(f"{standalone.base_url}/lms-pipelines/runs/eios_sync")
    browser.evaluate("localStorage.setItem('timezone', JSON.stringify('Asia/Almaty'))")
    try:
        browser.goto(f"{standalone.base_url}/lms-pipelines/runs/eios_sync")
        shown = browser.evaluate(
            "Array.from(document.querySelectorAll('time[datetime]'))"
            ".map(t => [t.getAttribute('datetime'), t.innerText, t.dataset.zone])"
        )
        assert shown
        for moment, text, zone in shown:
            utc = datetime.fromisoformat(moment.replace("Z", "+00:00"))
            local = utc.astimezone(ZoneInfo("Asia/Almaty")).strftime("%Y-%m-%d %H:%M")
            assert (text, zone) == (local, "Asia/Almaty"), (moment, text)
        note = browser.evaluate("document.querySelector('#time-zone-note').innerText")
        assert "Asia/Almaty" in note and "the time zone set in Airflow" in note, note
        browser.screenshot(ui_output_dir / "times_in_asia_almaty.png")
    finally:
        browser.evaluate("localStorage.removeItem('timezone')")


def test_the_held_list_shows_why_each_student_leaves(logged_in, standalone):
    browser = logged_in
    use_color_scheme(browser, "light")
    browser.goto(f"{standalone.base_url}/lms-pipelines/eios/confirm?faculty=ECON")
    header = browser.evaluate("document.querySelector('#faculty-held-actions tr').innerText")
    for column in ("Name", "Faculty", "EIOS status", "Changed in EIOS", "Held by run"):
        assert column in header
    first = browser.evaluate(
        "Array.from(document.querySelectorAll('#faculty-held-actions tr')[1].cells)"
        ".map(c => c.innerText)"
    )
    assert first[:4] == ["S-G0", "Graduate0 Test Student", "Faculty of Economics", "graduated"]
    changed = browser.evaluate(
        "document.querySelectorAll('#faculty-held-actions tr')[1].cells[4]"
        ".querySelector('time').getAttribute('datetime')"
    )
    assert changed == "2026-06-20T09:30:00Z"
    run = browser.evaluate(
        "new URL(document.querySelector('#faculty-held-actions a.run-link').href).pathname"
    )
    assert run == "/dags/eios_sync/runs/scheduled__2026-06-30T06%3A00%3A00%2B00%3A00"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_framed_pages_follow_the_theme_chosen_in_airflow(
    logged_in, standalone, ui_output_dir, mode
):
    """Airflow's UI stores its theme (next-themes, localStorage "theme") and marks its
    <html>; the page in its frame follows it whatever the system prefers."""
    browser = logged_in
    use_color_scheme(browser, "dark" if mode == "light" else "light")  # the opposite
    browser.goto(f"{standalone.base_url}/")
    browser.evaluate(f"localStorage.setItem('theme', {json.dumps(mode)})")
    try:
        browser.goto(f"{standalone.base_url}/plugin/lms-pipelines")
        browser.wait_until(
            "(() => { const f = document.querySelector('iframe');"
            " return !!(f && f.contentDocument && f.contentDocument.querySelector('h1')) })()"
        )
        assert browser.evaluate(f"document.documentElement.classList.contains('{mode}')")
        framed = browser.evaluate(
            "document.querySelector('iframe').contentDocument.documentElement.dataset.theme"
        )
        assert framed == mode
        import time

        time.sleep(1)  # the UI's own fade-in
        browser.screenshot(ui_output_dir / f"framed_in_airflow_{mode}.png")
    finally:
        browser.evaluate("localStorage.removeItem('theme')")


# last: it logs the browser out
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
