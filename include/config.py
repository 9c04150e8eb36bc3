"""Settings of each DAG: the seed's settings screens as pydantic models.

A DAG's settings live in one JSON Airflow Variable named after the DAG
(`eios_sync`, `kontur_recordings`, ...). A run param with the same name as a
field overrides it for that run. A bad value fails the run at once, naming
the field: `load_settings` raises `SettingsError` before any work starts.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names each bad field."""


class PipelineSettings(BaseModel):
    """Base of every DAG's settings: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


SettingsT = TypeVar("SettingsT", bound=PipelineSettings)


def parse_settings(
    model: type[SettingsT], stored: str | dict | None, overrides: dict[str, Any] | None = None
) -> SettingsT:
    """Validate stored JSON plus run-param overrides (a `None` override means: not set)."""
    if isinstance(stored, str):
        try:
            stored = json.loads(stored) if stored.strip() else {}
        except json.JSONDecodeError as exc:
            raise SettingsError(
                f"Variable {model.__name__}: not valid JSON ({exc.msg} at line {exc.lineno} "
                f"column {exc.colno})"
            ) from None
    values = dict(stored or {})
    if not isinstance(values, dict):
        raise SettingsError(f"{model.__name__}: the Variable must hold a JSON object")
    for name, value in (overrides or {}).items():
        if name in model.model_fields and value is not None:
            values[name] = value
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(settings)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"invalid {model.__name__} setting(s): {problems}") from None


def load_settings(
    model: type[SettingsT], variable_key: str, overrides: dict[str, Any] | None = None
) -> SettingsT:
    """Read the DAG's JSON Variable (absent means all defaults) and validate it."""
    from airflow.sdk import Variable  # imported at run time, never at DAG parse

    stored = Variable.get(variable_key, default=None)
    return parse_settings(model, stored, overrides)


# --- one model per DAG; each pipeline fills its own ------------------------


