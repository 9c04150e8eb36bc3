"""A headless Chromium (Debian's `chromium` package) driven over the DevTools protocol.

Hand-written on the already installed `websockets` client because the usual
drivers either download their own browser (Playwright, impossible here) or need
another package (`chromium-driver` + Selenium); the protocol calls we need are few:
navigate, evaluate, screenshot, downloads.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--metrics-recording-only",
    "--password-store=basic",
    "--disable-crash-reporter",  # no crashpad handler outliving the process group
    "--disable-breakpad",
    "--window-size=1366,900",
]


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium process (own process group) and one page."""

    def __init__(self, profile_dir: Path, downloads_dir: Path) -> None:
        self.profile_dir = profile_dir
        self.downloads_dir = downloads_dir
        self.process: subprocess.Popen | None = None
        self._socket = None
        self._ids = itertools.count(1)
        self.events: list[dict] = []

    # --- process ---------------------------------------------------------------
    def start(self) -> Chromium:
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        self.downloads_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={self.profile_dir}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = self.profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BrowserError("chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            pages = [t for t in json.loads(answer.read()) if t.get("type") == "page"]
        from websockets.sync.client import connect

        self._socket = connect(pages[0]["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024)
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send(
            "Browser.setDownloadBehavior",
            behavior="allowAndName",
            downloadPath=str(self.downloads_dir),
            eventsEnabled=True,
        )
        return self

    def stop(self) -> None:
        if self._socket is not None:
            try:
                self._socket.close()
            except Exception:  # noqa: BLE001 - the browser may be gone already
                pass
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)

    # --- protocol ----------------------------------------------------------------
    def send(self, method: str, timeout: float = 30, **params) -> dict:
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == message_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for_event(self, method: str, timeout: float = 30, where=lambda params: True) -> dict:
        deadline = time.monotonic() + timeout
        for index, event in enumerate(self.events):
            if event["method"] == method and where(event.get("params", {})):
                return self.events.pop(index)["params"]
        while time.monotonic() < deadline:
            try:
                message = json.loads(
                    self._socket.recv(timeout=max(0.1, deadline - time.monotonic()))
                )
            except TimeoutError:
                break
            if message.get("method") == method and where(message.get("params", {})):
                return message.get("params", {})
            if "method" in message:
                self.events.append(message)
        raise BrowserError(f"no {method} event within {timeout} s")

    # --- page ----------------------------------------------------------------------
    def goto(self, url: str, timeout: float = 60) -> None:
        self.events.clear()
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self.wait_for_event("Page.loadEventFired", timeout=timeout)

    def evaluate(self, expression: str, timeout: float = 30):
        result = self.send(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:80]}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def wait_until(self, expression: str, timeout: float = 60) -> object:
        """Poll a JS expression until it is truthy (for pages built by JavaScript)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except BrowserError:
                value = None
            if value:
                return value
            time.sleep(0.25)
        raise BrowserError(f"still false after {timeout} s: {expression}")

    @property
    def url(self) -> str:
        return self.evaluate("location.href")

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def click(self, selector: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def download_by_clicking(self, selector: str, timeout: float = 60) -> Path:
        """Click a download link; returns the downloaded file (named by its GUID)."""
        self.events.clear()
        self.click(selector)
        began = self.wait_for_event("Browser.downloadWillBegin", timeout=timeout)
        done = self.wait_for_event(
            "Browser.downloadProgress",
            timeout=timeout,
            where=lambda p: p.get("guid") == began["guid"] and p.get("state") != "inProgress",
        )
        if done["state"] != "completed":
            raise BrowserError(f"download {began['suggestedFilename']}: {done['state']}")
        path = self.downloads_dir / began["guid"]
        self.last_download_name = began["suggestedFilename"]
        return path
