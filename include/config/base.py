"""The base of every DAG's settings: validation, and the error that names each bad field."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names each bad field."""


class PipelineSettings(BaseModel):
    """Base of every DAG's settings: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


SettingsT = TypeVar("SettingsT", bound=PipelineSettings)


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return value


def _known_zone(value: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown IANA time zone {value!r}") from None
    return value


# Field types whose check every pipeline shares (a string in the JSON schema and the Params)
RegexText = Annotated[str, AfterValidator(_compiles)]  # a regular expression that compiles
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]  # an IANA time zone name
# the bound of a paged feed: a list that runs past it stops with an error (bounded paging)
PageLimit = Annotated[int, Field(ge=1, le=100000)]


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
