"""Faults the tests arm on the sandbox over HTTP, and the count of calls it served.

A fault is what a mock would fake, provoked for real instead: the next N
calls of one function or path answer HTTP 5xx/429/401, time out, or (Moodle)
answer an exception object. For the paged JSON feeds (Kontur.Talk, LMS,
registry, EIOS students) a fault can also break the whole answer (`not_json`: an HTML page
with HTTP 200; `wrong_shape`: a JSON list instead of the object) or one page
(`shape_page`): `repeat_token` (a page asked for with a token answers that
same token as its next one), `empty_page` (no item, but a next token), and
`extra_items` (raw JSON items appended to the first page: hostile rows the
typed sandbox tables cannot hold, such as a string where an integer goes).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

_lock = threading.Lock()
_armed: dict[tuple[str, str], list[dict]] = defaultdict(list)
calls: Counter[tuple[str, str]] = Counter()

router = APIRouter(prefix="/_control")


class Fault(BaseModel):
    system: str  # moodle, eios, kontur, lms, registry
    target: str  # a wsfunction (moodle) or a path prefix
    mode: str  # http500, http502, http429, http401, http403, timeout, exception, + PAGE_MODES
    times: int = 1
    items: list = []  # extra_items: the raw JSON items
    errorcode: str = "generalexceptionmessage"
    message: str = "Error code: generalexceptionmessage"
    seconds: float = 5.0


@router.post("/faults")
def arm(fault: Fault) -> dict:
    with _lock:
        _armed[(fault.system, fault.target)].extend([fault.model_dump()] * fault.times)
    return {"armed": fault.times}


@router.post("/reset")
def reset() -> dict:
    with _lock:
        _armed.clear()
        calls.clear()
    return {"reset": True}


@router.get("/calls")
def served_calls() -> dict:
    with _lock:
        return {f"{system}:{target}": n for (system, target), n in calls.items()}


# Faults applied to a page after it was built (see `shape_page`), not before the call.
PAGE_MODES = {"repeat_token", "empty_page", "extra_items"}


def record_and_take(system: str, target: str) -> dict | None:
    """Count the call; return the next armed fault for it, if any (page faults stay armed)."""
    with _lock:
        calls[(system, target)] += 1
        for (armed_system, armed_target), queue in _armed.items():
            if armed_system == system and target.startswith(armed_target):
                for index, fault in enumerate(queue):
                    if fault["mode"] not in PAGE_MODES:
                        return queue.pop(index)
    return None


def shape_page(
    system: str,
    target: str,
    page: dict,
    items_key: str = "items",
    token_key: str | None = None,
    asked_token=None,
    first_page: bool = True,
) -> dict:
    """The page with the next armed page fault of this target applied (one per page):
    `extra_items` on a first page, `repeat_token` on a page asked for with a token,
    `empty_page` on any page of a paged list."""
    with _lock:
        fault = None
        for (armed_system, armed_target), queue in _armed.items():
            if armed_system != system or not target.startswith(armed_target):
                continue
            for index, armed in enumerate(queue):
                mode = armed["mode"]
                if (
                    (mode == "extra_items" and first_page)
                    or (mode == "repeat_token" and token_key and not first_page)
                    or (mode == "empty_page" and token_key)
                ):
                    fault = queue.pop(index)
                    break
            if fault:
                break
    if fault is None:
        return page
    page = dict(page)
    if fault["mode"] == "extra_items":
        page[items_key] = [*page.get(items_key, []), *fault["items"]]
    elif fault["mode"] == "repeat_token":
        page[token_key] = asked_token
    else:  # empty_page: nothing, yet a next token
        page[items_key] = []
        if page.get(token_key) is None:
            page[token_key] = (
                asked_token + 1 if isinstance(asked_token, int) else "sandbox-empty-page"
            )
    return page


def refused(system: str, target: str, presented: str | None, expected: str, unauthorized):
    """What answers a call before the stand-in serves it: the next armed fault of `target`
    (the call counted), else `unauthorized` when the credential `presented` is not the
    `expected` one. None: serve the call."""
    fault = record_and_take(system, target)
    answer = fault_response(fault) if fault else None
    if answer is None and presented != expected:
        return unauthorized
    return answer


def fault_response(fault: dict):
    """The HTTP answer of an armed fault (None for `exception`, which the caller shapes)."""
    mode = fault["mode"]
    if mode == "timeout":
        time.sleep(fault["seconds"])
        return JSONResponse({"error": "late answer"}, status_code=504)
    if mode == "not_json":  # e.g. a proxy's error page answered with HTTP 200
        return HTMLResponse("<html><body>Service temporarily unavailable</body></html>")
    if mode == "wrong_shape":
        return JSONResponse(["not", "the", "object", "the", "API", "promises"])
    if mode.startswith("http"):
        status = int(mode[4:])
        return JSONResponse({"error": f"sandbox fault {status}"}, status_code=status)
    return None
