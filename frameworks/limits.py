"""How big a ladder may be. A ladder file is untrusted input: every limit is checked before the costly step.

The numbers are generous (the largest bundled ladder has 7 levels, 14 areas and under 300 behaviours)
and documented in docs/frameworks.md. Order of checks, cheapest first:
- a directory's file count and total size, from `stat` alone, before any file is read;
- a file's size, before it is parsed;
- the YAML node count with aliases expanded, counted over the composed tree without expanding it
  (an alias bomb, "billion laughs", is refused here in one linear pass);
- a ladder's levels, areas and behaviours, before the schema pass walks them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from frameworks.errors import FrameworkError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_DIRECTORY = 200
MAX_DIRECTORY_BYTES = 25 * 1024 * 1024
# A ladder at every other limit (5,000 behaviours of a few keys each) stays well under this.
MAX_YAML_NODES = 250_000
MAX_LEVELS = 50
MAX_AREAS = 200
MAX_BEHAVIOURS = 5_000


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_directory(directory: Path, files: list[Path]) -> None:
    """Refuse a directory with too many ladder files or too many bytes, from `stat` alone."""
    if len(files) > MAX_FILES_PER_DIRECTORY:
        raise FrameworkError(
            directory,
            None,
            f"the directory holds {len(files)} ladder files; at most {MAX_FILES_PER_DIRECTORY} are loaded "
            f"from one directory. Move the files that are not ladders elsewhere.",
        )
    total = 0
    for path in files:
        try:
            size = path.stat().st_size
        except OSError:
            continue
        check_file_size(path, size)
        total += size
    if total > MAX_DIRECTORY_BYTES:
        raise FrameworkError(
            directory,
            None,
            f"the ladder files in this directory add up to {_mb(total)}; at most {_mb(MAX_DIRECTORY_BYTES)} "
            f"are loaded from one directory.",
        )


def check_file_size(path: Path | str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FrameworkError(
            path,
            None,
            f"the file is {_mb(size)}; a ladder file may be at most {_mb(MAX_FILE_BYTES)} "
            f"(the largest bundled ladder is under 0.1 MB).",
        )


def check_node_count(root: yaml.Node, path: Path | str) -> None:
    """Refuse a tree whose aliases would expand past `MAX_YAML_NODES`, without expanding it.

    Each distinct node's expanded size is computed once (aliases make the tree a graph whose nodes are
    shared), so a billion-laughs document costs as many steps as it has distinct nodes. A node that
    contains itself (a recursive alias) is refused too.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            in_progress.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > MAX_YAML_NODES:
                raise FrameworkError(
                    path,
                    node.start_mark.line + 1,
                    f"the YAML here expands to more than {MAX_YAML_NODES:,} values (anchors and aliases "
                    f"repeating each other, an 'alias bomb'); write the ladder out without nested aliases.",
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise FrameworkError(
                path, node.start_mark.line + 1, "this YAML alias refers to itself; a ladder cannot contain itself."
            )
        in_progress.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in in_progress:
                raise FrameworkError(
                    path,
                    child.start_mark.line + 1,
                    "this YAML alias refers to itself; a ladder cannot contain itself.",
                )
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_ladder_size(data: Any, path: Path | str) -> None:
    """Refuse a ladder with more levels, areas or behaviours than `MAX_*`, before the schema walks it."""
    if not isinstance(data, dict):
        return
    levels = data.get("levels")
    areas = data.get("areas")
    if isinstance(levels, list) and len(levels) > MAX_LEVELS:
        raise _too_many(path, f"{len(levels)} levels", f"{MAX_LEVELS} levels")
    if not isinstance(areas, list):
        return
    if len(areas) > MAX_AREAS:
        raise _too_many(path, f"{len(areas)} areas", f"{MAX_AREAS} areas")
    behaviours = 0
    for area in areas:
        cells = area.get("cells") if isinstance(area, dict) else None
        for cell in cells if isinstance(cells, list) else ():
            listed = cell.get("behaviours") if isinstance(cell, dict) else None
            behaviours += len(listed) if isinstance(listed, list) else 0
    if behaviours > MAX_BEHAVIOURS:
        raise _too_many(path, f"{behaviours} behaviours", f"{MAX_BEHAVIOURS} behaviours")


def _too_many(path: Path | str, found: str, limit: str) -> FrameworkError:
    return FrameworkError(
        path, None, f"the ladder has {found}; a ladder may have at most {limit}. Split it into several ladders."
    )
