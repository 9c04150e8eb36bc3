"""A DAG's settings, resolved once per run, and its Params, generated from the same model.

`resolve_settings(Model, variable)` is the first task of a DAG: it reads the JSON
Variable once, applies the run's params that name a field, validates, and returns the
settings as JSON for XCom. Every later task receives that dict and reads it through
`settings_of(Model, resolved)`, so an edit of the Variable during a run changes nothing
in that run and a bad value fails the run at its first task, naming the field.

`params_from(Model, names)` makes the trigger form's Params from the model's JSON
schema: type, format, bounds, choices and description have one source. Every
generated Param defaults to `None` ("use the Variable's value") and allows null, so
the form submits with its defaults and marks nothing required (tests/dags/test_trigger_forms.py).
`date_param(description)` and `flag_param(description)` are the same for a run's date
(`YYYY-MM-DD`) and a run's switch (off) that are no settings.
"""

from __future__ import annotations

from typing import Any, TypeVar

from airflow.sdk import Param, get_current_context, task

from include.config import PipelineSettings, load_settings
from include.dag_defaults import choices_display

SettingsT = TypeVar("SettingsT", bound=PipelineSettings)

# JSON-schema keywords a Param may carry over from the model's field
_CARRIED = ("format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "minLength", "maxLength", "pattern", "items")  # fmt: skip


def resolve_settings(model: type[PipelineSettings], variable: str):
    """The DAG's first task (`resolve_settings`): the settings of this run as JSON."""

    @task(task_id="resolve_settings", retries=0)
    def resolve() -> dict:
        params = get_current_context()["params"]
        return load_settings(model, variable, params).model_dump(mode="json")

    return resolve()


def settings_of(model: type[SettingsT], resolved: dict) -> SettingsT:
    """The typed settings from `resolve_settings`' XCom (validated once more: cheap, and
    a task given a hand-made dict gets the same errors)."""
    return model.model_validate(resolved)


def _field_schema(model: type[PipelineSettings], name: str) -> dict:
    schema = model.model_json_schema()
    field = dict(schema["properties"][name])
    options = field.pop("anyOf", None)
    if options:  # `X | None`: the non-null branch carries the type
        field.update(next(o for o in options if o.get("type") != "null"))
    ref = field.pop("$ref", None) or (field.get("allOf") or [{}])[0].get("$ref")
    if ref:
        field.update(schema["$defs"][ref.rsplit("/", 1)[-1]])
    return field


def param_from(model: type[PipelineSettings], name: str, description: str | None = None) -> Param:
    """One field of the model as a nullable Param defaulting to `None` (= the setting)."""
    field = _field_schema(model, name)
    text = description or model.model_fields[name].description or name.replace("_", " ")
    extra: dict[str, Any] = {k: field[k] for k in _CARRIED if k in field}
    if "enum" in field:
        choices = tuple(field["enum"])
        return Param(
            None,
            type=["null", field.get("type", "string")],
            enum=[None, *choices],
            values_display=choices_display(choices),
            description=text,
            **extra,
        )
    return Param(None, type=["null", field.get("type", "string")], description=text, **extra)


def date_param(description: str) -> Param:
    """A run's date (`YYYY-MM-DD`, the form shows a date picker) defaulting to `None`: the
    task then takes its day from the run (its logical date)."""
    return Param(None, type=["null", "string"], format="date", description=description)


def flag_param(description: str) -> Param:
    """A run's switch, off by default (nullable: the form marks no non-nullable type
    "required")."""
    return Param(False, type=["boolean", "null"], description=description)


def params_from(model: type[PipelineSettings], names: list[str] | tuple[str, ...]) -> dict:
    """Params for the named fields (a run param with a field's name overrides it)."""
    return {name: param_from(model, name) for name in names}
