"""PDFs of exam attempts and summary sheets (WeasyPrint through include/render/pdf.py).

Module-level functions so the render pool's workers can import and call them.
"""

from __future__ import annotations

import logging
from functools import partial

from include.render.volumes import (
    EXAM_STYLESHEET,
    EXAM_USER_AGENT,
    LAYOUTS,
    attempt_html,
    render_attempt_protocol,
)

__all__ = ["LAYOUTS", "attempt_html"]

TEMPLATE_SUMMARY = "exam_summary.html"
MIN_POOL_BATCH = 24  # below this, starting worker processes costs more than it saves


def created_of(document: dict) -> str:
    """The PDF's creation date comes from the data (the archived date), never the clock."""
    return str(document["archive_date"])


def summary_html(summary: dict) -> str:
    from include.render.pdf import render_html

    title = f"Ведомость: {summary['quiz_name']}, {summary['archive_date']}"
    return render_html(
        TEMPLATE_SUMMARY, {"title": title, "created": created_of(summary), "s": summary}
    )


def render_attempt_pdf(document: dict, layout: str = "table", engine: str = "weasyprint") -> bytes:
    return render_attempt_protocol(document, engine, layout)


def render_summary_pdf(summary: dict) -> bytes:
    from include.render.pdf import html_to_pdf

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return html_to_pdf(
        summary_html(summary), EXAM_STYLESHEET, user_agent_stylesheet=EXAM_USER_AGENT, xhtml=True
    )


def render_attempt_chunk(documents: list[dict], layout: str = "table") -> list[bytes]:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per step
    return [render_attempt_pdf(d, layout) for d in documents]


def render_quiz(
    documents: list[dict], summary: dict, processes: int, layout: str = "table"
) -> tuple[list[bytes], bytes, int]:
    """A quiz's attempt PDFs (in input order), its summary sheet and the number of pool
    workers that rendered them (0: inline); a pool of `processes`
    workers that never import Airflow (include/render/worker_pool.py) when it pays, the summary (the longest single job) submitted first so
    it renders alongside the attempts instead of after them."""
    if processes <= 1 or len(documents) < MIN_POOL_BATCH:
        return render_attempt_chunk(documents, layout), render_summary_pdf(summary), 0
    from include.render.worker_pool import isolated_process_pool

    size = max(1, min(25, len(documents) // (processes * 4)))
    chunks = [documents[i : i + size] for i in range(0, len(documents), size)]
    with isolated_process_pool(processes) as pool:
        if pool is None:
            return render_attempt_chunk(documents, layout), render_summary_pdf(summary), 0
        summary_pdf = pool.submit(render_summary_pdf, summary)
        render = partial(render_attempt_chunk, layout=layout)
        attempts = [pdf for chunk in pool.map(render, chunks) for pdf in chunk]
        return attempts, summary_pdf.result(), processes
