"""Settings of `exam_archive` (Variable `exam_archive`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from include.config.base import PipelineSettings, RegexText, TimeZoneName
from include.render.volumes import PdfEngine


class ExamArchiveSettings(PipelineSettings):
    """`exam_archive`: see specs/exam-archive.md (exam results archived as PDF by date)."""

    timezone: TimeZoneName = Field(
        "Europe/Moscow", description="the university's IANA time zone: what 'a date' means"
    )
    name_pattern: RegexText = Field(
        r"экзамен|зач[её]т|exam",
        description="case-insensitive regular expression on the quiz name; '' = do not match names",
    )
    category_ids: list[int] = Field(
        default_factory=list,
        description="course category ids (their subcategories included) whose quizzes are exams",
    )
    combine: Literal["or", "and"] = Field(
        "or", description="a quiz is an exam if it matches the name 'or' / 'and' the categories"
    )
    institution: str = Field(
        "Майкопский государственный технологический университет",
        min_length=1,
        description="institution name printed on every PDF",
    )
    render_processes: int = Field(
        0, ge=0, le=64, description="PDF render processes per mapped task; 0 = one per CPU"
    )
    attempt_layout: Literal["table", "compact"] = Field(
        "table",
        description="question rows of an attempt PDF: a six-column 'table', or 'compact' "
        "numbered lines (the same fields, about 2.5x less CPU per PDF)",
    )
    render_task_attempts: int = Field(
        10000,
        ge=1,
        le=1000000,
        description="attempts per mapped render task (a quiz is never split): each task "
        "starts one worker pool; lower it to spread a day over several Celery workers",
    )
    pdf_engine: PdfEngine = Field(
        "weasyprint",
        description="engine of the attempt PDFs: 'weasyprint' (HTML + CSS) or 'typst' (the "
        "same fields, PDF/A-3b, 4-6x less CPU per PDF than WeasyPrint compact); summaries are "
        "always WeasyPrint",
    )
