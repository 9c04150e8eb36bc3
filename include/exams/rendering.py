"""PDFs of exam attempts (either engine, include/render/volumes.py) and summary sheets
(WeasyPrint), rendered and checked in one long-lived worker pool per task.

Each job renders a chunk of attempts and checks every PDF it made while its bytes are
in hand (`gate.check_pdf`: opens, pages, hash, names the student), so the gate never
reads a file a second time. Module-level functions, so the pool's workers can call them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Future

from include.exams import gate
from include.render.volumes import (
    EXAM_STYLESHEET,
    EXAM_USER_AGENT,
    LAYOUTS,
    attempt_html,
    render_attempt_protocol,
)

__all__ = ["LAYOUTS", "attempt_html"]

TEMPLATE_SUMMARY = "exam_summary.html"
# below this many attempts in a task, starting the workers (~1-2 s) costs more than
# they save: a WeasyPrint attempt takes 0.1-0.3 s of CPU, a Typst one ~5 ms
POOL_FROM = {"weasyprint": 24, "typst": 400}
MIN_POOL_BATCH = POOL_FROM["weasyprint"]


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


def _quiet() -> None:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per step


def render_summary_pdf(summary: dict) -> bytes:
    from include.render.pdf import html_to_pdf

    _quiet()
    return html_to_pdf(
        summary_html(summary), EXAM_STYLESHEET, user_agent_stylesheet=EXAM_USER_AGENT, xhtml=True
    )


def render_attempt_chunk(
    documents: list[dict], layout: str = "table", engine: str = "weasyprint"
) -> list[bytes]:
    _quiet()
    return [render_attempt_protocol(d, engine, layout) for d in documents]


def render_checked_chunk(
    documents: list[dict], layout: str = "table", engine: str = "weasyprint"
) -> list[tuple[bytes, dict]]:
    """One pool job: each attempt's PDF and the gate's check of it (names its student)."""
    pdfs = render_attempt_chunk(documents, layout, engine)
    return [
        (pdf, gate.check_pdf(pdf, d["student_name"]))
        for d, pdf in zip(documents, pdfs, strict=True)
    ]


def render_checked_summary(summary: dict) -> tuple[bytes, dict]:
    pdf = render_summary_pdf(summary)
    return pdf, gate.check_pdf(pdf, None)


class _Done:
    """A finished future's face for work done inline (no pool): `result()` only."""

    def __init__(self, value):
        self._value = value

    def result(self):
        return self._value


def _submit(pool, function, *args) -> Future | _Done:
    return pool.submit(function, *args) if pool is not None else _Done(function(*args))


def chunk_size(attempts: int, processes: int, engine: str) -> int:
    """Attempts per job: a few jobs per worker per quiz, more per job for Typst (a job's
    round trip costs about what a Typst attempt does)."""
    ceiling = 25 if engine == "weasyprint" else 100
    return max(1, min(ceiling, attempts // (max(1, processes) * 4)))


def render_quizzes(
    quizzes: Iterable[tuple], pool, processes: int, layout: str, engine: str
) -> Iterator[tuple]:
    """For each `(key, documents, summary)` of `quizzes`, in order: `(key, attempts,
    summary)` where `attempts` is `[(pdf, check), ...]` in the documents' order and
    `summary` is `(pdf, check)`. One pool (`pool`, or inline when None) serves every quiz,
    one quiz ahead: the next quiz is read (the `quizzes` iterator) and submitted while
    the workers render this one, and at most two quizzes' PDFs are held at once."""
    waiting = None
    for key, documents, summary in quizzes:
        size = chunk_size(len(documents), processes, engine)
        # the summary (the longest single job) first, so it renders beside the attempts
        jobs = [_submit(pool, render_checked_summary, summary)] + [
            _submit(pool, render_checked_chunk, documents[i : i + size], layout, engine)
            for i in range(0, len(documents), size)
        ]
        if waiting is not None:
            yield _collected(*waiting)
        waiting = (key, jobs)
    if waiting is not None:
        yield _collected(*waiting)


def _collected(key, jobs: list) -> tuple:
    summary = jobs[0].result()
    attempts = [pair for job in jobs[1:] for pair in job.result()]
    return key, attempts, summary
