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


def _html_class(user_agent_stylesheet: str | None):
    """WeasyPrint's HTML, or a subclass whose user-agent stylesheet is ours.

    A small user-agent stylesheet (only the elements a template uses) cuts the style
    cascade of every element; WeasyPrint has no public option for it, hence the subclass.
    """
    from weasyprint import HTML

    if not user_agent_stylesheet:
        return HTML
    sheet = _stylesheet(user_agent_stylesheet)

    class TemplateHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet]

    return TemplateHTML


_HTML_CLASSES: dict = {}


def html_to_pdf(
    html: str,
    stylesheet: str | None = None,
    pdf_variant: str = "pdf/a-3b",
    user_agent_stylesheet: str | None = None,
) -> bytes:
    """Render HTML to PDF bytes; the identifier is a hash of the HTML (stable across runs).

    `user_agent_stylesheet` (a file in static/) replaces WeasyPrint's default one for
    templates that style every element they use (faster); dates in the PDF come only
    from the HTML's `dcterms.created` / `dcterms.modified` meta elements, never the clock.
    """
    if user_agent_stylesheet not in _HTML_CLASSES:
        _HTML_CLASSES[user_agent_stylesheet] = _html_class(user_agent_stylesheet)
    html_class = _HTML_CLASSES[user_agent_stylesheet]
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode()
    stylesheets = [_stylesheet(stylesheet)] if stylesheet else []
    return html_class(string=html, base_url=str(STATIC_DIR)).write_pdf(
        stylesheets=stylesheets,
        font_config=_font_config(),
        pdf_variant=pdf_variant,
        pdf_identifier=identifier,
        uncompressed_pdf=False,
    )


def render_pdf(
    template: str,
    context: dict,
    stylesheet: str | None = None,
    user_agent_stylesheet: str | None = None,
) -> bytes:
    return html_to_pdf(
        render_html(template, context), stylesheet, user_agent_stylesheet=user_agent_stylesheet
    )
