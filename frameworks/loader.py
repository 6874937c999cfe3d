"""Load and validate career-ladder YAML files into an immutable `Library`.

Validation happens in three passes over one composed YAML node tree, so every problem can be
reported as `file:line: what is wrong`: YAML syntax (and duplicate keys, which PyYAML would silently
overwrite; `frameworks.yaml_nodes`), the JSON Schema in `schema.json` (`frameworks.schema_errors`),
then the cross-references a schema cannot express (here).
Loading is all-or-nothing: the first problem in any file raises `FrameworkError` and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from frameworks.errors import FrameworkError
from frameworks.limits import MAX_FILE_BYTES, check_directory, check_file_size, check_ladder_size, check_node_count
from frameworks.model import Area, Attribution, Behaviour, Cell, Framework, Group, Level, Library, Track
from frameworks.schema_errors import validate_schema
from frameworks.yaml_nodes import JsonPath, check_duplicate_keys, compose, construct, decode, key_line

PACKAGE_DIR = Path(__file__).resolve().parent
YAML_SUFFIXES = (".yaml", ".yml")


# ---------------------------------------------------------------------------------------------------
# Public entry points


def bundled_paths() -> list[Path]:
    """The ladders shipped inside the package."""
    return yaml_files_in(PACKAGE_DIR)


def load_library(extra_dirs: Sequence[Path | str] = ()) -> Library:
    """Load the bundled ladders plus every `*.yaml` in each extra directory (GROWTHBOT_FRAMEWORKS_DIR)."""
    files = bundled_paths()
    for directory in extra_dirs:
        files.extend(yaml_files_in(Path(directory)))
    return load_paths(files)


def load_paths(paths: Iterable[Path | str]) -> Library:
    """Load the given files and directories (non-recursive) into one library; all-or-nothing."""
    frameworks: dict[str, Framework] = {}
    for path in _expand(paths):
        framework = load_framework_file(path)
        previous = frameworks.get(framework.id)
        if previous is not None:
            raise FrameworkError(
                path,
                1 + _id_line(path),
                f"framework id {framework.id!r} is already used by {previous.path}; "
                f"framework ids must be unique across all loaded ladders, so rename one of them.",
            )
        frameworks[framework.id] = framework
    return Library(frameworks)


def load_framework_file(path: Path | str) -> Framework:
    path = Path(path)
    try:
        check_file_size(path, path.stat().st_size)
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # the file may have grown since the stat
    except OSError as error:
        raise FrameworkError(path, None, f"cannot read the file ({error.strerror or error}).") from None
    return parse_framework(raw, path)


def parse_framework(source: bytes | str, path: Path | str = "<string>") -> Framework:
    """Validate one ladder document and build its model. `path` is only used in error messages."""
    check_file_size(path, len(source))
    text = decode(source, path) if isinstance(source, bytes) else source
    root = compose(text, path)
    check_node_count(root, path)
    check_duplicate_keys(root, path)
    data = construct(root)
    check_ladder_size(data, path)
    validate_schema(data, root, path)
    _check_references(data, root, path)
    return _build(data, Path(path))


# ---------------------------------------------------------------------------------------------------
# Files


def yaml_files_in(directory: Path) -> list[Path]:
    """The ladder files of one directory: `*.yaml`/`*.yml`, not recursive, hidden files skipped.

    Refuses (before any file is read) a directory over the file-count or size limits of `frameworks.limits`.
    """
    if not directory.is_dir():
        raise FrameworkError(
            directory, None, "ladder directory does not exist or is not a directory (check GROWTHBOT_FRAMEWORKS_DIR)."
        )
    files = sorted(
        p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )
    check_directory(directory, files)
    return files


def _expand(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files.extend(yaml_files_in(path))
        elif path.exists():
            files.append(path)
        else:
            raise FrameworkError(path, None, "no such file or directory.")
    return files


def _id_line(path: Path) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.startswith("id:"):
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 0


# ---------------------------------------------------------------------------------------------------
# Cross-references


def _check_references(data: dict[str, Any], root: yaml.Node, path: Path | str) -> None:
    def fail(json_path: JsonPath, problem: str) -> None:
        raise FrameworkError(path, key_line(root, json_path), problem)

    def unique(collection: str, label: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, item in enumerate(data.get(collection, ())):
            ident = item["id"]
            if ident in seen:
                first = key_line(root, [collection, seen[ident], "id"])
                fail([collection, i, "id"], f"duplicate {label} id {ident!r} (first used at line {first}).")
            seen[ident] = i
        return set(seen)

    level_ids = [level["id"] for level in data["levels"]]
    unique("levels", "level")
    groups = unique("groups", "group")
    tracks = unique("tracks", "track")
    area_ids = unique("areas", "area")
    for area_id in data.get("readiness", {}).get("areas", {}):
        if area_id not in area_ids:
            fail(
                ["readiness", "areas", area_id],
                f"readiness names unknown area {area_id!r}; areas are: {', '.join(sorted(area_ids))}.",
            )

    behaviour_paths: dict[str, list[str | int]] = {}
    for a, area in enumerate(data["areas"]):
        area_label = f"area {area['id']!r}"
        group = area.get("group")
        if group is not None and group not in groups:
            known = ", ".join(sorted(groups)) or "none are defined: add a top-level groups list"
            fail(["areas", a, "group"], f"{area_label} refers to unknown group {group!r} (groups: {known}).")
        seen_levels: dict[str, int] = {}
        for c, cell in enumerate(area.get("cells", ())):
            level = cell["level"]
            if level not in level_ids:
                fail(
                    ["areas", a, "cells", c, "level"],
                    f"unknown level {level!r} in {area_label}; levels are: {', '.join(level_ids)}.",
                )
            if level in seen_levels:
                first = key_line(root, ["areas", a, "cells", seen_levels[level], "level"])
                fail(
                    ["areas", a, "cells", c, "level"],
                    f"{area_label} has two cells for level {level!r} (first at line {first}); merge them.",
                )
            seen_levels[level] = c
            behaviours = cell.get("behaviours", ())
            if cell.get("not_applicable") and behaviours:
                fail(
                    ["areas", a, "cells", c, "not_applicable"],
                    f"the cell for level {level!r} in {area_label} is marked not_applicable but lists "
                    f"behaviours; remove them or drop not_applicable.",
                )
            for b, behaviour in enumerate(behaviours):
                json_path = ["areas", a, "cells", c, "behaviours", b]
                ident = behaviour["id"]
                if ident in behaviour_paths:
                    first = key_line(root, behaviour_paths[ident])
                    fail(
                        [*json_path, "id"],
                        f"duplicate behaviour id {ident!r} (first used at line {first}); "
                        f"behaviour ids must be unique within a framework.",
                    )
                behaviour_paths[ident] = [*json_path, "id"]
                track = behaviour.get("track")
                if track is not None and track not in tracks:
                    known = ", ".join(sorted(tracks)) or "none are defined: add a top-level tracks list"
                    fail(
                        [*json_path, "track"],
                        f"behaviour {ident!r} refers to unknown track {track!r} (tracks: {known}).",
                    )


# ---------------------------------------------------------------------------------------------------
# Model


def _text(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _bar(text: str) -> float:
    """'all' or 'NN%' (the schema has checked the form) as a share from 0.01 to 1.0."""
    return 1.0 if text == "all" else int(text.rstrip("%")) / 100


def _attribution(source: str | dict[str, str] | None) -> Attribution | None:
    if source is None:
        return None
    if isinstance(source, str):
        return Attribution(note=source.strip())
    return Attribution(**{key: value.strip() for key, value in source.items()})


def _build(data: dict[str, Any], path: Path) -> Framework:
    framework_id = data["id"]
    attribution = _attribution(data.get("source"))
    areas = []
    for area in data["areas"]:
        cells = []
        for cell in area.get("cells", ()):
            behaviours = tuple(
                Behaviour(
                    id=b["id"],
                    text=b["text"].strip(),
                    area_id=area["id"],
                    level_id=cell["level"],
                    framework_id=framework_id,
                    track=b.get("track"),
                    qualifier=_text(b.get("qualifier")),
                    examples=tuple(e.strip() for e in b.get("examples", ())),
                )
                for b in cell.get("behaviours", ())
            )
            cells.append(
                Cell(
                    area_id=area["id"],
                    level_id=cell["level"],
                    summary=_text(cell.get("summary")),
                    not_applicable=bool(cell.get("not_applicable", False)),
                    behaviours=behaviours,
                )
            )
        areas.append(
            Area(
                id=area["id"],
                name=area["name"].strip(),
                group=area.get("group"),
                description=_text(area.get("description")),
                examples=tuple(e.strip() for e in area.get("examples", ())),
                cells=tuple(cells),
            )
        )
    return Framework(
        id=framework_id,
        name=data["name"].strip(),
        version=data["version"],
        levels=tuple(Level(id=lv["id"], name=lv["name"].strip()) for lv in data["levels"]),
        areas=tuple(areas),
        groups=tuple(
            Group(id=g["id"], name=g["name"].strip(), description=_text(g.get("description")))
            for g in data.get("groups", ())
        ),
        tracks=tuple(
            Track(id=t["id"], name=t["name"].strip(), description=_text(t.get("description")))
            for t in data.get("tracks", ())
        ),
        description=_text(data.get("description")),
        source=attribution.credit() if attribution else None,
        attribution=attribution,
        status=data.get("status", "complete"),
        status_note=_text(data.get("status_note")),
        readiness_bar=_bar(data.get("readiness", {}).get("bar", "all")),
        area_bars=tuple((area_id, _bar(bar)) for area_id, bar in data.get("readiness", {}).get("areas", {}).items()),
        path=path,
    )
