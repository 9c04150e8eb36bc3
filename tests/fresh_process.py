"""The tests' one way to run a script in a fresh Python process and read its answer."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from include.sandbox.environment import PROJECT_ROOT


def answer_of(script: str, *args: str, env: dict | None = None, timeout: float = 300) -> Any:
    """The last line `script` prints, as JSON, run with `args` in a fresh interpreter in the
    project root (`env`: its environment, else this one's); fails with the end of its
    stderr when it does not exit 0."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
