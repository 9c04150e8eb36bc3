"""The act PDFs and ESF drafts from the acts' stored data, as jobs a worker process runs.

A job takes acts as their stored JSON bytes (what `compute_acts` wrote, whose SHA-256
the caller has checked against the project DB) and gives back, per act, the ESF
draft's bytes and the PDF's bytes: plain data in and out, so the job runs the same
inline or in a worker of include/render/worker_pool.py (which never imports Airflow).
The PDF engine is the setting `pdf_engine` (include/render/volumes.py).
"""

from __future__ import annotations

import json
import logging
from datetime import date

from include.vouchers.acts import canonical_json, esf_draft, pdf_context

# below this many acts a task renders inline: spawning a pool costs ~2 s
POOL_FROM = {"weasyprint": 8, "typst": 100}


def act_files(data: bytes, issued_on: date, engine: str) -> tuple[bytes, bytes]:
    """One act's (ESF draft JSON, PDF) from its stored data."""
    from include.render.volumes import render_voucher_act

    document = json.loads(data)
    esf = esf_draft(document, issued_on)
    return canonical_json(esf), render_voucher_act(pdf_context(document, esf), engine)


def render_act_chunk(acts: list[bytes], issued_on: date, engine: str) -> list[tuple[bytes, bytes]]:
    """One pool job: (ESF draft, PDF) of each act, in order."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # a line per layout step
    return [act_files(data, issued_on, engine) for data in acts]


def chunk_size(acts: int, processes: int, engine: str) -> int:
    """Acts per job: a few jobs per worker, more acts per job for Typst (a job's round
    trip costs about what one Typst act does)."""
    ceiling = 10 if engine == "weasyprint" else 50
    return max(1, min(ceiling, acts // (max(1, processes) * 4)))
