"""Every DAG's trigger form submits with its defaults, marks nothing "required"
that has a default, shows no "null" option, and the DAG list shows a one-line
description.

The form model below applies the rules of Airflow 3's React trigger form
(apache/airflow, airflow-core/src/airflow/ui/src/components/FlexibleForm/; the
same expressions are in the built bundle this project installs,
`airflow/ui/dist/assets/index-*.js` of apache-airflow-core 3.3.2):

- isParamRequired.tsx: a param is *required* when its schema has a `type` and
  that type is not a list containing "null":
  `Boolean(schema.type) && (!Array.isArray(schema.type) || !schema.type.includes("null"))`.
  So `type="boolean"` is required (FieldRow.tsx puts the red required mark on it)
  and `type=["boolean", "null"]` is not.
- FlexibleForm.tsx `recheckSection`: a required param whose value is `null`,
  `undefined` or `""` puts its section in error, and the form's `setError(true)`
  keeps the Trigger button disabled (no message beside the button).
- FieldSelector.tsx `inferType`: the widget follows the first non-"null" type;
  a dropdown is a string/number/integer (or untyped null) param with an `enum`.
- FieldDropdown.tsx `labelLookup`: an option's label is
  `values_display[String(value) or "null"] ?? values_display.None ?? that string`;
  without `values_display` a `None` option reads "null". (FieldMultiSelect.tsx:
  `values_display[value] ?? value`.)

The values are the ones the UI receives: the DAG serialized as the DAG processor
stores it, each param's `dump()` as the REST API's DAG details return it (a default
that fails its own schema arrives as `null`), through JSON like the browser sees it.
"""

from __future__ import annotations

import functools
import json
import typing
from dataclasses import dataclass

import pytest

from include.sandbox.environment import PROJECT_ROOT

ENUM_TYPES = ("null", "string", "number", "integer")


def _js_string(value) -> str:
    """JavaScript's `String(value)` for JSON values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class FormField:
    name: str
    widget: str
    required: bool
    value: object
    options: tuple[str, ...]  # the labels a dropdown or multi-select shows

    @property
    def blocks_submit(self) -> bool:
        return self.required and (self.value is None or self.value == "")


def infer_type(schema: dict, value) -> str:
    kind = schema.get("type")
    if kind:
        if isinstance(kind, list):
            return next((t for t in kind if t != "null"), "string")
        return kind
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string"}.get(
        type(value), "object"
    )


def is_required(schema: dict) -> bool:
    kind = schema.get("type")
    return bool(kind) and (not isinstance(kind, list) or "null" not in kind)


def option_labels(widget: str, schema: dict) -> tuple[str, ...]:
    display = schema.get("values_display")
    labels = []
    for value in schema.get("enum") or schema.get("examples") or ():
        key = _js_string(value)
        if widget == "dropdown":
            if isinstance(display, dict):
                labels.append(display.get(key, display.get("None", key)))
            else:
                labels.append(key)
        else:  # multi-select
            labels.append(display.get(key, key) if isinstance(display, dict) else key)
    return tuple(labels)


def form_model(spec: dict) -> list[FormField]:
    """The trigger form of one DAG from the API's `params` (name -> dumped param)."""
    fields = []
    for name, param in spec.items():
        schema, value = param["schema"], param["value"]
        kind = infer_type(schema, value)
        if kind == "boolean":
            widget = "switch"
        elif kind in ENUM_TYPES and isinstance(schema.get("enum"), list):
            widget = "dropdown"
        elif kind == "array" and (
            isinstance(schema.get("examples"), list) or isinstance(schema.get("enum"), list)
        ):
            widget = "multi-select"
        else:
            widget = kind
        options = option_labels(widget, schema) if widget in ("dropdown", "multi-select") else ()
        fields.append(FormField(name, widget, is_required(schema), value, options))
    return fields


# one DAG per file, named after the dag_id (test_dagbag holds every file to it)
DAG_IDS = sorted(path.stem for path in (PROJECT_ROOT / "dags").glob("*.py"))


@functools.cache
def _dags() -> dict:
    from tests.airflow_runs import dag_bag

    return dict(sorted(dag_bag().dags.items()))


