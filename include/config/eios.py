"""Settings of `eios_sync` (Variable `eios_sync`)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from include.config.base import PageLimit, PipelineSettings, RegexText


class EiosSyncSettings(PipelineSettings):
    """`eios_sync`: see specs/eios-sync.md (the seed's "Синхронизация с ЭИОС" screen)."""

    faculties: list[str] = Field(
        default_factory=list,
        description="EIOS faculty ids to scan; empty = all of /faculties",
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
        500, ge=1, le=2000, description="users or members per WS call (max_input_vars bound)"
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
    eios_concurrency: int = Field(
        4, ge=1, le=16, description="EIOS feed requests at a time (one per faculty)"
    )
    eios_page_size: int = Field(1000, ge=1, le=5000, description="students per EIOS feed page")
    eios_max_pages: PageLimit = Field(
        1000,
        description="an EIOS students feed stops with an error past this many pages "
        "(10^6 students at the default page size; a faculty is one to a few pages)",
    )
    reject_share_max_pct: float = Field(
        5, ge=0, le=100, description="above this share of rejects a faculty is not synced"
    )
    group_code_pattern: RegexText = Field(
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
