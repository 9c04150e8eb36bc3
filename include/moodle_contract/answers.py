"""What makes two Moodle answers comparable: status, shape, error code, warning codes.

An answer is reduced to a plain dict (`normalise`): the HTTP status; its kind
(`exception`, `null` or `value`); the error code; the warning codes in order;
the shape (every key with the type of its value, list items merged, a key that
only some items carry marked optional), and the values of the few paths a case
names. Ids, times and names vanish into the shape; messages are kept for people
to read, with the run's own names replaced by placeholders, and never compared.
`debuginfo` is left out of the shape: Moodle adds it only with debugging on.
"""

from __future__ import annotations

from typing import Any

OPTIONAL = "?"


def shape_of(value: Any) -> Any:
    """The type tree of a JSON value: `{"key": "int"}`, `["list", item shape]`, `"[]"`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        if not value:
            return "[]"
        merged = shape_of(value[0])
        for item in value[1:]:
            merged = _merge(merged, shape_of(item))
        return ["list", merged]
    if isinstance(value, dict):
        return {key: shape_of(value[key]) for key in sorted(value)}
    return type(value).__name__


def _merge(a: Any, b: Any) -> Any:
    if a == b:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        merged = {}
        for key in sorted(set(a) | set(b)):
            plain = key.rstrip(OPTIONAL)
            in_a = a.get(plain, a.get(plain + OPTIONAL))
            in_b = b.get(plain, b.get(plain + OPTIONAL))
            both = plain in a and plain in b
            name = plain if both else plain + OPTIONAL
            if in_a is None:
                merged[name] = in_b
            elif in_b is None:
                merged[name] = in_a
            else:
                merged[name] = _merge(in_a, in_b)
        return merged
    if a == "[]":
        return b
    if b == "[]":
        return a
    if isinstance(a, list) and isinstance(b, list):
        return ["list", _merge(a[1], b[1])]
    if a == "null":
        return b + "|null" if isinstance(b, str) else b
    if b == "null":
        return a + "|null" if isinstance(a, str) else a
    return "|".join(sorted({*str(a).split("|"), *str(b).split("|")}))


def _replace_names(text: str, names: dict[str, str]) -> str:
    for key, value in sorted(names.items(), key=lambda kv: -len(kv[1])):
        if value and len(value) > 2:
            text = text.replace(value, f"<{key}>")
    return text


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return "<absent>"
    return value


def normalise(
    status: int, body: Any, names: dict[str, str] | None = None, values: tuple[str, ...] = ()
) -> dict:
    """The comparable form of one answer (see the module's docstring)."""
    names = {k: str(v) for k, v in (names or {}).items()}
    answer: dict[str, Any] = {"status": status}
    if isinstance(body, dict) and "exception" in body:
        answer["kind"] = "exception"
        answer["exception"] = str(body.get("exception", ""))
        answer["errorcode"] = str(body.get("errorcode", ""))
        answer["message"] = _replace_names(str(body.get("message", "")), names)
        if body.get("debuginfo"):
            answer["debuginfo"] = _replace_names(str(body["debuginfo"]), names)
        answer["shape"] = shape_of({k: v for k, v in body.items() if k != "debuginfo"})
        return answer
    answer["kind"] = "null" if body is None else "value"
    warnings = body.get("warnings") if isinstance(body, dict) else None
    if isinstance(warnings, list):
        answer["warnings"] = [
            {
                "warningcode": str(w.get("warningcode", "")),
                "item": w.get("item"),
                "message": _replace_names(str(w.get("message", "")), names),
            }
            for w in warnings
            if isinstance(w, dict)
        ]
    answer["shape"] = shape_of(body)
    if values:
        answer["values"] = {path: _replace_names(str(_at(body, path)), names) for path in values}
    return answer


def _shape_differences(expected: Any, got: Any, where: str) -> list[str]:
    if expected == got:
        return []
    if "[]" in (expected, got) and all(
        s == "[]" or (isinstance(s, list) and s[:1] == ["list"]) for s in (expected, got)
    ):
        return []  # an empty list fits any list: the data differs, not the shape
    if isinstance(expected, dict) and isinstance(got, dict):
        found = []
        plain_expected = {k.rstrip(OPTIONAL): (k, v) for k, v in expected.items()}
        plain_got = {k.rstrip(OPTIONAL): (k, v) for k, v in got.items()}
        for key in sorted(set(plain_expected) | set(plain_got)):
            e, g = plain_expected.get(key), plain_got.get(key)
            if g is None and not e[0].endswith(OPTIONAL):
                found.append(f"{where}{key} missing")
            elif e is None and not g[0].endswith(OPTIONAL):
                found.append(f"{where}{key} not in Moodle's answer")
            elif e is not None and g is not None:
                found += _shape_differences(e[1], g[1], f"{where}{key}.")
        return found
    if isinstance(expected, list) and isinstance(got, list):
        return _shape_differences(expected[1], got[1], f"{where}[].")
    if isinstance(expected, str) and isinstance(got, str):
        e, g = set(expected.split("|")), set(got.split("|"))
        if g <= e or e <= g:
            return []  # e.g. "str|null" seen on one side, "str" on the other
    return [
        f"{where.rstrip('.') or 'answer'}: {_describe(expected)} expected, got {_describe(got)}"
    ]


def _describe(shape: Any) -> str:
    if isinstance(shape, dict):
        return "object"
    if isinstance(shape, list):
        return "list"
    return str(shape)


def differences(expected: dict, got: dict) -> list[str]:
    """Every difference in status, kind, error code, warning codes, shape and named values."""
    found = []
    if expected.get("status") != got.get("status"):
        found.append(f"HTTP {got.get('status')} (Moodle: {expected.get('status')})")
    if expected.get("kind") != got.get("kind"):
        what = expected.get("errorcode") or expected.get("kind")
        found.append(
            f"answered {got.get('kind')} {got.get('errorcode', '')}".rstrip()
            + f" (Moodle: {expected.get('kind')} {what})"
        )
        return found
    if expected.get("errorcode") != got.get("errorcode"):
        found.append(f"errorcode {got.get('errorcode')!r} (Moodle: {expected.get('errorcode')!r})")
    codes_expected = [w["warningcode"] for w in expected.get("warnings") or []]
    codes_got = [w["warningcode"] for w in got.get("warnings") or []]
    if codes_expected != codes_got:
        found.append(f"warning codes {codes_got} (Moodle: {codes_expected})")
    found += _shape_differences(expected.get("shape"), got.get("shape"), "")
    for path, value in (expected.get("values") or {}).items():
        seen = (got.get("values") or {}).get(path)
        if seen != value:
            found.append(f"{path} = {seen!r} (Moodle: {value!r})")
    return found
