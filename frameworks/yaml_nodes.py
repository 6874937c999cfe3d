"""One ladder's YAML as a node tree that remembers lines, and the YAML-level problems found reading it.

The node tree is composed once; the schema and cross-reference passes read their data from it and look
lines up in it (`node_at`, `key_line`), so every problem can be reported as `file:line`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from frameworks.errors import FrameworkError

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
JsonPath = Sequence[str | int]


def decode(raw: bytes, path: Path | str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        bad = raw[error.start : error.start + 1].hex()
        raise FrameworkError(
            path,
            line,
            f"the file is not valid UTF-8 (byte 0x{bad} at column {column}); re-save it with UTF-8 encoding.",
        ) from None


def compose(text: str, path: Path | str) -> yaml.Node:
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise FrameworkError(path, 1, "the file is empty; a ladder needs at least id, name, version, levels and areas.")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        raise _yaml_error(text, path, error) from None
    finally:
        loader.dispose()
    if node is None:
        raise FrameworkError(path, 1, "the file is empty; a ladder needs at least id, name, version, levels and areas.")
    return node


def _yaml_error(text: str, path: Path | str, error: yaml.YAMLError) -> FrameworkError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    error_line = mark.line + 1 if mark is not None else None
    lines = text.splitlines()
    last = error_line if error_line is not None else len(lines)
    for number, line in enumerate(lines[: last + 1], start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            return FrameworkError(
                path, number, "this line is indented with a tab; YAML indentation must use spaces only."
            )
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    detail = f"{problem} ({context})" if context else problem
    if "expected a single document" in str(error):
        detail = "the file holds more than one YAML document ('---'); put one ladder per file"
    return FrameworkError(path, error_line, f"invalid YAML: {detail}.")


def check_duplicate_keys(node: yaml.Node, path: Path | str) -> None:
    # Aliases share nodes: each node is checked once, so a repeated alias costs nothing more.
    stack = [node]
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        raise FrameworkError(
                            path,
                            line,
                            f"duplicate key {key.value!r} in the same mapping (first at line "
                            f"{seen[key.value]}); the second one would silently replace the first.",
                        )
                    seen[key.value] = line
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def construct(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def node_at(root: yaml.Node, json_path: JsonPath) -> yaml.Node:
    node = root
    for part in json_path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    node = value
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


def key_line(root: yaml.Node, json_path: JsonPath) -> int:
    """Line of the key for the last path element (falls back to the value's line)."""
    parent = node_at(root, json_path[:-1])
    if isinstance(parent, yaml.MappingNode):
        for key, _ in parent.value:
            if isinstance(key, yaml.ScalarNode) and key.value == json_path[-1]:
                return key.start_mark.line + 1
    return node_at(root, json_path).start_mark.line + 1
