"""Settings: a bad value fails at once with the field named; run params override."""

from __future__ import annotations

import pytest
from pydantic import Field

from include.config import PipelineSettings, SettingsError, parse_settings


class ExampleSettings(PipelineSettings):
    faculties: list[int] = Field(default_factory=list)
    threshold_pct: float = Field(30, ge=0, le=100)
    dry_run: bool = False


def test_defaults_when_the_variable_is_absent():
    assert parse_settings(ExampleSettings, None).threshold_pct == 30


def test_run_param_overrides_the_variable_and_none_means_not_set():
    settings = parse_settings(
        ExampleSettings,
        '{"threshold_pct": 40, "dry_run": false}',
        {"dry_run": True, "threshold_pct": None},
    )
    assert settings.dry_run is True and settings.threshold_pct == 40


def test_a_bad_value_names_the_field():
    with pytest.raises(SettingsError, match="threshold_pct"):
        parse_settings(ExampleSettings, {"threshold_pct": 140})


def test_an_unknown_field_is_an_error_not_ignored():
    with pytest.raises(SettingsError, match="threshold_percent"):
        parse_settings(ExampleSettings, {"threshold_percent": 10})


def test_broken_json_says_where():
    with pytest.raises(SettingsError, match="not valid JSON .* line 1"):
        parse_settings(ExampleSettings, '{"faculties": [1,}')
