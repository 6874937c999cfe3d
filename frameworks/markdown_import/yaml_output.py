"""A framework document as block-style YAML in schema key order, the way the checked-in ladders are written."""

from __future__ import annotations

from typing import Any

import yaml

_KEY_ORDER = {
    "framework": (
        "id",
        "name",
        "description",
        "source",
        "version",
        "status",
        "status_note",
        "levels",
        "groups",
        "tracks",
        "areas",
    ),
    "area": ("id", "name", "group", "description", "examples", "cells"),
    "cell": ("level", "summary", "not_applicable", "behaviours"),
    "behaviour": ("id", "text", "track", "qualifier", "examples"),
    "simple": ("id", "name", "description"),
}


def _ordered(mapping: dict[str, Any], kind: str) -> dict[str, Any]:
    order = _KEY_ORDER[kind]
    keys = sorted(mapping, key=lambda k: order.index(k) if k in order else len(order))
    return {k: mapping[k] for k in keys}


def _normalised(document: dict[str, Any]) -> dict[str, Any]:
    out = _ordered(document, "framework")
    for key in ("levels", "groups", "tracks"):
        if key in out:
            out[key] = [_ordered(item, "simple") for item in out[key]]
    areas = []
    for area in out.get("areas", ()):
        area = _ordered(area, "area")
        if "cells" in area:
            cells = []
            for cell in area["cells"]:
                cell = _ordered(cell, "cell")
                if "behaviours" in cell:
                    cell["behaviours"] = [_ordered(b, "behaviour") for b in cell["behaviours"]]
                cells.append(cell)
            area["cells"] = cells
        areas.append(area)
    if "areas" in out:
        out["areas"] = areas
    return out


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _str_representer(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    tag = "tag:yaml.org,2002:str"
    if "\n" in value:
        return dumper.represent_scalar(tag, value, style="|")
    plain_ok = dumper.analyze_scalar(value).allow_block_plain
    if not plain_ok or dumper.resolve(yaml.ScalarNode, value, (True, False)) != tag:
        # Double quotes read better than PyYAML's single-quote choice ('team''s') and "1" is still a string.
        return dumper.represent_scalar(tag, value, style='"')
    return dumper.represent_scalar(tag, value)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(document: dict[str, Any], *, header: str = "") -> str:
    """Block-style YAML in schema key order, unicode kept, long strings on one line.

    `header` lines are written first as `#` comments, after the schema hint for editors."""
    body = yaml.dump(
        _normalised(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )
    comments = ["# yaml-language-server: $schema=./schema.json"]
    comments += [f"# {line}".rstrip() for line in header.splitlines()]
    return "\n".join(comments) + "\n" + body
