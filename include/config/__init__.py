"""Settings of each DAG: the seed's settings screens as pydantic models.

A DAG's settings live in one JSON Airflow Variable named after the DAG
(`eios_sync`, `kontur_recordings`, ...). A run param with the same name as a
field overrides it for that run. A bad value fails the run at once, naming
the field: `load_settings` raises `SettingsError` before any work starts.
"""

from include.config.base import PipelineSettings, SettingsError, load_settings, parse_settings
from include.config.courses import CourseArchiveSettings, CourseAuditSettings
from include.config.eios import EiosSyncSettings
from include.config.exams import ExamArchiveSettings
from include.config.kontur import KonturRecordingsSettings
from include.config.vouchers import (
    VoucherActsSettings,
    VoucherIngestSettings,
    VoucherPaymentsSettings,
    VoucherSettings,
)

__all__ = [
    "PipelineSettings",
    "SettingsError",
    "load_settings",
    "parse_settings",
    "EiosSyncSettings",
    "KonturRecordingsSettings",
    "ExamArchiveSettings",
    "VoucherSettings",
    "VoucherIngestSettings",
    "VoucherActsSettings",
    "VoucherPaymentsSettings",
    "CourseArchiveSettings",
    "CourseAuditSettings",
]
