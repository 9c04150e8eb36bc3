"""The quality gate over the produced files: one readable PDF per finished attempt.

Rules (specs/exam-archive.md): exactly one attempt PDF per finished attempt, no more, no
less; every PDF opens, has at least one page and contains the student's name (on its
first page); every manifest hash matches its file. `files_frame` states the facts, one
row per file; `file_expectations()` is the Great Expectations suite over them, each
failed check naming its files.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from include.exams.layout import SUMMARY_NAME

_SPACE = re.compile(r"\s+")
SUMMARY_KIND, ATTEMPT_KIND = "summary", "attempt"


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip().casefold()


def inspect_pdf(data: bytes) -> dict:
    """What the gate needs to know about one file: hash, size, opens, pages, first page's text.

    Read with PDFium (pypdfium2): its text extraction takes ~8 ms per attempt PDF where
    pypdf's took ~80 ms, which made the gate as slow as the rendering.
    """
    import pypdfium2

    facts = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    try:
        document = pypdfium2.PdfDocument(data)
        try:
            facts["pages"] = len(document)
            text = document[0].get_textpage().get_text_range() if len(document) else ""
        finally:
            document.close()
        facts["text"], facts["error"] = normalise(text), ""
    except Exception as exc:  # any parse error means: the file does not open
        facts.update(pages=0, text="", error=f"{type(exc).__name__}: {exc}"[:200])
    return facts


def inspect_pdfs(blobs: list[bytes]) -> list[dict]:
    """`inspect_pdf` of each file, in order (one job of the gate's worker pool)."""
    return [inspect_pdf(b) for b in blobs]


FILES_PER_JOB = 16  # files a reader job carries: a few MB, whatever the day's size
POOL_FROM = 40  # fewer files are read inline: starting workers would cost more


def inspect_files(
    sources: Sequence[Any], read: Callable[[Any], bytes], processes: int
) -> tuple[list[dict], int]:
    """`inspect_pdf` of each source's bytes (`read(source)`), in order, and the number of
    pool workers that read them (0: inline).

    Files are loaded one job of `FILES_PER_JOB` at a time and at most two jobs per
    worker wait in the pool, so memory holds a few dozen files, never the day's.
    """
    if processes <= 1 or len(sources) < POOL_FROM:
        return [inspect_pdf(read(s)) for s in sources], 0
    from include.render.worker_pool import isolated_process_pool

    with isolated_process_pool(processes) as pool:
        if pool is None:
            return [inspect_pdf(read(s)) for s in sources], 0
        facts: list[dict] = []
        waiting: deque = deque()
        for start in range(0, len(sources), FILES_PER_JOB):
            job = [read(s) for s in sources[start : start + FILES_PER_JOB]]
            waiting.append(pool.submit(inspect_pdfs, job))
            del job
            while len(waiting) > 2 * processes:
                facts.extend(waiting.popleft().result())
        while waiting:
            facts.extend(waiting.popleft().result())
        return facts, processes


def files_frame(
    expected: dict[str, str], found: set[str], manifest: dict[str, str], facts: dict[str, dict]
):
    """One row per file that is expected, found or listed. `expected`: attempt PDF path ->
    student's name; `found`: every PDF path in the store (attempts and summaries);
    `manifest`: path -> sha256; `facts`: path -> `inspect_pdf` of every file found."""
    import pandas as pd

    rows = []
    for path in sorted(set(expected) | found | set(manifest)):
        fact = facts.get(path)
        name = expected.get(path)
        opens = fact is not None and not fact["error"]
        rows.append(
            {
                "path": path,
                "kind": SUMMARY_KIND if path.endswith("/" + SUMMARY_NAME) else ATTEMPT_KIND,
                "expected": path in expected,
                "found": path in found,
                "listed": path in manifest,
                "opens": opens,
                "pages": fact["pages"] if opens else 0,
                "hash_matches": fact is not None and fact["sha256"] == manifest.get(path),
                "names_student": bool(opens and name and normalise(name) in fact["text"]),
            }
        )
    columns = ["path", "kind", "expected", "found", "listed", "opens", "pages"]
    return pd.DataFrame(rows, columns=[*columns, "hash_matches", "names_student"])


def file_expectations() -> list:
    """The gate's suite over `files_frame`; each check's description is its failure text."""
    import great_expectations as gx

    def each(column: str, description: str, condition: str):
        return gx.expectations.ExpectColumnValuesToBeInSet(
            column=column,
            value_set=[True],
            description=description,
            row_condition=condition,
            condition_parser="pandas",
        )

    # row conditions in pandas query syntax (GX's "pandas" condition parser)
    return [
        gx.expectations.ExpectColumnValuesToBeUnique(column="path", description="one file"),
        each("found", "missing (a finished attempt has no PDF)", "expected"),
        each(
            "expected",
            "unexpected PDF (no finished attempt of this date)",
            f'kind == "{ATTEMPT_KIND}" & found',
        ),
        each("listed", "not in the manifest", "found"),
        each("found", "listed in the manifest but missing", "listed & ~expected"),
        each("opens", "does not open as a PDF", "found"),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="pages",
            min_value=1,
            description="has no pages",
            row_condition="opens",
            condition_parser="pandas",
        ),
        each("hash_matches", "SHA-256 differs from the manifest", "opens & listed"),
        each("names_student", "the student's name is not in the PDF text", "opens & expected"),
    ]
