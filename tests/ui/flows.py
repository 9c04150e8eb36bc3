"""What a user does in the browser: log in through Airflow's own login form."""

from __future__ import annotations

import json

from tests.ui.browser import Chromium


def type_into(browser: Chromium, selector: str, text: str) -> None:
    """Focus a field and type as a keyboard would (React sees real input events)."""
    browser.wait_until(f"!!document.querySelector({json.dumps(selector)})")
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
    browser.send("Input.insertText", text=text)


def log_in(browser: Chromium, base_url: str, username: str, password: str) -> None:
    """Airflow's login page (simple auth manager), then back on the Airflow UI."""
    browser.goto(f"{base_url}/")
    browser.wait_until("location.pathname.startsWith('/auth/login')")
    type_into(browser, "input[name=username], input#username, input[type=text]", username)
    type_into(browser, "input[type=password]", password)
    browser.wait_until("!document.querySelector('button[type=submit]').disabled")
    browser.click("button[type=submit]")
    browser.wait_until("!location.pathname.startsWith('/auth/')", timeout=60)
