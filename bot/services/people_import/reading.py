"""Reading an org file: a .csv or .yaml/.yml file into rows with line numbers, every shape problem collected."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from storage.text import without_controls

COLUMNS = (
    "slack_user_id",
    "email",
    "name",
    "manager",
    "framework",
    "level",
    "levels",
    "timezone",
    "prompt_weekday",
    "prompt_time",
    "track",
)
CSV_ONLY_COLUMNS = ("team_id",)
MAX_CELL = 10_000  # characters: far above any name or email, far below what would swallow a file
MAX_DEPTH = 20  # YAML nesting: a person is three levels deep; a bomb of brackets is refused unparsed


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


class OrgFileError(Exception):
    """The file cannot be imported; `problems` lists every bad row by line number."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda problem: problem.line)
        lines = [f"{source}:{problem.line}: {problem.message}" for problem in self.problems]
        count = len(self.problems)
        super().__init__(
            f"{source}: {count} problem{'s' if count != 1 else ''}, nothing was imported:\n  " + "\n  ".join(lines)
        )


@dataclass(slots=True)
class OrgRow:
    line: int
    values: dict[str, str | None] = field(default_factory=dict)
    levels: dict[str, str] | None = None

    def get(self, name: str) -> str | None:
        return self.values.get(name)


@dataclass(slots=True)
class OrgFile:
    source: str
    rows: list[OrgRow]
    team_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def ignore_columns(self, names: Iterable[str]) -> None:
        """HR exports carry many columns (department, title, start date): one warning lists them all."""
        unknown = sorted(set(names))
        if unknown:
            self.warnings.append(
                f"{self.source}: ignored unknown column{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(unknown)} (columns: {', '.join(COLUMNS)})"
            )


