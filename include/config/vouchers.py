"""Settings of the voucher DAGs (one Variable `vouchers`)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from include.config.base import PageLimit, PipelineSettings
from include.render.volumes import PdfEngine


class VoucherSettings(PipelineSettings):
    """What `voucher_ingest`, `voucher_acts` and `voucher_payments` must agree on: the
    working-day calendar and the paging bound. One Variable `vouchers` (docs/vouchers.md),
    never a per-DAG one, so ingest and acts cannot disagree on what a working day is."""

    extra_holidays: list[date] = Field(
        default_factory=list, description="holidays beyond the shipped calendar"
    )
    extra_working_days: list[date] = Field(
        default_factory=list, description="working Saturdays set by a government decree"
    )
    max_pages: PageLimit = Field(
        1000,
        description="a paged LMS or registry list stops with an error past this many pages "
        "(10^6 vouchers are 20 pages; a provider's day is one page)",
    )


class VoucherIngestSettings(VoucherSettings):
    """`voucher_ingest`'s own settings (Variable `voucher_ingest`) over the shared ones."""

    provider_batch_size: int = Field(200, ge=1, le=100000, description="providers per ingest task")
    lms_page_size: int | None = Field(
        None, ge=1, le=50000, description="items per kindergarten-LMS page (null: 5000 / 20000)"
    )
    lms_concurrency: int = Field(
        4,
        ge=1,
        le=64,
        description="connections to the kindergarten LMS per ingest task "
        "(a bounded thread pool reads providers' registers side by side)",
    )


class VoucherActsSettings(VoucherSettings):
    """`voucher_acts`' own settings (Variable `voucher_acts`) over the shared ones."""

    billing_basis: Literal["attendance", "enrolment"] = Field(
        "attendance",
        description="attendance: present + documented excused days; enrolment: every "
        "working day inside the contract",
    )
    iin_visible_digits: int | None = Field(
        4, ge=0, le=12, description="IIN digits shown on acts (null: the full IIN)"
    )
    suspension_grace_months: int = Field(2, ge=1, le=24)
    region_codes: list[str] = Field(
        default_factory=list, description="limit the acts to these regions (empty: all)"
    )
    pdf_engine: PdfEngine = Field(
        "weasyprint",
        description="engine of the act PDFs (include/render/volumes.py): 'weasyprint' or "
        "'typst' (the same fields, PDF/A-3b, ~12x less CPU per 100-child act)",
    )


class VoucherPaymentsSettings(VoucherSettings):
    """`voucher_payments`' own settings (Variable `voucher_payments`) over the shared ones."""

    payment_due_days: int = Field(30, ge=1, le=365)
