"""Typst → PDF: the second engine, for the two volume documents only (the attempt
protocol and the voucher act); WeasyPrint (pdf.py) stays the engine of everything else.

- Data goes in as one JSON string (`sys.inputs.data`) that the template reads with
  `json(bytes(sys.inputs.data))`; no value is ever spliced into markup, so `#`, `$`, `*`,
  `]`, `\\` or `<` in a student's answer are text, never Typst code.
- The same font files as WeasyPrint: fontconfig's DejaVu Sans (Debian's
  fonts-dejavu-core), with the system's other fonts ignored, so the output does not
  depend on what else is installed.
- PDF/A-3b. Deterministic: the document's date comes from the data (the template sets
  `document(date: ...)`) and Typst derives the PDF's identifier from the document's title,
  which names the document (attempt id, act number); no clock is read.
- One compiler per template per process, kept for the process's life: a warm compiler
  makes an attempt protocol in ~8 ms of CPU, a cold one in ~46 ms.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

from include.render.pdf import clean_text

TYPST_DIR = Path(__file__).resolve().parent / "typst"
PDF_STANDARD = "a-3b"
_DEBIAN_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@cache
def font_dirs() -> tuple[str, ...]:
    """The folders of the DejaVu files fontconfig gives WeasyPrint (Sans, Sans Bold, Mono)."""
    folders = []
    for family in ("DejaVu Sans", "DejaVu Sans:bold", "DejaVu Sans Mono"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        folder = str(Path(found).parent) if found else str(_DEBIAN_DEJAVU)
        if folder not in folders:
            folders.append(folder)
    return tuple(folders)


@cache
def _compiler(template: str):
    import typst

    return typst.Compiler(
        str(TYPST_DIR / template),
        root=str(TYPST_DIR),
        font_paths=list(font_dirs()),
        ignore_system_fonts=True,
    )


def typst_pdf(template: str, data: dict) -> bytes:
    """`template` (a file in typst/) compiled with `data` as its JSON input: PDF/A-3b bytes.
    `data` must hold `created` (ISO date, the PDF's date) and `title` (its identity)."""
    payload = json.dumps(clean_text(data), ensure_ascii=False, sort_keys=True)
    return _compiler(template).compile(
        format="pdf",
        sys_inputs={"data": payload},
        pdf_standards=[PDF_STANDARD],
        # untagged, like WeasyPrint's PDF/A-3b ("b": visual appearance); tags made the
        # files 2-4x larger and the act 4x slower
        pdf_tags=False,
    )