class EiosSyncSettings(PipelineSettings):
    """`eios_sync`: see specs/eios-sync.md (the seed's "Синхронизация с ЭИОС" screen)."""

    faculties: list[str] = Field(
        default_factory=list,
        description="EIOS faculty ids to scan, one mapped branch each; empty = all of /faculties",
    )
    scan_from: date | None = Field(
        None, description="first run's lower bound of changed_at (later runs: the watermark)"
    )
    mass_graduation_threshold_pct: float = Field(
        30, gt=0, le=100, description="hold a faculty's suspensions at this share of its active"
    )
    guard_min_active_students: int = Field(
        20, ge=0, description="the guard applies to faculties with at least this many active"
    )
    per_faculty_limit: int = Field(
        0, ge=0, description="changed students per faculty per run, oldest first; 0 = no limit"
    )
    history_retention_days: int = Field(30, ge=1, description="history CSVs older are removed")
    username_template: str = Field(
        "{login}", description="str.format template over the EIOS item, lower-cased"
    )
    auth: Literal[
        "manual", "nologin", "db", "ldap", "oauth2", "cas", "shibboleth", "saml2", "email"
    ] = Field("manual", description="Moodle auth plugin of new users")
    on_leave: Literal["suspend", "suspend_and_remove_from_cohort"] = Field(
        "suspend", description="expelled / academic leave: keep or drop the cohort membership"
    )
    ws_batch_size: int = Field(
        100, ge=1, le=2000, description="users or members per WS call (max_input_vars bound)"
    )
    ws_max_input_vars: int = Field(
        5000,
        ge=100,
        le=1000000,
        description="PHP max_input_vars of the Moodle server: every call stays under it",
    )
    allow_accounts_same_email: bool = Field(
        False, description="Moodle's allowaccountssameemail: several accounts may share one e-mail"
    )
    eios_page_size: int = Field(1000, ge=1, le=5000, description="students per EIOS feed page")
    eios_max_pages: int = Field(
        1000,
        ge=1,
        le=100000,
        description="an EIOS students feed stops with an error past this many pages "
        "(10^6 students at the default page size; a faculty is one to a few pages)",
    )
    reject_share_max_pct: float = Field(
        5, ge=0, le=100, description="above this share of rejects a faculty is not synced"
    )
    group_code_pattern: str = Field(
        r"^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё._-]{0,39}$",
        description="regular expression every group_code must match",
    )
    dry_run: bool = Field(False, description="plan and write the CSV, change nothing")
    approval_timeout_hours: float = Field(
        20,
        gt=0,
        lt=24,
        description="hours a held faculty's question waits in Required actions (under the "
        "daily schedule); no answer keeps it held",
    )

    @field_validator("username_template")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        import string

        allowed = {"login", "student_id", "record_book", "first_name", "last_name", "faculty_id"}
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        if not names or not names <= allowed:
            raise ValueError(f"use one or more of {{{'}, {'.join(sorted(allowed))}}}")
        return value

    @field_validator("group_code_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class KonturRecordingsSettings(PipelineSettings):
    """`kontur_recordings`: see specs/kontur-recordings.md (seed "Контур.Толк: публикация").

    Dates and times are ISO strings (`YYYY-MM-DD`, `HH:MM`), checked here and
    converted by include/recordings/.
    """

    from pydantic import field_validator  # local: only this class's validators use it

    # Общие настройки
    default_prefix: str = Field("", max_length=50, description="Префикс по умолчанию")
    threshold_date: str | None = Field(
        None, description="Дата-порог (YYYY-MM-DD): older recordings are never published"
    )
    min_section: int = Field(2, ge=2, le=500, description="Минимальный номер секции (≥2)")
    default_category_id: int = Field(1, ge=1, description="Категория курсов (по умолчанию)")
    prefix_routes: dict[str, int] = Field(
        default_factory=dict, description='Маршрутизация по префиксам, e.g. {"ЕГЭ": 735}'
    )
    # Автопубликация
    auto_publish: bool = Field(False, description="Включить автопубликацию")
    publish_at: str = Field("20:00", description="Ежедневно в HH:MM, the university's local time")
    timezone: str = Field("Europe/Moscow", description="The university's IANA time zone")
    # Polling and placement
    overlap_hours: int = Field(24, ge=0, le=24 * 14, description="Re-read window before watermark")
    initial_lookback_days: int = Field(7, ge=1, le=366, description="The first poll reaches back")
    page_size: int = Field(500, ge=1, le=1000, description="`top` of one API page (1-1000)")
    max_pages: int = Field(
        1000,
        ge=1,
        le=100000,
        description="a poll stops with an error past this many pages (500 000 recordings at "
        "the default page_size; a day is one or two pages)",
    )
    viewer_url_template: str = Field(
        "{base_url}/recordings/{id}", description="Link of a recording, over its fields"
    )
    recordings_section_name: str = Field("Записи занятий", min_length=1, max_length=255)
    # Архив
    archive_page_name: str = Field("Архив записей занятий", min_length=1, max_length=255)
    clear_after_days: int = Field(30, ge=1, le=3650, description="Очистить разделы: older than N")
    approval_timeout_minutes: float = Field(
        120,
        gt=0,
        le=7 * 24 * 60,
        description="How long a clearing waits for its approval (Required actions); no "
        "answer in time clears nothing",
    )

    @field_validator("threshold_date")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        import datetime

        if value in (None, ""):
            return None
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError(f"{value!r} is not a date YYYY-MM-DD") from None

    @field_validator("publish_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        import datetime

        try:
            return datetime.datetime.strptime(value, "%H:%M").strftime("%H:%M")
        except ValueError:
            raise ValueError(f"{value!r} is not a time HH:MM") from None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("prefix_routes")
    @classmethod
    def _routes(cls, value: dict[str, int]) -> dict[str, int]:
        for prefix, category in value.items():
            if not prefix.strip() or category < 1:
                raise ValueError(f"route {prefix!r} -> {category}: needs a prefix and an id >= 1")
        return {prefix.strip(): category for prefix, category in value.items()}

    @field_validator("viewer_url_template")
    @classmethod
    def _template(cls, value: str) -> str:
        import string

        names = {name for _, name, _, _ in string.Formatter().parse(value) if name}
        allowed = {"base_url", "id", "key", "title", "roomName"}
        if not names & {"id", "key"} or names - allowed:
            raise ValueError(f"needs {{id}} or {{key}}; allowed fields: {sorted(allowed)}")
        return value

    del field_validator


class ExamArchiveSettings(PipelineSettings):
    """`exam_archive`: see specs/exam-archive.md (exam results archived as PDF by date)."""

    timezone: str = Field(
        "Europe/Moscow", description="the university's IANA time zone: what 'a date' means"
    )
    name_pattern: str = Field(
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

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("name_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


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
    max_pages: int = Field(
        1000,
        ge=1,
        le=100000,
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


class VoucherPaymentsSettings(VoucherSettings):
    """`voucher_payments`' own settings (Variable `voucher_payments`) over the shared ones."""

    payment_due_days: int = Field(30, ge=1, le=365)


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
        import re

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
