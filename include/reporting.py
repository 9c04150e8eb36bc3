"""The `report` step of every DAG: a short summary in the log and a row for the UI pages."""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from include.dag_defaults import run_moment

log = logging.getLogger(__name__)

THOUSANDS = "\u00a0"  # a no-break space, as on the acts (include/vouchers/amounts.py)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`plural(1, "act")` -> "1 act", `plural(2, "act")` -> "2 acts".

    Regular English endings are built (category -> categories, batch -> batches);
    pass `plural_form` for the rest (`plural(2, "child", "children")`).
    """
    if count == 1:
        return f"{count} {noun}"
    if plural_form is None:
        if noun.endswith("y") and noun[-2:-1] not in set("aeiou"):
            plural_form = noun[:-1] + "ies"
        elif noun.endswith(("s", "x", "z", "ch", "sh")):
            plural_form = noun + "es"
        else:
            plural_form = noun + "s"
    return f"{count} {plural_form}"


def verb(count: int, singular: str, plural_form: str) -> str:
    """The verb that agrees with `count`: `verb(1, "waits", "wait")` -> "waits"."""
    return singular if count == 1 else plural_form


def money(amount, currency: str = "₸") -> str:
    """`Decimal("1234567.891")` -> "1 234 567,89 ₸": to the tiyn (half up), the
    thousands apart with no-break spaces and a decimal comma, as the acts print it."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, cents = divmod(abs(int(value * 100)), 100)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole:,}".replace(",", THOUSANDS) + f",{cents:02d}{THOUSANDS}{currency}"


def counts_text(counts: dict) -> str:
    """The report's counts as one readable line: `acts 3, held none, by status 2 paid`."""

    def value(item) -> str:
        if isinstance(item, dict):
            return ", ".join(f"{v} {k}" for k, v in item.items()) or "none"
        if isinstance(item, list | tuple | set):
            return ", ".join(map(str, item)) or "none"
        return str(item)

    return "; ".join(f"{name.replace('_', ' ')}: {value(v)}" for name, v in counts.items())


def record_run_report(
    context, summary: str, counts: dict, outputs: dict | None = None, status: str = "success"
) -> dict:
    """Write the run's `pipeline_run_report` row (replaced on re-run) and log the summary."""
    from include.connectors.pipelines_db import PipelinesDbHook

    dag_run = context["dag_run"]
    hook = PipelinesDbHook()
    try:
        hook.record_run_report(
            dag_id=dag_run.dag_id,
            run_id=dag_run.run_id,
            logical_date=run_moment(context).replace(tzinfo=None),
            status=status,
            summary=summary,
            counts=counts,
            outputs=outputs or {},
        )
    finally:
        hook.close()
    log.info("%s", summary)
    log.info("counts: %s", counts_text(counts))
    return {"status": status, "summary": summary, "counts": counts, "outputs": outputs or {}}
