"""HTML → PDF with WeasyPrint: deterministic bytes, PDF/A, embedded Cyrillic fonts.

Deterministic: the same template and data give byte-identical PDFs, because
the document's dates come from the data (never the clock) and the PDF
identifier is derived from the content. Fonts are the system's DejaVu
(Debian's fonts-dejavu-core), subset and embedded, so text is extractable.
"""

from __future__ import annotations

import hashlib
from functools import cache

from include.sandbox.environment import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "include" / "render" / "templates"
STATIC_DIR = PROJECT_ROOT / "include" / "render" / "static"


@cache
def _jinja():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _stylesheet(name: str):
    from weasyprint import CSS

    return CSS(filename=str(STATIC_DIR / name))


@cache
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_html(template: str, context: dict) -> str:
    return _jinja().get_template(template).render(**context)


def html_to_pdf(html: str, stylesheet: str | None = None, pdf_variant: str = "pdf/a-3b") -> bytes:
    """Render HTML to PDF bytes; the identifier is a hash of the HTML (stable across runs)."""
    from weasyprint import HTML

    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode()
    stylesheets = [_stylesheet(stylesheet)] if stylesheet else []
    return HTML(string=html, base_url=str(STATIC_DIR)).write_pdf(
        stylesheets=stylesheets,
        font_config=_font_config(),
        pdf_variant=pdf_variant,
        pdf_identifier=identifier,
        uncompressed_pdf=False,
    )


def render_pdf(template: str, context: dict, stylesheet: str | None = None) -> bytes:
    return html_to_pdf(render_html(template, context), stylesheet)
