"""PDFs of exam attempts and summary sheets (WeasyPrint through include/render/pdf.py).

Module-level functions so the render pool's workers can import and call them.
"""

from __future__ import annotations

import logging
from functools import partial

TEMPLATE_ATTEMPT = "exam_attempt.html"
TEMPLATE_SUMMARY = "exam_summary.html"
STYLESHEET = "exam.css"
USER_AGENT = "exam_ua.css"
MIN_POOL_BATCH = 24  # below this, starting worker processes costs more than it saves
LAYOUTS = ("table", "compact")  # question rows: a six-column table, or numbered lines


def created_of(document: dict) -> str:
    """The PDF's creation date comes from the data (the archived date), never the clock."""
    return str(document["archive_date"])


def attempt_html(document: dict, layout: str = "table") -> str:
    from include.render.pdf import render_html

    if layout not in LAYOUTS:
        raise ValueError(f"unknown attempt layout {layout!r}; expected one of {LAYOUTS}")
    title = f"Протокол попытки {document['attempt_id']}: {document['student_name']}"
    return render_html(
        TEMPLATE_ATTEMPT,
        {
            "title": title,
            "created": created_of(document),
            "attempts": [document],
            "compact": layout == "compact",
        },
    )


def summary_html(summary: dict) -> str:
    from include.render.pdf import render_html

    title = f"Ведомость: {summary['quiz_name']}, {summary['archive_date']}"
    return render_html(
        TEMPLATE_SUMMARY, {"title": title, "created": created_of(summary), "s": summary}
    )


def _pdf(html: str) -> bytes:
    from include.render.pdf import html_to_pdf

    return html_to_pdf(html, STYLESHEET, user_agent_stylesheet=USER_AGENT, xhtml=True)


def render_attempt_pdf(document: dict, layout: str = "table") -> bytes:
    return _pdf(attempt_html(document, layout))


def render_summary_pdf(summary: dict) -> bytes:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return _pdf(summary_html(summary))


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
