"""The schema of a Kontur.Talk recording entity (`GET /api/Domain/recordings/v2`).

Checked before anything else reads the poll (`check_recordings`); a pydantic
model, as every feed's schema is (why: include/feed_schema.py). What is
accepted, field by field (fields the API adds later are ignored):

| field | accepted | when absent or null |
|---|---|---|
| `id` | string or integer, 1-64 of `A-Z a-z 0-9 _ . -` led by a letter or digit | rejected |
| `key` | string, 1-64 of `A-Z a-z 0-9 _ . -` led by a letter or digit (it goes into the marker `ktalk:<key>` and the file URL, so no `/`, space or control character) | rejected |
| `title` | string, 1-500 characters after trimming, no control character; HTML, quotes and non-ASCII are text (escaped where shown) | rejected |
| `createdDate` | ISO 8601 date-time (no zone = UTC), from 2000-01-01, not after the poll's clock | rejected |
| `createdBy` | object whose `email` is a string of at most 255 characters (or absent/null) | empty e-mail |
| `roomName` | string of at most 255 characters, no control character | empty |
| `participantsCount` | integer 0-1 000 000 | NULL |
| `size` | integer 0 to 2^63 - 1 (bytes) | NULL |
| `duration` | number > 0 and at most 7 days (seconds: the API does not say; assumed) | rejected |

A failing entity becomes a reject (key, first failing field, every reason); the
other entities go on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)

from include.feed_schema import (
    FeedModel,
    FeedReject,
    Identifier,
    RequiredText,
    collapse_spaces,
    feed_moment,
    identifier,
    printable,
    row_key,
    validate_rows,
)

FEED = "kontur_recordings"
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_DURATION_SECONDS = 7 * 24 * 3600


class CreatedBy(FeedModel):
    email: StrictStr | None = Field(None, max_length=255)

    @field_validator("email")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        return printable(value)


class RecordingEntity(FeedModel):
    """One entity of the recordings list, as the poll accepts it."""

    model_config = ConfigDict(populate_by_name=True)

    id: Identifier = Field(...)
    key: Annotated[StrictStr, AfterValidator(identifier)] = Field(...)
    title: RequiredText = Field(...)
    created_date: StrictStr = Field(..., alias="createdDate")
    created_by: CreatedBy | None = Field(None, alias="createdBy")
    room_name: StrictStr | None = Field(None, alias="roomName", max_length=255)
    participants_count: StrictInt | None = Field(
        None, alias="participantsCount", ge=0, le=1_000_000
    )
    size: StrictInt | None = Field(None, ge=0, le=2**63 - 1)
    duration: StrictInt | StrictFloat = Field(...)

    @field_validator("key", mode="before")
    @classmethod
    def _key_present(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("key missing")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if len(value) > 500:
            raise ValueError(f"{len(value)} characters, more than 500")
        return value

    @field_validator("room_name")
    @classmethod
    def _room(cls, value: str | None) -> str | None:
        return None if value is None else collapse_spaces(printable(value))

    @field_validator("created_date", mode="before")
    @classmethod
    def _created_present(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("createdDate not parseable: missing")
        return value

    @field_validator("created_date")
    @classmethod
    def _created(cls, value: str, info: ValidationInfo) -> str:
        moment = feed_moment(
            value, info, EARLIEST, unparseable="createdDate not parseable", prefix="createdDate "
        )
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: float) -> float:
        if not value > 0:  # also NaN
            raise ValueError("duration not > 0")
        if value > MAX_DURATION_SECONDS:
            raise ValueError(f"duration more than {MAX_DURATION_SECONDS} s (7 days)")
        return value

    def as_row(self) -> dict:
        """The entity with our column names (the quality rules' input)."""
        return {
            "id": self.id,
            "key": self.key,
            "title": self.title,
            "created_date": self.created_date,
            "created_by_email": (self.created_by.email if self.created_by else None) or "",
            "room_name": self.room_name or "",
            "participants_count": self.participants_count,
            "size": self.size,
            "duration": self.duration,
        }


def entity_key(entity: Any) -> str:
    """A reject's key: the entity's `key`, else its `id`, else a digest of the entity."""
    key = row_key(entity, "key")
    return key if not key.startswith("row-sha256:") else row_key(entity, "id")


def validate_entities(entities: list, now: datetime) -> tuple[list[dict], list[FeedReject]]:
    """(accepted entities as rows with our column names, rejects) of one poll; `now`
    naive UTC or aware."""
    good, rejects = validate_rows(RecordingEntity, entities, entity_key, {"now": now})
    return [entity.as_row() for entity in good], rejects