def read_org_file(path: Path | str) -> OrgFile:
    """Parse a .csv or .yaml/.yml file into rows with line numbers; shape problems are collected."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        raise OrgFileError(
            str(path), [Problem(line, f"not UTF-8 text (byte 0x{byte}); save the file as UTF-8")]
        ) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_csv(text, str(path))
    if suffix in (".yaml", ".yml"):
        return parse_yaml(text, str(path))
    raise OrgFileError(str(path), [Problem(1, "unknown file type: use .csv, .yaml or .yml")])


def parse_csv(text: str, source: str = "<csv>") -> OrgFile:
    """Strict CSV: an unterminated quote or an oversized cell stops the read at its line, nothing kept."""
    reader = csv.reader(io.StringIO(text), strict=True)
    org = OrgFile(source, [])
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        raise OrgFileError(source, [Problem(start, _csv_error(str(error)))]) from None
    if not records or not any(cell.strip() for cell in records[0][1]):
        raise OrgFileError(source, [Problem(1, "the file is empty: expected a header row")])
    headers = [_column_name(name) for name in records[0][1]]
    known = set(COLUMNS) | set(CSV_ONLY_COLUMNS)
    org.ignore_columns(name for name in headers if name and name not in known)
    team_ids: set[str] = set()
    for line, record in records[1:]:
        if len(record) > len(headers) and any(cell.strip() for cell in record[len(headers) :]):
            org.problems.append(Problem(line, "more values than columns"))
        values: dict[str, str | None] = {}
        for name, cell in zip(headers, record, strict=False):
            if name in known:
                values[name] = _cell(cell, name, line, org.problems)
        if not any(values.values()):
            continue
        row = OrgRow(line, {key: value for key, value in values.items() if key not in ("levels", "team_id")})
        if values.get("team_id"):
            team_ids.add(values["team_id"] or "")
        if values.get("levels"):
            row.levels = _parse_levels_cell(values["levels"] or "", line, org.problems)
        org.rows.append(row)
    if len(team_ids) > 1:
        org.problems.append(Problem(2, f"rows name different team_id values: {', '.join(sorted(team_ids))}"))
    org.team_id = next(iter(team_ids), None)
    return org


def _csv_error(message: str) -> str:
    if "unexpected end of data" in message or "EOF" in message:
        return "a quote opened on this line is never closed (the rest of the file would be one cell)"
    if "field larger than field limit" in message:
        return f"a cell is larger than {csv.field_size_limit():,} characters"
    return f"not valid CSV: {message}"


def _cell(value: str, name: str, line: int, problems: list[Problem]) -> str | None:
    text = _clean(value)
    if text is not None and len(text) > MAX_CELL:
        problems.append(Problem(line, f"{name} is {len(text):,} characters long; the limit is {MAX_CELL:,}"))
        return None
    return text


def parse_yaml(text: str, source: str = "<yaml>") -> OrgFile:
    """YAML read node by node: every scalar stays the string written (so 10:00 is not 600, 3 is "3")."""
    try:
        _check_depth(text, source)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise OrgFileError(source, [Problem(line, f"not valid YAML: {getattr(error, 'problem', error)}")]) from None
    org = OrgFile(source, [])
    if root is None:
        raise OrgFileError(source, [Problem(1, "the file is empty: expected a list of people")])
    people: yaml.Node | None = root
    if isinstance(root, yaml.MappingNode):
        people = None
        for key, value in _pairs(root, org.problems):
            if key == "team_id" and isinstance(value, yaml.ScalarNode):
                org.team_id = _scalar(value)
            elif key == "people":
                people = value
            else:
                org.problems.append(Problem(_line(value), f"unknown top-level key {key!r} (expected team_id, people)"))
        if people is None:
            org.problems.append(Problem(_line(root), "no `people:` list"))
            return org
    if not isinstance(people, yaml.SequenceNode):
        org.problems.append(Problem(_line(people), "expected a list of people (`- slack_user_id: ...`)"))
        return org
    unknown: set[str] = set()
    for item in people.value:
        line = _line(item)
        if not isinstance(item, yaml.MappingNode):
            org.problems.append(Problem(line, "each person must be a mapping of column: value"))
            continue
        row = OrgRow(line)
        for key, value in _pairs(item, org.problems):
            if key == "levels":
                row.levels = _yaml_levels(value, org.problems)
            elif key not in COLUMNS:
                unknown.add(key)
            elif not isinstance(value, yaml.ScalarNode):
                org.problems.append(Problem(_line(value), f"{key} must be a single value"))
            else:
                text = _scalar(value)
                row.values[key] = _cell(text, key, _line(value), org.problems) if text else None
        org.rows.append(row)
    org.ignore_columns(unknown)
    return org


def _check_depth(text: str, source: str) -> None:
    """Walk the parser's events (no recursion) so deep nesting is refused before compose recurses."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise OrgFileError(source, [Problem(line, f"nested more than {MAX_DEPTH} levels deep")])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _column_name(name: str | None) -> str:
    return (name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _clean(value: object) -> str | None:
    if value is None or isinstance(value, list):
        return None
    text = without_controls(str(value)).strip()
    return text or None


def _parse_levels_cell(cell: str, line: int, problems: list[Problem]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in cell.split(";"))):
        area, sep, level = part.partition("=")
        if not sep or not area.strip() or not level.strip():
            problems.append(Problem(line, f"levels {cell!r}: write area=level pairs separated by ';'"))
            return {}
        levels[area.strip()] = level.strip()
    return levels


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _scalar(node: yaml.ScalarNode) -> str | None:
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return _clean(node.value)


def _pairs(node: yaml.MappingNode, problems: list[Problem]) -> list[tuple[str, yaml.Node]]:
    seen: set[str] = set()
    pairs = []
    for key_node, value_node in node.value:
        key = _column_name(str(key_node.value))
        if key in seen:
            problems.append(Problem(_line(key_node), f"{key!r} is given twice"))
            continue
        seen.add(key)
        pairs.append((key, value_node))
    return pairs


def _yaml_levels(node: yaml.Node, problems: list[Problem]) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(_line(node), "levels must be a mapping of area: level"))
        return {}
    levels: dict[str, str] = {}
    for key_node, value_node in node.value:
        level = _scalar(value_node) if isinstance(value_node, yaml.ScalarNode) else None
        if level is None:
            problems.append(Problem(_line(value_node), f"levels: area {key_node.value!r} needs one level"))
            continue
        levels[str(key_node.value).strip()] = level
    return levels
