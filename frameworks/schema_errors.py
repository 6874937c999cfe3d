"""The JSON Schema pass over one ladder, and the message that says what to fix when it fails.

A compiled check (fastjsonschema) answers "valid?"; only a file that fails it is run through jsonschema,
whose errors are ranked so the one reported is the one to fix first (a typo'd key before the "missing"
key it causes) and turned into a sentence naming the place (`in area 'delivery', cell for level '2'`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from frameworks.errors import FrameworkError
from frameworks.yaml_nodes import JsonPath, node_at

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.json"


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema())


@cache
def _fast_validator() -> Callable[[Any], Any]:
    # jsonschema is ~30x slower on a full ladder; the compiled check answers "valid?" and jsonschema
    # is only asked to explain a file that fails it.
    return fastjsonschema.compile(_schema())


def validate_schema(data: Any, root: yaml.Node, path: Path | str) -> None:
    if not isinstance(data, dict):
        raise FrameworkError(
            path,
            root.start_mark.line + 1,
            f"the file must be a YAML mapping with id, name, version, levels and areas keys, not {_kind(data)}.",
        )
    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaValueException as fast_error:
        errors = list(_validator().iter_errors(data))
        if not errors:
            json_path = [p for p in (fast_error.path or [])[1:]]
            line = node_at(root, json_path).start_mark.line + 1
            raise FrameworkError(path, line, f"{fast_error.message}.") from None
    else:
        return
    errors = [_branch_error(e) for e in errors]
    # A typo'd key also makes the real key "missing": report the typo, which says what to fix.
    typo_paths = {tuple(e.absolute_path) for e in errors if e.validator == "additionalProperties"}
    located = sorted(
        (
            (
                e.validator == "required" and tuple(e.absolute_path) in typo_paths,
                _error_line(e, root),
                -len(e.absolute_path),
                i,
                e,
            )
            for i, e in enumerate(errors)
        ),
        key=lambda item: item[:4],
    )
    _, line, _, _, first = located[0]
    noise = [e for e in errors if e.validator == "required" and tuple(e.absolute_path) in typo_paths]
    if first.validator == "required":
        # Name every missing key of that mapping at once.
        siblings = [
            e for e in errors if e.validator == "required" and list(e.absolute_path) == list(first.absolute_path)
        ]
        message = _explain_missing(siblings, data)
        noise = siblings
    else:
        message = _explain(first, data)
    more = len(errors) - 1 - len([e for e in noise if e is not first])
    if more:
        message += f" ({more} more problem{'s' if more > 1 else ''} in this file after this one.)"
    raise FrameworkError(path, line, message)


def _branch_error(error: ValidationError) -> ValidationError:
    """For `oneOf` (a `source` line or block), the problem inside the branch the value was meant for."""
    if error.validator != "oneOf" or not error.context:
        return error
    meant = [e for e in error.context if e.validator != "type"]
    return meant[0] if meant else error


def _error_line(error: ValidationError, root: yaml.Node) -> int:
    node = node_at(root, list(error.absolute_path))
    if error.validator == "additionalProperties" and isinstance(node, yaml.MappingNode):
        allowed = set(error.schema.get("properties", {}))
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value not in allowed:
                return key.start_mark.line + 1
    return node.start_mark.line + 1


def _explain(error: ValidationError, data: Any) -> str:
    json_path = list(error.absolute_path)
    where = _describe(data, json_path)
    field_name = _field_name(json_path)
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        key = unknown[0] if unknown else "?"
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key {key!r} {where}; {hint}allowed keys here: {', '.join(allowed)}."
    if kind == "required":
        return _explain_missing([error], data)
    if kind == "type":
        expected = error.validator_value
        if expected == "string" and isinstance(value, int | float | bool):
            return (
                f"{field_name} {where} must be a string, got {_kind(value)} {value!r}; "
                f'quote it, e.g. "{_yaml_scalar(value)}".'
            )
        return f"{field_name} {where} must be {_article(expected)}, got {_kind(value)}."
    if kind == "pattern":
        if error.validator_value == "\\S":
            return f"{field_name} {where} must not be empty."
        if "all|" in str(error.validator_value):
            return f"readiness bar {value!r} {where} must be 'all' or a percentage from 1% to 100%, e.g. '80%'."
        if "._" in str(error.validator_value):
            rule = "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"
        else:
            rule = "lowercase letters, digits and '-', starting with a letter or digit"
        return f"{field_name} {value!r} {where} is not a valid id: use only {rule}."
    if kind == "maxLength":
        return f"{field_name} {value!r} {where} is longer than {error.validator_value} characters."
    if kind == "minItems":
        count = error.validator_value
        return f"{field_name} {where} must list at least {count} entr{'y' if count == 1 else 'ies'}."
    if kind == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return f"{field_name} {where} must be one of {options}, got {value!r}."
    if kind == "minimum":
        return f"{field_name} {where} must be at least {error.validator_value}, got {value!r}."
    return f"{field_name} {where}: {error.message}."


def _explain_missing(errors: list[ValidationError], data: Any) -> str:
    missing = [_quoted_name(e.message) for e in errors]
    where = _describe(data, list(errors[0].absolute_path))
    extra = " (required because status is incomplete: say what is missing)" if "status_note" in missing else ""
    if len(missing) == 1:
        return f"missing required key {missing[0]!r} {where}{extra}."
    return f"missing required keys {', '.join(repr(m) for m in missing)} {where}{extra}."


def _quoted_name(message: str) -> str:
    return message.split("'")[1] if message.count("'") >= 2 else message


def _describe(data: Any, json_path: JsonPath) -> str:
    """Readable location such as `in area 'delivery', cell for level '2', behaviour 'delivery-2-01'`."""
    parts: list[str] = []
    node = data
    labels = {"levels": "level", "groups": "group", "tracks": "track", "areas": "area", "behaviours": "behaviour"}
    previous: str | int | None = None
    for part in json_path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and isinstance(previous, str):
            ident = node.get("level" if previous == "cells" else "id") if isinstance(node, dict) else None
            if previous == "cells":
                parts.append(f"cell for level {ident!r}" if isinstance(ident, str) else f"cell #{part + 1}")
            elif previous in labels:
                label = labels[previous]
                parts.append(f"{label} {ident!r}" if isinstance(ident, str) else f"{label} #{part + 1}")
            elif previous == "examples":
                parts.append(f"example #{part + 1}")
        previous = part
    return "in " + ", ".join(parts) if parts else "at the top level"


def _field_name(json_path: JsonPath) -> str:
    for part in reversed(json_path):
        if isinstance(part, str):
            return part
    return "value"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _article(expected: Any) -> str:
    names = {
        "string": "a string",
        "object": "a mapping",
        "array": "a list",
        "integer": "a whole number",
        "boolean": "true or false",
    }
    if isinstance(expected, list):
        return " or ".join(names.get(e, e) for e in expected)
    return names.get(expected, str(expected))


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
