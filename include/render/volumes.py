"""The two volume documents, by either PDF engine: the exam attempt protocol and the
voucher act. The one API the pipelines call for them:

    render_attempt_protocol(document: dict, engine: str = "weasyprint", layout: str = "table") -> bytes
    render_voucher_act(context: dict, engine: str = "weasyprint") -> bytes

`document`: one attempt's context (include.exams.documents.attempt_documents);
`context`: the act's (include.vouchers.acts.pdf_context(document, esf)). `engine` is a
setting's `pdf_engine` (`PdfEngine`): "weasyprint" (the default; Jinja2 XHTML + CSS,
pdf.py) or "typst" (typst_pdf.py, 4-8x less CPU per attempt, ~12x per act). Both give PDF/A-3b with
the same fields, in Russian (Cyrillic and Kazakh letters), byte-identical on a re-run.
"""

from __future__ import annotations

from typing import Literal

PdfEngine = Literal["weasyprint", "typst"]
ENGINES: tuple[str, ...] = ("weasyprint", "typst")
LAYOUTS = ("table", "compact")  # attempt question rows: a six-column table, or numbered lines

TEMPLATE_ATTEMPT = "exam_attempt.html"
EXAM_STYLESHEET = "exam.css"
EXAM_USER_AGENT = "exam_ua.css"
TYPST_ATTEMPT = "exam_attempt.typ"
TEMPLATE_ACT, ACT_STYLESHEET, TYPST_ACT = "voucher_act.html", "voucher_act.css", "voucher_act.typ"


def _check(engine: str, layout: str = "table") -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown pdf_engine {engine!r}; expected one of {ENGINES}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown attempt layout {layout!r}; expected one of {LAYOUTS}")


def attempt_title(document: dict) -> str:
    """The PDF's title; it names the attempt, so Typst's identifier (from the title) does."""
    return f"Протокол попытки {document['attempt_id']}: {document['student_name']}"


def attempt_html(document: dict, layout: str = "table") -> str:
    """The WeasyPrint engine's XHTML of one attempt; its date is the archived date."""
    from include.render.pdf import render_html

    _check("weasyprint", layout)
    return render_html(
        TEMPLATE_ATTEMPT,
        {
            "title": attempt_title(document),
            "created": str(document["archive_date"]),
            "attempts": [document],
            "compact": layout == "compact",
        },
    )


def render_attempt_protocol(
    document: dict, engine: str = "weasyprint", layout: str = "table"
) -> bytes:
    """One attempt's protocol as PDF/A-3b bytes by `engine`."""
    _check(engine, layout)
    if engine == "typst":
        from include.render.typst_pdf import typst_pdf

        data = {
            "title": attempt_title(document),
            "created": str(document["archive_date"]),
            "compact": layout == "compact",
            "attempt": document,
        }
        return typst_pdf(TYPST_ATTEMPT, data)
    from include.render.pdf import html_to_pdf

    return html_to_pdf(
        attempt_html(document, layout), EXAM_STYLESHEET, user_agent_stylesheet=EXAM_USER_AGENT,
        xhtml=True,
    )  # fmt: skip


def act_data(context: dict) -> dict:
    """The Typst act's JSON input: the act with its amounts already in the document's
    money style (`context["money"]`, the formatter the HTML template calls)."""
    act, esf, money = context["act"], context["esf"], context["money"]
    return {
        "title": f"Акт оказанных услуг № {act['act_number']}",
        "created": str(esf["date"]),
        "period_from": context["period_from"],
        "period_to": context["period_to"],
        "act": {
            **{k: v for k, v in act.items() if k not in ("lines", "totals")},
            "lines": [
                {**line, "norm": money(line["norm"]), "amount": money(line["amount"])}
                for line in act["lines"]
            ],
            "totals": {**act["totals"], "amount": money(act["totals"]["amount"])},
        },
        "esf": {
            "seller_bin": esf["seller"]["bin"],
            "buyer_bin": esf["buyer"]["bin"],
            "total": money(esf["total"]),
        },
    }


def render_voucher_act(context: dict, engine: str = "weasyprint") -> bytes:
    """One voucher act as PDF/A-3b bytes by `engine`; `context` as
    include.vouchers.acts.pdf_context gives it."""
    _check(engine)
    if engine == "typst":
        from include.render.typst_pdf import typst_pdf

        return typst_pdf(TYPST_ACT, act_data(context))
    from include.render.pdf import render_pdf

    return render_pdf(TEMPLATE_ACT, context, stylesheet=ACT_STYLESHEET)
