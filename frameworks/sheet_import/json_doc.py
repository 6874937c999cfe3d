"""A ladder written as JSON in growthbot's own schema: checked against frameworks/schema.json like a YAML file."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

from frameworks.errors import FrameworkError
from frameworks.markdown_import.ids import carry_ids
from frameworks.schema_errors import validate_schema
from frameworks.sheet_import.ladder import SheetImportError, SheetImportResult


def read_json(text: str, *, source_name: str = "", existing: dict[str, Any] | None = None) -> SheetImportResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SheetImportError(f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}).") from None
    try:
        # a copy: the compiled check fills in schema defaults, which the written YAML should not gain
        validate_schema(copy.deepcopy(data), _line_tree(text), source_name or "<json>")
    except FrameworkError as error:
        where = f"line {error.line}: " if error.line else ""
        raise SheetImportError(f"{where}{error.problem} (checked against growthbot's ladder schema)") from None
    if existing:
        carry_ids(data, existing)
    counts = [
        (area["id"], cell["level"], len(cell.get("behaviours", ())))
        for area in data["areas"]
        for cell in area.get("cells", ())
    ]
    return SheetImportResult(document=data, counts=counts)


def _line_tree(text: str) -> yaml.Node:
    """The JSON as a YAML node tree, only so a schema problem can name its line (tabs are spaces to YAML)."""
    try:
        node = yaml.compose(text.replace("\t", " "), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        node = None
    return node if node is not None else yaml.compose("{}", Loader=yaml.SafeLoader)