def _api_params(dag) -> dict:
    """`params` as `GET /api/v2/dags/{dag_id}/details` returns them."""
    from airflow.serialization.serialized_objects import DagSerialization

    stored = DagSerialization.from_json(DagSerialization.to_json(dag))
    return json.loads(json.dumps({name: p.dump() for name, p in stored.params.items()}))


@pytest.fixture(scope="module", params=DAG_IDS)
def form(request):
    return request.param, form_model(_api_params(_dags()[request.param]))


def test_the_form_submits_with_its_defaults(form):
    dag_id, fields = form
    blocking = [f.name for f in fields if f.blocks_submit]
    assert not blocking, f"{dag_id}: required and empty with the defaults: {blocking}"


def test_no_field_with_a_default_is_marked_required(form):
    """Every param has a default, so the red "required" mark would only mislead;
    booleans above all (`type=["boolean", "null"]`, not `type="boolean"`)."""
    dag_id, fields = form
    switches = [f.name for f in fields if f.widget == "switch" and f.required]
    assert not switches, f"{dag_id}: booleans marked required: {switches}"
    marked = [f.name for f in fields if f.required]
    assert not marked, f"{dag_id}: marked required: {marked}"


def test_no_option_reads_null(form):
    dag_id, fields = form
    for field in fields:
        shown = [label for label in field.options if label in ("null", "None", "")]
        assert not shown, f"{dag_id}.{field.name}: options {field.options}"
        assert len(set(field.options)) == len(field.options), (
            f"{dag_id}.{field.name}: two options share a label: {field.options}"
        )


def test_the_dropdown_default_is_one_of_its_options():
    for dag_id, dag in _dags().items():
        for name, param in _api_params(dag).items():
            enum = param["schema"].get("enum")
            if isinstance(enum, list):
                assert param["value"] in enum, f"{dag_id}.{name}: default {param['value']!r}"


@pytest.mark.parametrize(
    ("dag_id", "param", "model", "field"),
    [
        ("eios_sync", "on_leave", "EiosSyncSettings", "on_leave"),
        ("course_audit", "default_delivery_model", "CourseAuditSettings", "default_delivery_model"),
        ("voucher_acts", "billing_basis", "VoucherActsSettings", "billing_basis"),
    ],
)
def test_a_choice_param_offers_the_settings_choices(dag_id, param, model, field):
    import include.config

    annotation = getattr(include.config, model).model_fields[field].annotation
    enum = _dags()[dag_id].params.get_param(param).schema["enum"]
    assert enum == [None, *typing.get_args(annotation)]


def test_every_dag_has_a_one_line_description():
    assert sorted(_dags()) == DAG_IDS
    for dag_id, dag in _dags().items():
        text = dag.description or ""
        assert text.strip(), f"{dag_id}: no description for the DAG list"
        assert "\n" not in text and len(text) <= 100, f"{dag_id}: {text!r}"
        assert text != dag.doc_md, dag_id


# The model itself, on the cases the issue reported.


def test_the_model_flags_what_the_form_blocked():
    fields = {
        f.name: f
        for f in form_model(
            {
                "confirm": {"value": "", "schema": {"type": "string"}},
                "flag": {"value": False, "schema": {"type": "boolean"}},
                "nullable_flag": {"value": False, "schema": {"type": ["boolean", "null"]}},
                "choice": {
                    "value": None,
                    "schema": {"type": ["null", "string"], "enum": [None, "a"]},
                },
                "labelled": {
                    "value": None,
                    "schema": {
                        "type": ["null", "string"],
                        "enum": [None, "a"],
                        "values_display": {"null": "(the setting)"},
                    },
                },
            }
        )
    }
    assert fields["confirm"].blocks_submit
    assert fields["flag"].required and not fields["flag"].blocks_submit
    assert fields["nullable_flag"].widget == "switch" and not fields["nullable_flag"].required
    assert fields["choice"].options == ("null", "a")
    # a value missing from values_display borrows its "None" entry, else shows itself
    assert fields["labelled"].options == ("(the setting)", "a")
