"""The schema of an EIOS student row (`GET /faculties/{id}/students`).

Checked before anything else reads the extract (`check_quality`, first step); a
pydantic model, as every feed's schema is (why: include/feed_schema.py). The row
rules of include/eios/quality.py (scanned faculty, group-code pattern, Moodle's
e-mail and username rules, duplicates) run after it on the rows it accepted.
What is accepted, field by field (fields EIOS adds later are ignored):

| field | accepted | when absent or null |
|---|---|---|
| `student_id` | string or integer, 1-64 of `A-Z a-z 0-9 _ . -`, starting with a letter or digit (it becomes Moodle's `idnumber` and the reject's key) | rejected |
| `last_name`, `first_name` | string, 1-100 characters after trimming (Moodle's column size), no control character; inner whitespace collapsed | rejected |
| `middle_name` | string of at most 100 characters, no control character; collapsed | empty |
| `login` | string of at most 100 characters, no control character, trimmed | empty (the username rule then decides) |
| `email` | string of at most 100 characters (Moodle's column), no control character, trimmed | empty |
| `faculty_id` | string, 1-32 characters | rejected |
| `group_code` | string, 1-64 characters, no control character, trimmed | rejected |
| `record_book`, `specialty`, `study_form` | string of at most 64 / 255 / 32 characters, no control character | empty |
| `course_year` | integer 0-12 | null |
| `status` | one of `studying`, `academic_leave`, `expelled`, `graduated` | rejected |
| `status_date` | date `YYYY-MM-DD`, 1950-01-01 to 2100-12-31 | null |
| `changed_at` | ISO 8601 date-time (no zone = UTC), from 2000-01-01, not after the check's clock | rejected |

Types are strict: a number is not a name, `true` is not a year. A failing row becomes a
`FeedReject` (key `<faculty>/<student_id>`, or a digest of the row; the first failing
field; every reason); the other rows go on, normalised by the model.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, StrictInt, StrictStr, ValidationInfo, field_validator

from include.feed_schema import (
    FeedModel,
    FeedReject,
    Identifier,
    RequiredText,
    collapse_spaces,
    feed_moment,
    printable,
    row_key,
    validate_rows,
)

FEED = "eios_students"
EARLIEST = datetime(2000, 1, 1)
FIRST_STATUS_DATE, LAST_STATUS_DATE = date(1950, 1, 1), date(2100, 12, 31)
Status = Literal["studying", "academic_leave", "expelled", "graduated"]


class EiosStudent(FeedModel):
    """One item of a faculty's students feed, as the sync accepts it."""

    student_id: Identifier
    record_book: StrictStr | None = Field(None, max_length=64)
    login: StrictStr | None = Field(None, max_length=100)
    last_name: StrictStr
    first_name: StrictStr
    middle_name: StrictStr | None = None
    email: StrictStr | None = Field(None, max_length=100)
    faculty_id: StrictStr = Field(..., min_length=1, max_length=32)
    specialty: StrictStr | None = Field(None, max_length=255)
    group_code: RequiredText = Field(..., min_length=1, max_length=64)
    course_year: StrictInt | None = Field(None, ge=0, le=12)
    study_form: StrictStr | None = Field(None, max_length=32)
    status: Status
    status_date: StrictStr | None = None
    changed_at: StrictStr

    @field_validator("last_name", "first_name", "middle_name")
    @classmethod
    def _name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        printable(value)
        text = collapse_spaces(value)
        if not text and info.field_name != "middle_name":
            raise ValueError("empty")
        if len(text) > 100:
            raise ValueError(f"{len(text)} characters, more than Moodle's 100")
        return text

    @field_validator("login", "email", "record_book", "specialty", "study_form", "faculty_id")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else printable(value).strip()

    @field_validator("status_date")
    @classmethod
    def _status_date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not a date YYYY-MM-DD") from None
        if not FIRST_STATUS_DATE <= day <= LAST_STATUS_DATE:
            raise ValueError(f"outside {FIRST_STATUS_DATE} to {LAST_STATUS_DATE}")
        return day.isoformat()

    @field_validator("changed_at")
    @classmethod
    def _changed_at(cls, value: str, info: ValidationInfo) -> str:
        moment = feed_moment(value, info, EARLIEST, unparseable="not an ISO 8601 date-time")
        return moment.isoformat(timespec="seconds")

    def as_row(self) -> dict:
        """The row with the contract's columns, normalised (the row rules' input)."""
        return {
            "student_id": self.student_id,
            "record_book": self.record_book or "",
            "login": self.login or "",
            "last_name": self.last_name,
            "first_name": self.first_name,
            "middle_name": self.middle_name or "",
            "email": self.email or "",
            "faculty_id": self.faculty_id,
            "specialty": self.specialty or "",
            "group_code": self.group_code,
            "course_year": self.course_year,
            "study_form": self.study_form or "",
            "status": self.status,
            "status_date": self.status_date,
            "changed_at": self.changed_at,
        }


def student_key(faculty_id: str, row: Any) -> str:
    """A reject's key: `<faculty>/<student_id>`, else `<faculty>/<digest of the row>`
    (one student may be listed by two faculties: each feed's reject is its own)."""
    return f"{faculty_id}/{row_key(row, 'student_id')}"


def validate_students(
    items: list, faculty_id: str, now: datetime
) -> tuple[list[dict], list[FeedReject]]:
    """(accepted rows as normalised dicts, rejects) of one faculty's extract; `now` naive
    UTC or aware."""
    good, rejects = validate_rows(
        EiosStudent, items, lambda row: student_key(faculty_id, row), {"now": now}
    )
    return [row.as_row() for row in good], rejects
