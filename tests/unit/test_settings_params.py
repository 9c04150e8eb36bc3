"""Params generated from a settings model: one source for type, bounds, choices, text."""

from __future__ import annotations

import pytest
from airflow.sdk import Param

from include.config import EiosSyncSettings
from include.tasks.settings import params_from, settings_of


def test_every_field_becomes_a_nullable_param_that_keeps_the_models_rules():
    params = params_from(EiosSyncSettings, list(EiosSyncSettings.model_fields))
    assert set(params) == set(EiosSyncSettings.model_fields)
    for name, param in params.items():
        assert param.value is None, name  # default: the Variable's value
        assert "null" in param.schema["type"], name  # nothing marked required in the form
        assert param.description, name
    assert params["on_leave"].schema["enum"][0] is None
    assert params["on_leave"].schema["values_display"]["null"] == "(the setting)"
    assert params["scan_from"].schema["format"] == "date"
    assert params["ws_batch_size"].schema["maximum"] == 2000


def test_a_value_outside_the_models_bounds_is_refused_by_the_param():
    from airflow.sdk.exceptions import ParamValidationError

    batch = params_from(EiosSyncSettings, ["ws_batch_size"])["ws_batch_size"]
    assert Param(50, **{k: v for k, v in batch.dump().items() if k == "description"},
                 **batch.schema).resolve() == 50  # fmt: skip
    with pytest.raises(ParamValidationError):
        Param(0, **batch.schema).resolve()
    with pytest.raises(ParamValidationError):
        Param("many", **batch.schema).resolve()


def test_settings_of_reads_the_resolved_dict_back():
    resolved = EiosSyncSettings(ws_batch_size=10).model_dump(mode="json")
    assert settings_of(EiosSyncSettings, resolved).ws_batch_size == 10
