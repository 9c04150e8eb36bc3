"""HTML → PDF with WeasyPrint: deterministic bytes, PDF/A, embedded Cyrillic fonts.

Deterministic: the same template and data give byte-identical PDFs, because
the document's dates come from the data (never the clock) and the PDF
identifier is derived from the content. Fonts are the system's DejaVu
(Debian's fonts-dejavu-core), subset and embedded, so text is extractable.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


# characters XML 1.0 forbids (Moodle text pasted from office documents can hold them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _printable(value):
    """Every `{{ value }}` of a template: text without XML-forbidden control characters
    (a `Markup` value stays `Markup`, so it is not escaped twice)."""
    if not isinstance(value, str) or not _NOT_XML.search(value):
        return value
    return type(value)(_NOT_XML.sub("", value))


def clean_text(data):
    """`data` (JSON-like) with `_printable` applied to every string in it: the Typst
    engine's input gets the same text the WeasyPrint templates print."""
    if isinstance(data, dict):
        return {key: clean_text(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [clean_text(value) for value in data]
    return _printable(data)


@cache
def _jinja():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_printable,
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


def _html_class(user_agent_stylesheet: str | None, xhtml: bool):
    """WeasyPrint's HTML, or a subclass for templates that are ours.

    `user_agent_stylesheet`: a small user-agent stylesheet (only the elements a template
    uses) cuts the style cascade of every element. `xhtml`: the template is well-formed
    XHTML, parsed by the C XML parser instead of WeasyPrint's pure-Python HTML5 parser
    (about a tenth of an exam attempt's CPU). WeasyPrint has no public option for
    either, hence the subclass; it sets the same attributes as `HTML.__init__`.
    """
    from weasyprint import HTML

    if not user_agent_stylesheet and not xhtml:
        return HTML
    sheet = _stylesheet(user_agent_stylesheet) if user_agent_stylesheet else None

    class TemplateHTML(HTML):
        def __init__(self, string: str, base_url: str):
            if not xhtml:
                super().__init__(string=string, base_url=base_url)
                return
            import xml.etree.ElementTree as ElementTree

            import cssselect2
            from weasyprint.urls import URLFetcher

            root = ElementTree.fromstring(string)
            self.base_url, self.url_fetcher, self.media_type = base_url, URLFetcher(), "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):
            return [sheet] if sheet else super()._ua_stylesheets(forms)

    return TemplateHTML


_HTML_CLASSES: dict = {}


def html_to_pdf(
    html: str,
    stylesheet: str | None = None,
    pdf_variant: str = "pdf/a-3b",
    user_agent_stylesheet: str | None = None,
    xhtml: bool = False,
) -> bytes:
    """Render HTML to PDF bytes; the identifier is a hash of the HTML (stable across runs).

    `user_agent_stylesheet` (a file in static/) replaces WeasyPrint's default one for
    templates that style every element they use, and `xhtml` parses well-formed XHTML
    with the XML parser (both faster); dates in the PDF come only from the HTML's
    `dcterms.created` / `dcterms.modified` meta elements, never the clock.
    """
    key = (user_agent_stylesheet, xhtml)
    if key not in _HTML_CLASSES:
        _HTML_CLASSES[key] = _html_class(user_agent_stylesheet, xhtml)
    html_class = _HTML_CLASSES[key]
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
