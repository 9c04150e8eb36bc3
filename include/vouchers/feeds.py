"""The schemas of the voucher feeds: the kindergarten LMS and the voucher registry.

Every row is checked against its pydantic model (why pydantic: include/feed_schema.py)
before the register rules (include/vouchers/register.py) or any table sees it. The
schema covers types, required fields, formats and ranges; the register rules
(checksum of an IIN, known codes, working days, contracts) stay where they were,
so their rejects keep their reasons in `voucher_reject`. What is accepted:

| feed | row | accepted |
|---|---|---|
| `lms_contracts` | contract | `contract_id` 1-40 printable characters, unique in the answer; `iin` 12 digits; `child_name` 1-200 characters (trimmed, inner whitespace collapsed); `group_name` ≤ 100; `group_type` 1-20 of `a-z 0-9 _`; `start_date` ISO date 2000-01-01…2100-12-31; `end_date` null or such a date, not before `start_date` |
| `lms_attendance` | mark | `iin` string of ≤ 20 characters (its checksum is the rule `invalid_iin`); `date` ISO date equal to the day asked; `code` string of ≤ 30 characters (unknown codes are the rule `unknown_code`); `document` true, false or null |
| `registry_regions` | region | `code` 1-10 of `A-Z a-z 0-9 _ -`, unique; `name` 1-200; `emitent_bin` 12 digits; `emitent_name` 1-300 |
| `registry_providers` | provider | `bin` 12 digits, unique; `name` 1-300; `region_code` as a region code; `funding_model` `voucher` or `estimate`; `lms_name` ≤ 100; `estimate_monthly` null or a decimal string 0…10^12 with ≤ 2 decimals; `address` ≤ 300 |
| `registry_norms` | norm | `region_code`, `age_group` (1-10), `group_type` (1-20), unique together; `monthly_amount` a decimal string 0…10^9 with ≤ 2 decimals |
| `registry_vouchers` | voucher | `voucher_id` 1-20 printable, unique; `iin`, `bin` 12 digits; `status` one of issued, reserved, active, redeemed, annulled |
| `registry_risk_flags` | flag | `flag_id` integer ≥ 1, unique; `kind` tax_debt, address_mismatch, liquidation or death; `bin`, `iin` null or 12 digits; `flagged_on` ISO date; `resolved_on` null or an ISO date not before it; `detail` ≤ 300 |

Every text field refuses control characters. Fields the systems add later are
ignored. A failing row becomes a reject (key, first failing field, reason); the
other rows go on.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from include.feed_schema import (
    FeedReject,
    collapse_spaces,
    has_control_characters,
    reject_duplicates,
    row_key,
    validate_rows,
)

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def _printable(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("contains a control character")
    return value


def _name(value: str) -> str:
    text = collapse_spaces(_printable(value))
    if not text:
        raise ValueError("empty")
    return text


def _iso_date(value: str) -> str:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a date YYYY-MM-DD") from None
    if len(value) != 10:
        raise ValueError("not a date YYYY-MM-DD")
    if not EARLIEST <= parsed <= LATEST:
        raise ValueError(f"outside {EARLIEST}…{LATEST}")
    return value


def _digits12(value: str) -> str:
    if not re.fullmatch(r"[0-9]{12}", value):
        raise ValueError("not 12 digits")
    return value


def _money(limit: Decimal):
    def check(value: str) -> str:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError("not a decimal amount") from None
        if not amount.is_finite() or not re.fullmatch(r"[0-9]{1,13}(\.[0-9]{1,2})?", value):
            raise ValueError("not an amount with at most 2 decimals")
        if not Decimal(0) <= amount <= limit:
            raise ValueError(f"outside 0…{limit}")
        return value

    return check


Text = Annotated[StrictStr, AfterValidator(_printable)]
Name = Annotated[StrictStr, AfterValidator(_name)]
IsoDate = Annotated[StrictStr, AfterValidator(_iso_date)]
Digits12 = Annotated[StrictStr, AfterValidator(_digits12)]
Code = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_-]{1,10}$")]


class FeedRow(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- kindergarten LMS ------------------------------------------------------------------
class LmsContract(FeedRow):
    contract_id: Annotated[Text, Field(min_length=1, max_length=40)]
    iin: Digits12
    child_name: Annotated[Name, Field(max_length=200)]
    group_name: Annotated[Text, Field(max_length=100)] | None = None
    group_type: Annotated[StrictStr, Field(pattern=r"^[a-z0-9_]{1,20}$")]
    start_date: IsoDate
    end_date: IsoDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> LmsContract:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


class LmsMark(FeedRow):
    iin: Annotated[Text, Field(max_length=20)]
    date: IsoDate
    code: Annotated[Text, Field(max_length=30)]
    document: StrictBool | None = None

    @field_validator("date")
    @classmethod
    def _the_day_asked(cls, value: str, info: ValidationInfo) -> str:
        day = (info.context or {}).get("day")
        if day is not None and value != str(day):
            raise ValueError(f"not the day asked ({day})")
        return value


# --- voucher registry ------------------------------------------------------------------
class RegistryRegion(FeedRow):
    code: Code
    name: Annotated[Name, Field(max_length=200)]
    emitent_bin: Digits12
    emitent_name: Annotated[Name, Field(max_length=300)]


class RegistryProvider(FeedRow):
    bin: Digits12
    name: Annotated[Name, Field(max_length=300)]
    region_code: Code
    funding_model: Literal["voucher", "estimate"]
    lms_name: Annotated[Text, Field(max_length=100)]
    estimate_monthly: Annotated[StrictStr, AfterValidator(_money(Decimal(10**12)))] | None = None
    address: Annotated[Text, Field(max_length=300)]


class RegistryNorm(FeedRow):
    region_code: Code
    age_group: Annotated[Text, Field(min_length=1, max_length=10)]
    group_type: Annotated[Text, Field(min_length=1, max_length=20)]
    monthly_amount: Annotated[StrictStr, AfterValidator(_money(Decimal(10**9)))]


class RegistryVoucher(FeedRow):
    voucher_id: Annotated[Text, Field(min_length=1, max_length=20)]
    iin: Digits12
    bin: Digits12
    status: Literal["issued", "reserved", "active", "redeemed", "annulled"]


class RegistryRiskFlag(FeedRow):
    flag_id: Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
    kind: Literal["tax_debt", "address_mismatch", "liquidation", "death"]
    bin: Digits12 | None = None
    iin: Digits12 | None = None
    flagged_on: IsoDate
    resolved_on: IsoDate | None = None
    detail: Annotated[Text, Field(max_length=300)] = ""

    @model_validator(mode="after")
    def _ordered(self) -> RegistryRiskFlag:
        if self.resolved_on is not None and self.resolved_on < self.flagged_on:
            raise ValueError(f"resolved_on {self.resolved_on} is before flagged_on")
        return self


# feed -> (model, key fields: the reject's key and the uniqueness of a row)
REGISTRY_FEEDS: dict[str, tuple[type[FeedRow], tuple[str, ...]]] = {
    "registry_regions": (RegistryRegion, ("code",)),
    "registry_providers": (RegistryProvider, ("bin",)),
    "registry_norms": (RegistryNorm, ("region_code", "age_group", "group_type")),
    "registry_vouchers": (RegistryVoucher, ("voucher_id",)),
    "registry_risk_flags": (RegistryRiskFlag, ("flag_id",)),
}


def _validate(
    model: type[FeedRow],
    items: Any,
    keys: tuple[str, ...],
    context: dict | None = None,
    key_prefix: str = "",
) -> tuple[list[dict], list[FeedReject]]:
    def key_of(row: Any) -> str:
        return f"{key_prefix}{row_key(row, *keys)}"

    good, rejects = validate_rows(model, items, key_of, context)
    good, rejects = reject_duplicates(
        good, rejects, lambda r: tuple(getattr(r, k) for k in keys), "/".join(keys)
    )
    if key_prefix:
        rejects = [
            r if r.key.startswith(key_prefix) else FeedReject(key_prefix + r.key, r.field, r.reason)
            for r in rejects
        ]
    return [row.model_dump() for row in good], rejects


def validate_registry(feed: str, items: Any) -> tuple[list[dict], list[FeedReject]]:
    """(valid rows as dicts, rejects) of one registry list; a key twice rejects both rows."""
    model, keys = REGISTRY_FEEDS[feed]
    return _validate(model, items, keys)


def validate_contracts(bin_: str, items: Any) -> tuple[list[dict], list[FeedReject]]:
    """(valid contracts, rejects) of one provider; a `contract_id` twice rejects both."""
    return _validate(LmsContract, items, ("contract_id",), key_prefix=f"{bin_}/")


def validate_marks(bin_: str, day: date, items: Any) -> tuple[list[dict], list[FeedReject]]:
    """(valid marks, rejects) of one provider-day. Two marks of one child on one day are
    left to the register rule `duplicate_mark`, which keeps both in `voucher_reject`."""
    good, rejects = validate_rows(
        LmsMark, items, lambda row: f"{bin_}/{day}/{row_key(row, 'iin')}", {"day": day}
    )
    return [row.model_dump() for row in good], rejects
