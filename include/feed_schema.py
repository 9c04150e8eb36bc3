"""Checking a feed's rows against its schema: what every feed's model shares.

Every external feed (Kontur.Talk, the kindergarten LMS, the voucher registry) is
checked row by row against a pydantic model before anything else reads it.
pydantic because the project already validates its settings with it (one
library, one way of writing a rule), it is the best-kept validation library of
the Python ecosystem (Rust core, typed, a stable v2 API) and its errors name the
field (`loc`) and the reason (`msg`), which is what a rejects file needs. Models
are strict (a string is not an integer, `true` is not a number) and each says
what an absent field means.

Pure: no Airflow, no database, no network. A row that fails becomes a
`FeedReject` (its key, the first failing field, every reason); the other rows
go on, normalised by the model.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
)

KEY_MAX = 150  # the rejects table's key column holds 191 characters; room for a prefix
REASON_MAX = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class FeedModel(BaseModel):
    """A feed row's model: fields the source adds later are ignored."""

    model_config = ConfigDict(extra="ignore")


@dataclass(frozen=True)
class FeedReject:
    """One rejected row: its key (stable across reads), the first failing field, why."""

    key: str
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {"key": self.key, "field": self.field, "reason": self.reason}


def has_control_characters(text: str) -> bool:
    """Control characters (C0, DEL, C1, line/paragraph separators) a name never holds."""
    return bool(_CONTROL.search(text))


def printable(value: str | None) -> str | None:
    """`value` unchanged; a ValueError when it holds a control character."""
    if value is not None and has_control_characters(value):
        raise ValueError("contains a control character")
    return value


def required_text(value: str) -> str:
    """`value` trimmed; a ValueError when it holds a control character or is empty."""
    text = printable(value).strip()
    if not text:
        raise ValueError("empty")
    return text


RequiredText = Annotated[StrictStr, AfterValidator(required_text)]


def identifier(value: str | int) -> str:
    """`value` as a string of 1-64 of `A-Z a-z 0-9 _ . -` led by a letter or digit (a
    source's id that goes into our keys, markers and URLs); a ValueError otherwise."""
    text = str(value)
    if not _IDENTIFIER.fullmatch(text):
        raise ValueError("not 1-64 characters of A-Z a-z 0-9 _ . -, led by a letter or digit")
    return text


Identifier = Annotated[StrictStr | StrictInt, AfterValidator(identifier)]  # read as a string


def _like(moment: datetime, earliest: datetime) -> datetime:
    """`moment` as naive UTC when `earliest` is naive, else aware (no zone = UTC)."""
    if earliest.tzinfo is None and moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    if earliest.tzinfo is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def feed_moment(
    value: str, info: ValidationInfo, earliest: datetime, *, unparseable: str, prefix: str = ""
) -> datetime:
    """An ISO 8601 date-time (no zone = UTC), from `earliest`, not after the check's clock
    (`now` in the validation context, naive UTC or aware). Naive UTC when `earliest` is
    naive, else aware; the errors are `unparseable`, `<prefix>before …` and
    `<prefix>in the future`."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(unparseable) from None
    try:
        moment = _like(moment, earliest)
    except OverflowError:  # a zone that takes year 1 or 9999 past datetime's range
        far = "before " + str(earliest.date()) if moment.year <= earliest.year else "in the future"
        raise ValueError(prefix + far) from None
    if moment < earliest:
        raise ValueError(f"{prefix}before {earliest.date()}")
    now = (info.context or {}).get("now")
    if now is not None and moment > _like(now, earliest):
        raise ValueError(f"{prefix}in the future")
    return moment


def collapse_spaces(text: str) -> str:
    """Trimmed, inner whitespace runs collapsed to one space (as Moodle compares names)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def row_key(row: Any, *candidates: str) -> str:
    """The reject's key: the first candidate field holding a short printable string or
    integer, else a digest of the row's JSON (the same bad row gets the same key)."""
    if isinstance(row, dict):
        parts = []
        for name in candidates:
            value = row.get(name)
            if isinstance(value, bool) or not isinstance(value, str | int):
                parts = []
                break
            text = str(value).strip()
            if not text or len(text) > KEY_MAX or has_control_characters(text):
                parts = []
                break
            parts.append(text)
        if parts and len("/".join(parts)) <= KEY_MAX:
            return "/".join(parts)
    body = json.dumps(row, sort_keys=True, ensure_ascii=True, default=repr)
    return "row-sha256:" + hashlib.sha256(body.encode()).hexdigest()[:32]


def describe_errors(error: ValidationError) -> tuple[str, str]:
    """(first failing field, the reason): one error's message, or every error as
    `field: message; …`; short and on one line."""
    fields, reasons = [], []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in item["loc"]) or "(row)"
        message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        fields.append(field)
        reasons.append(f"{field}: {message}")
    if len(reasons) == 1:
        reasons = [reasons[0].removeprefix(f"{fields[0]}: ")]  # the field has its own column
    reason = " ".join("; ".join(reasons).split())
    if len(reason) > REASON_MAX:
        reason = reason[: REASON_MAX - 1] + "…"
    return (fields[0] if fields else "(row)")[:100], reason


def validate_rows(
    model: type[BaseModel],
    rows: Iterable[Any],
    key_of: Callable[[Any], str],
    context: dict | None = None,
) -> tuple[list[BaseModel], list[FeedReject]]:
    """(valid rows as model instances, rejects), in the feed's order."""
    good: list[BaseModel] = []
    rejects: list[FeedReject] = []
    for row in rows:
        if not isinstance(row, dict):
            rejects.append(
                FeedReject(key_of(row), "(row)", f"(row): a {type(row).__name__}, not an object")
            )
            continue
        try:
            good.append(model.model_validate(row, context=context))
        except ValidationError as exc:
            field, reason = describe_errors(exc)
            rejects.append(FeedReject(key_of(row), field, reason))
    return good, rejects


def reject_duplicates(
    good: list[BaseModel], rejects: list[FeedReject], key: Callable[[BaseModel], Any], field: str
) -> tuple[list[BaseModel], list[FeedReject]]:
    """Every row whose key occurs more than once goes to rejects (we cannot tell which one
    is true); the rest stay, in order."""
    counts: dict[Any, int] = {}
    for row in good:
        counts[key(row)] = counts.get(key(row), 0) + 1
    kept = [row for row in good if counts[key(row)] == 1]
    twice = [row for row in good if counts[key(row)] > 1]
    seen: set = set()
    extra = []
    for row in twice:
        name = "/".join(map(str, key(row))) if isinstance(key(row), tuple) else str(key(row))
        if name in seen:
            continue
        seen.add(name)
        extra.append(
            FeedReject(name[:KEY_MAX], field, f"{field}: {counts[key(row)]} rows share this key")
        )
    return kept, rejects + extra
