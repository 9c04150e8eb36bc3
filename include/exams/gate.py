"""The quality gate over the produced files: one readable PDF per finished attempt.

Rules (specs/exam-archive.md): exactly one attempt PDF per finished attempt, no more, no
less; every PDF opens, has at least one page and contains the student's name (on its first page); every
manifest hash matches its file. Each failure names the file.
"""

from __future__ import annotations

import hashlib
import io
import re

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip().casefold()


def inspect_pdf(data: bytes) -> dict:
    """What the gate needs to know about one file: hash, size, opens, pages, first page's text."""
    from pypdf import PdfReader

    facts = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        facts["pages"] = len(reader.pages)
        # the student's name is on the first page; extracting only it halves the gate's time
        facts["text"] = normalise(reader.pages[0].extract_text() or "") if reader.pages else ""
        facts["error"] = ""
    except Exception as exc:  # any parse error means: the file does not open
        facts.update(pages=0, text="", error=f"{type(exc).__name__}: {exc}"[:200])
    return facts


def gate_failures(
    expected: dict[str, str], found: set[str], manifest: dict[str, str], facts: dict[str, dict]
) -> list[str]:
    """Failures, each naming its file. `expected`: attempt PDF path -> student's name;
    `found`: attempt PDF paths in the store; `manifest`: path -> sha256 (attempt PDFs and
    summaries); `facts`: path -> `inspect_pdf` of every file found or listed."""
    failures = []
    for path in sorted(set(expected) - found):
        failures.append(f"{path}: missing (a finished attempt has no PDF)")
    for path in sorted(found - set(expected)):
        failures.append(f"{path}: unexpected PDF (no finished attempt of this date)")
    for path in sorted(set(expected) - set(manifest)):
        failures.append(f"{path}: not in the manifest")
    for path in sorted(manifest):
        fact = facts.get(path)
        if fact is None:
            if path not in expected:  # a missing attempt PDF was reported above
                failures.append(f"{path}: listed in the manifest but missing")
            continue
        if fact["error"]:
            failures.append(f"{path}: does not open as a PDF ({fact['error']})")
            continue
        if fact["pages"] < 1:
            failures.append(f"{path}: has no pages")
        if fact["sha256"] != manifest[path]:
            failures.append(f"{path}: SHA-256 differs from the manifest")
        name = expected.get(path)
        if name and normalise(name) not in fact["text"]:
            failures.append(f"{path}: the student's name {name!r} is not in the PDF text")
    return failures
