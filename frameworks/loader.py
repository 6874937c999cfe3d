"""Load and validate career-ladder YAML files into an immutable `Library`.

Validation happens in three passes over one composed YAML node tree, so every problem can be
reported as `file:line: what is wrong`: YAML syntax (and duplicate keys, which PyYAML would silently
overwrite), the JSON Schema in `schema.json`, then the cross-references a schema cannot express.
Loading is all-or-nothing: the first problem in any file raises `FrameworkError` and nothing is kept.
"""

from __future__ import annotations

import difflib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from frameworks.model import Area, Behaviour, Cell, Framework, Group, Level, Library, Track

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_PATH = PACKAGE_DIR / "schema.json"
YAML_SUFFIXES = (".yaml", ".yml")

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_JsonPath = Sequence[str | int]
# What the ladder directories hold: (path, inode, mtime in ns, size) per YAML file, or (directory,) when
# the directory cannot be listed.
_Fingerprint = tuple[tuple[str, ...] | tuple[str, int, int, int], ...]

log = logging.getLogger(__name__)


class FrameworkError(Exception):
    """A ladder file that cannot be loaded. `str()` is one paragraph: `file:line: what is wrong`."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")


# ---------------------------------------------------------------------------------------------------
# Public entry points


def bundled_paths() -> list[Path]:
    """The ladders shipped inside the package."""
    return _yaml_files_in(PACKAGE_DIR)


def load_library(extra_dirs: Sequence[Path | str] = ()) -> Library:
    """Load the bundled ladders plus every `*.yaml` in each extra directory (GROWTHBOT_FRAMEWORKS_DIR)."""
    files = bundled_paths()
    for directory in extra_dirs:
        files.extend(_yaml_files_in(Path(directory)))
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
        raw = path.read_bytes()
    except OSError as error:
        raise FrameworkError(path, None, f"cannot read the file ({error.strerror or error}).") from None
    return parse_framework(raw, path)


def parse_framework(source: bytes | str, path: Path | str = "<string>") -> Framework:
    """Validate one ladder document and build its model. `path` is only used in error messages."""
    text = _decode(source, path) if isinstance(source, bytes) else source
    root = _compose(text, path)
    _check_duplicate_keys(root, path)
    data = _construct(root)
    _validate_schema(data, root, path)
    _check_references(data, root, path)
    return _build(data, Path(path))


class LibraryHolder:
    """The library the running bot uses. `reload()` swaps in a new one only if it loads cleanly.

    `reload_if_changed()` is the cheap check the scheduler makes every tick: it lists and stats the
    YAML files of the bundled and extra directories and reloads only when that differs from the last
    load, and a broken state is tried (and reported) once, not again every tick until it changes.
    """

    def __init__(
        self,
        extra_dirs: Sequence[Path | str] = (),
        *,
        library: Library | None = None,
        loader: Callable[[Sequence[Path | str]], Library] = load_library,
    ) -> None:
        self._extra_dirs = tuple(extra_dirs)
        self._loader = loader
        self._lock = threading.Lock()
        # Taken before loading, so an edit made while loading is seen by the next check.
        self._fingerprint = self._files_fingerprint()
        self._library = library if library is not None else loader(self._extra_dirs)
        self.last_error: FrameworkError | None = None

    @property
    def library(self) -> Library:
        return self._library

    def reload(self) -> Library:
        """Load again; on failure keep the last good library and raise the `FrameworkError`."""
        with self._lock:
            return self._reload_locked(self._files_fingerprint())

    def _reload_locked(self, fingerprint: _Fingerprint) -> Library:
        # A failing fingerprint is remembered too, so the same broken files are not retried every tick.
        self._fingerprint = fingerprint
        try:
            library = self._loader(self._extra_dirs)
        except FrameworkError as error:
            self.last_error = error
            raise
        self._library = library
        self.last_error = None
        return library

    def reload_if_changed(self) -> FrameworkError | None:
        """Reload when a ladder file was added, removed or changed since the last load.

        Returns the `FrameworkError` when that reload failed (logged at ERROR; the last good library
        stays), else None: nothing changed, the reload worked, or these same files already failed.
        """
        with self._lock:
            fingerprint = self._files_fingerprint()
            if fingerprint == self._fingerprint:
                return None
            try:
                library = self._reload_locked(fingerprint)
            except FrameworkError as error:
                log.error("ladders changed but do not load; keeping the last good ones: %s", error)
                return error
        log.info("ladders changed on disk: reloaded %d ladder(s)", len(library.frameworks))
        return None

    def _files_fingerprint(self) -> _Fingerprint:
        entries: list[tuple[str, ...] | tuple[str, int, int, int]] = []
        for directory in (PACKAGE_DIR, *(Path(d) for d in self._extra_dirs)):
            try:
                files = _yaml_files_in(directory)
            except (FrameworkError, OSError):
                entries.append((str(directory),))
                continue
            for path in files:
                try:
                    stat = path.stat()
                except OSError:  # removed between listing and stat: the next check sees it gone
                    entries.append((str(path),))
                    continue
                entries.append((str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size))
        return tuple(entries)

    def try_reload(self) -> FrameworkError | None:
        """Like `reload()` but returns the error (or None) instead of raising it."""
        try:
            self.reload()
        except FrameworkError as error:
            return error
        return None


# ---------------------------------------------------------------------------------------------------
# Files


def _yaml_files_in(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise FrameworkError(
            directory, None, "ladder directory does not exist or is not a directory (check GROWTHBOT_FRAMEWORKS_DIR)."
        )
    return sorted(
        p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def _expand(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files.extend(_yaml_files_in(path))
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
# YAML


def _decode(raw: bytes, path: Path | str) -> str:
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


def _compose(text: str, path: Path | str) -> yaml.Node:
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


def _check_duplicate_keys(node: yaml.Node, path: Path | str) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
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


def _construct(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


# ---------------------------------------------------------------------------------------------------
# JSON Schema


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


def _validate_schema(data: Any, root: yaml.Node, path: Path | str) -> None:
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
            line = _node_at(root, json_path).start_mark.line + 1
            raise FrameworkError(path, line, f"{fast_error.message}.") from None
    else:
        return
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


def _error_line(error: ValidationError, root: yaml.Node) -> int:
    node = _node_at(root, list(error.absolute_path))
    if error.validator == "additionalProperties" and isinstance(node, yaml.MappingNode):
        allowed = set(error.schema.get("properties", {}))
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value not in allowed:
                return key.start_mark.line + 1
    return node.start_mark.line + 1


def _node_at(root: yaml.Node, json_path: _JsonPath) -> yaml.Node:
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


def _key_line(root: yaml.Node, json_path: _JsonPath) -> int:
    """Line of the key for the last path element (falls back to the value's line)."""
    parent = _node_at(root, json_path[:-1])
    if isinstance(parent, yaml.MappingNode):
        for key, _ in parent.value:
            if isinstance(key, yaml.ScalarNode) and key.value == json_path[-1]:
                return key.start_mark.line + 1
    return _node_at(root, json_path).start_mark.line + 1


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


def _describe(data: Any, json_path: _JsonPath) -> str:
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


def _field_name(json_path: _JsonPath) -> str:
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


# ---------------------------------------------------------------------------------------------------
# Cross-references


def _check_references(data: dict[str, Any], root: yaml.Node, path: Path | str) -> None:
    def fail(json_path: _JsonPath, problem: str) -> None:
        raise FrameworkError(path, _key_line(root, json_path), problem)

    def unique(collection: str, label: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, item in enumerate(data.get(collection, ())):
            ident = item["id"]
            if ident in seen:
                first = _key_line(root, [collection, seen[ident], "id"])
                fail([collection, i, "id"], f"duplicate {label} id {ident!r} (first used at line {first}).")
            seen[ident] = i
        return set(seen)

    level_ids = [level["id"] for level in data["levels"]]
    unique("levels", "level")
    groups = unique("groups", "group")
    tracks = unique("tracks", "track")
    unique("areas", "area")

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
                first = _key_line(root, ["areas", a, "cells", seen_levels[level], "level"])
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
                    first = _key_line(root, behaviour_paths[ident])
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


def _build(data: dict[str, Any], path: Path) -> Framework:
    framework_id = data["id"]
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
        source=_text(data.get("source")),
        status=data.get("status", "complete"),
        status_note=_text(data.get("status_note")),
        path=path,
    )
