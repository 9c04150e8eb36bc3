"""Settings of `kontur_recordings` (Variable `kontur_recordings`)."""

from __future__ import annotations

from pydantic import Field

from include.config.base import PageLimit, PipelineSettings, TimeZoneName


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
    timezone: TimeZoneName = Field("Europe/Moscow", description="The university's IANA time zone")
    # Polling and placement
    overlap_hours: int = Field(24, ge=0, le=24 * 14, description="Re-read window before watermark")
    initial_lookback_days: int = Field(7, ge=1, le=366, description="The first poll reaches back")
    page_size: int = Field(500, ge=1, le=1000, description="`top` of one API page (1-1000)")
    max_pages: PageLimit = Field(
        1000,
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
