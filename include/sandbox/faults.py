"""Faults the tests arm on the sandbox over HTTP, and the count of calls it served.

A fault is what a mock would fake, provoked for real instead: the next N
calls of one function or path answer HTTP 5xx/429/401, time out, or (Moodle)
answer an exception object.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

_lock = threading.Lock()
_armed: dict[tuple[str, str], list[dict]] = defaultdict(list)
calls: Counter[tuple[str, str]] = Counter()

router = APIRouter(prefix="/_control")


class Fault(BaseModel):
    system: str  # moodle, eios, kontur, lms, registry
    target: str  # a wsfunction (moodle) or a path prefix
    mode: str  # http500, http502, http429, http401, http403, timeout, exception
    times: int = 1
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


def record_and_take(system: str, target: str) -> dict | None:
    """Count the call; return the next armed fault for it, if any."""
    with _lock:
        calls[(system, target)] += 1
        for (armed_system, armed_target), queue in _armed.items():
            if armed_system == system and target.startswith(armed_target) and queue:
                return queue.pop(0)
    return None


def fault_response(fault: dict):
    """The HTTP answer of an armed fault (None for `exception`, which the caller shapes)."""
    mode = fault["mode"]
    if mode == "timeout":
        time.sleep(fault["seconds"])
        return JSONResponse({"error": "late answer"}, status_code=504)
    if mode.startswith("http"):
        status = int(mode[4:])
        return JSONResponse({"error": f"sandbox fault {status}"}, status_code=status)
    return None
