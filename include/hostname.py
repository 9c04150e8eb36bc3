"""The name a worker reports for the task instances it runs (Airflow's
`[core] hostname_callable`, config/airflow.env).

Several workers on one machine (tests/distributed) each set `PIPELINES_WORKER_NAME`;
elsewhere (one worker per container or machine) the machine's own name is used, as
Airflow's default does.
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    """`PIPELINES_WORKER_NAME` if set, else the fully qualified name of the machine."""
    return os.environ.get("PIPELINES_WORKER_NAME", "").strip() or socket.getfqdn()
