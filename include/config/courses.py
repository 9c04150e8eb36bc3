"""Settings of `course_archive` and `course_audit`."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from include.config.base import PipelineSettings


class CourseArchiveSettings(PipelineSettings):
    """`course_archive`: see specs/course-archive.md and docs/courses.md."""

    root_category_id: int = Field(
        0, ge=0, description="Category whose subtree is archived (0: every category of the site)"
    )
    backup_runner: Literal["local"] = "local"
    # argv of Moodle's CLI backup on the Moodle host; --courseid/--destination are appended
    backup_command: list[str] = Field(
        default_factory=lambda: ["php", "/var/www/moodle/admin/cli/backup.php"], min_length=1
    )
    backup_timeout_seconds: int = Field(3600, ge=10)
    staging_dir: str | None = None  # where the CLI writes; a temporary folder when unset
    max_backups_per_run: int = Field(
        20, ge=1, le=10000, description="Throttle: at most this many backups in one run"
    )
    retention_months: int = Field(12, ge=1, le=600)  # the regulation: one calendar year
    archive_parent_category_id: int = Field(0, ge=0)
    archive_category_name: str = Field("Архив {year}", pattern=r"\{year\}")
    archive_category_idnumber: str = Field("archive-{start}-{end}", pattern=r"\{start\}")
    academic_year_start_month: int = Field(9, ge=1, le=12)
    store_prefix: str = Field("courses", min_length=1, pattern=r"^[A-Za-z0-9_\-/]+$")


class CourseAuditSettings(PipelineSettings):
    """`course_audit`: see specs/course-archive.md and docs/courses.md."""

    root_category_id: int = Field(
        0, ge=0, description="Audit this category and its subcategories (0: every category)"
    )
    default_delivery_model: Literal["web_support", "blended", "online"] = Field(
        "web_support", description="Delivery model of courses without the custom field"
    )
    delivery_model_field: str = Field("delivery_model", min_length=1)  # course custom field
    annotation_max_chars: int = Field(400, ge=1)
    glossary_min_entries: int = Field(10, ge=1)
    pass_score: int = Field(100, ge=0, le=100)
    # element code -> regular expressions matched on activity names (case-insensitive);
    # unset codes keep the defaults taken from the regulation's element names
    name_patterns: dict[str, list[str]] = Field(default_factory=dict)
    # delivery model -> required element codes; unset models keep Appendix C (В)
    required_elements: dict[str, list[str]] = Field(default_factory=dict)
    include_hidden_courses: bool = False

    @field_validator("name_patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:

        from include.courses.audit import ELEMENTS_BY_CODE, TOPIC_CODES

        for code, patterns in value.items():
            if code not in ELEMENTS_BY_CODE and code not in TOPIC_CODES:
                raise ValueError(f"unknown element {code!r}")
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"element {code}: not a regular expression: {exc}") from None
        return value

    @field_validator("required_elements")
    @classmethod
    def _known_elements(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from include.courses.audit import ELEMENTS_BY_CODE, MODELS

        for model, codes in value.items():
            if model not in MODELS:
                raise ValueError(f"unknown delivery model {model!r}")
            unknown = [c for c in codes if c not in ELEMENTS_BY_CODE]
            if unknown:
                raise ValueError(f"{model}: unknown element(s) {unknown}")
        return value
