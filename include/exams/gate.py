"""The quality gate over the produced files: one readable PDF per finished attempt.

Rules (specs/exam-archive.md): exactly one attempt PDF per finished attempt, no more, no
less; every PDF opens, has at least one page and contains the student's name (on its
first page); every manifest hash matches its file. Each PDF is checked once, by the
render worker that made it (`check_pdf`), never read back; the store is only listed
(paths and sizes). `files_frame` states the facts, one row per file;
`file_expectations()` is the Great Expectations suite over them, each failed check
naming its files.
"""

from __future__ import annotations

import hashlib
import re

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


def check_pdf(data: bytes, student_name: str | None) -> dict:
    """The gate's facts about one PDF, taken by the worker that made it while the bytes
    are in hand: sha256, bytes, pages, error ('' when it opens) and `names_student`
    (the name is on the first page; False for a summary, which names no one student)."""
    facts = inspect_pdf(data)
    text = facts.pop("text")
    facts["names_student"] = bool(
        not facts["error"] and student_name and normalise(student_name) in text
    )
    return facts


def files_frame(
    expected: dict[str, str],
    found: dict[str, int],
    manifest: dict[str, str],
    checks: dict[str, dict],
):
    """One row per file that is expected, found or listed. `expected`: attempt PDF path ->
    student's name; `found`: every PDF path in the store (attempts and summaries) -> its
    size; `manifest`: path -> sha256; `checks`: path -> `check_pdf` of each file this run
    rendered, as its worker took it (no file is read back)."""
    import pandas as pd

    rows = []
    for path in sorted(set(expected) | set(found) | set(manifest)):
        check = checks.get(path)
        opens = check is not None and not check["error"]
        rows.append(
            {
                "path": path,
                "kind": SUMMARY_KIND if path.endswith("/" + SUMMARY_NAME) else ATTEMPT_KIND,
                "expected": path in expected,
                "found": path in found,
                "listed": path in manifest,
                "checked": check is not None,
                "opens": opens,
                "pages": check["pages"] if opens else 0,
                "hash_matches": check is not None and check["sha256"] == manifest.get(path),
                "size_matches": check is not None and check["bytes"] == found.get(path),
                "names_student": bool(opens and check["names_student"]),
            }
        )
    columns = ["path", "kind", "expected", "found", "listed", "checked", "opens", "pages"]
    return pd.DataFrame(rows, columns=[*columns, "hash_matches", "size_matches", "names_student"])


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
        each("checked", "not rendered and checked by this run", "found"),
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
        each("size_matches", "size in the store differs from the rendered PDF", "checked & found"),
        each("names_student", "the student's name is not in the PDF text", "opens & expected"),
    ]
