"""Turn a career ladder written in Markdown into a framework document (the YAML schema's shape).

Three layouts are recognised (tests/frameworks/data/md/ holds a small example of each):

(a) a pipe table with one column per area: a header row naming the areas, optionally a row of area
    descriptions (first cell empty, before any level), then per level a row whose first cell is the
    level label and whose other cells are the level summaries (when written in *italics*) or
    behaviours, followed by rows with an empty first cell holding one behaviour per area column;
(b) headings for areas (`#`..`######`) with bullet lists under level markers: lines such as
    `Level II`, `Milestone 3`, `L2:` or headings such as `## Level 2`. Without any level marker,
    plain headings are levels: the headings holding bullets and their parents are levels and areas
    (whichever of the two reads more like level names; by default the inner one);
(c) level-marked lists: `P1 |` (or `| P1 |`) lines each followed by `- ` items, without area
    headings; the single area is named after the framework.

Heuristics inside (b) and (c), all taken from real ladders:
- the first heading whose section holds no levels and no bullets is the framework's title, its text
  the framework description; later such headings are area groups;
- a heading `Area - Role` (e.g. `Delivery - Staff Engineer`) is area `Area`; the first role seen for
  an area is the base, later roles are tracks;
- a short label line followed by bullets (`Staff Engineer`, `Backend-specific`) starts a sub-list
  until the next level: a track when it names a role, otherwise a qualifier;
- `In addition to ...:` lines describe the active track; `N/A` marks the cell not applicable;
- text under an area before its first level is the area description, except `Example(s) ...:` lines,
  which are area examples; text after a level marker and before its bullets is the cell summary.

Everything that fits none of these is reported in `ImportResult.unplaced` with its line number,
never dropped silently. Behaviour ids follow `<area>-<level>-<nn>` / `<area>-<level>-<track>-<nn>`;
with `existing`, the ids of unchanged or nearly unchanged behaviours are kept.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = [
    "ImportResult",
    "MarkdownImportError",
    "dump_yaml",
    "import_markdown",
    "repair_mojibake",
    "strip_markup",
]

SIMILARITY_THRESHOLD = 0.85
MAX_ID_LENGTH = 64


class MarkdownImportError(ValueError):
    """The text holds no ladder the importer can recognise; the message says what was expected."""


@dataclass
class ImportResult:
    document: dict[str, Any]
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# Text clean-up


_MOJIBAKE_RUN = re.compile(r"[\u00c2-\u00f4\u03b2\u03c0][\u0080-\u02ff\u0370-\u03ff\u2010-\u203a\u20ac\u2122]+")


def _to_bytes(text: str) -> bytes | None:
    out = bytearray()
    for char in text:
        for codec in ("cp1252", "cp1253"):
            try:
                out += char.encode(codec)
                break
            except UnicodeEncodeError:
                continue
        else:
            return None
    return bytes(out)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252/1253 (`itâ€™s` -> `it’s`, `πŸ’¬` -> `💬`) where it decodes."""

    def fix(match: re.Match[str]) -> str:
        raw = _to_bytes(match.group(0))
        if raw is None:
            return match.group(0)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)

    return _MOJIBAKE_RUN.sub(fix, text)


def _is_decoration(token: str) -> bool:
    """An emoji, or an emoji whose UTF-8 bytes were mangled beyond repair (leading byte F0 9F / E2 9x)."""
    repaired = repair_mojibake(token)
    if all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf", "Cn") for c in repaired):
        return True
    raw = _to_bytes(token)
    return raw is not None and (raw.startswith(b"\xf0\x9f") or re.match(rb"\xe2[\x9a-\x9e]", raw) is not None)


def clean_name(text: str) -> str:
    """A heading as a display name: markup, emoji and mangled emoji removed."""
    tokens = strip_markup(text).split()
    while tokens and _is_decoration(tokens[-1]):
        tokens.pop()
    while tokens and _is_decoration(tokens[0]):
        tokens.pop(0)
    return " ".join(tokens)


_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3}|`+)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def strip_markup(text: str) -> str:
    """Plain text from one line of Markdown: emphasis, code and link markup removed, spaces collapsed."""
    text = repair_mojibake(text)
    text = _LINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous = text
        text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("<br>", " ").replace("<br/>", " ").replace("\\|", "|")
    return " ".join(text.split())


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.replace("&", " ")).strip("-")
    return slug


# ---------------------------------------------------------------------------------------------------
# Line tokens


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+•‣◦▪]|\d{1,3}[.)])\s+(.*\S)\s*$")
_LEVEL_WORD = re.compile(
    r"^(?P<name>(?:level|milestone|grade|lvl|band)\s+(?P<id>\d{1,2}(?:\.\d)?|[IVXivx]{1,5}|[A-Za-z]{1,2}\d{1,2})"
    r"(?:\s*[-–—:]\s*\w.*?)?)\s*[:|.]?\s*$",
    re.IGNORECASE,
)
_LEVEL_CODE = re.compile(r"^\|?\s*(?P<id>[A-Za-z]{1,2}\d{1,2}|\d{1,2})\s*\|[\s|]*$")
_LEVEL_HEADING_CODE = re.compile(r"^(?P<id>[A-Za-z]{1,2}\d{1,2}|\d{1,2}|[IVX]{1,5})\s*:?$")
_NOT_APPLICABLE = re.compile(r"^\s*(?:n/?a|not applicable|none)\s*\.?\s*$", re.IGNORECASE)
_EXAMPLE = re.compile(r"^(?:one |an? |some )?examples?\b[^:]{0,60}:\s*(?P<text>.*)$", re.IGNORECASE)
_ROLE = re.compile(
    r"\b(?:engineers?|managers?|leads?|architects?|developers?|staff|principal|senior|ics?)\b", re.IGNORECASE
)
_AREA_ROLE = re.compile(r"^(?P<area>.+?)\s+[-–—:]\s+(?P<role>.+)$")
_TRACK_NOTE = re.compile(r"^in addition to\b", re.IGNORECASE)
_PIPES_ONLY = re.compile(r"^[\s|:-]*$")
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LEVEL_KEYWORDS = re.compile(
    r"\b(?:level|milestone|grade|junior|mid|senior|staff|principal|lead|associate|intern|engineer|"
    r"distinguished|fellow|entry|[ivx]{1,4}|[lp]\d{1,2}|\d{1,2})\b",
    re.IGNORECASE,
)


@dataclass
class _Token:
    kind: str  # blank | heading | level | bullet | text | pipes (table residue and rules)
    line: int
    text: str = ""
    depth: int = 0
    indent: int = 0
    level_id: str = ""


def _level_from_text(text: str, *, heading: bool) -> tuple[str, str] | None:
    """(level id, level name) when the text is a level marker."""
    cleaned = clean_name(text)
    match = _LEVEL_WORD.match(cleaned)
    if match:
        return match.group("id"), match.group("name")
    match = _LEVEL_CODE.match(text.strip())
    if match:
        return match.group("id"), match.group("id")
    if heading:
        match = _LEVEL_HEADING_CODE.match(cleaned)
        if match:
            label = match.group("id")
            return label, _level_name(label)
    return None


def _level_name(label: str) -> str:
    return f"Level {label}" if re.fullmatch(r"\d{1,2}|[IVXivx]{1,5}", label) else label


def _tokenize(lines: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            tokens.append(_Token("blank", number))
            continue
        heading = _HEADING.match(line)
        if heading:
            level = _level_from_text(heading.group(2), heading=True)
            if level:
                tokens.append(_Token("level", number, level[1], depth=len(heading.group(1)), level_id=level[0]))
            else:
                tokens.append(_Token("heading", number, heading.group(2), depth=len(heading.group(1))))
            continue
        bullet = None if _RULE.match(line) else _BULLET.match(line)
        if bullet:
            indent = len(bullet.group(1).expandtabs(4))
            tokens.append(_Token("bullet", number, bullet.group(2), indent=indent))
            continue
        level = _level_from_text(line, heading=False)
        if level:
            tokens.append(_Token("level", number, level[1], depth=99, level_id=level[0]))
            continue
        if _PIPES_ONLY.match(line) or _RULE.match(line) or _is_list_table_header(line):
            tokens.append(_Token("pipes", number, line.strip()))
            continue
        indent = len(line) - len(line.lstrip())
        tokens.append(_Token("text", number, line.strip(), indent=indent))
    return tokens


def _is_list_table_header(line: str) -> bool:
    """`Level | Skills |`: the header of a level-marked list (layout c), not content."""
    cells = [c.strip().lower() for c in line.strip().strip("|").split("|")]
    return "|" in line and len(cells) >= 2 and cells[0] in ("level", "levels", "grade", "milestone")


# ---------------------------------------------------------------------------------------------------
# Builder shared by all layouts


@dataclass
class _Behaviour:
    text: str
    line: int
    track: str | None = None
    qualifier: str | None = None


@dataclass
class _Cell:
    summary: list[str] = field(default_factory=list)
    not_applicable_line: int | None = None
    behaviours: list[_Behaviour] = field(default_factory=list)


@dataclass
class _Area:
    id: str
    name: str
    group: str | None = None
    description: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    cells: dict[str, _Cell] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.name: str | None = None
        self.description: list[str] = []
        self.levels: dict[str, str] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.tracks: dict[str, dict[str, Any]] = {}
        self.areas: dict[str, _Area] = {}
        self.unplaced: list[tuple[int, str]] = []

    def level(self, label: str, name: str) -> str:
        level_id = label.strip()
        self.levels.setdefault(level_id, name)
        return level_id

    def area(self, name: str, group: str | None = None) -> _Area:
        key = name.casefold()
        for area in self.areas.values():
            if area.name.casefold() == key:
                return area
        # "Accountability (previously Organisation & Self-Management)" -> accountability
        area_id = _unique(slugify(re.sub(r"\s*\([^)]*\)\s*$", "", name)) or slugify(name) or "area", self.areas)
        area = self.areas[area_id] = _Area(area_id, name, group)
        return area

    def group(self, name: str) -> str:
        for group_id, group in self.groups.items():
            if group["name"].casefold() == name.casefold():
                return group_id
        group_id = _unique(slugify(name) or "group", self.groups)
        self.groups[group_id] = {"id": group_id, "name": name}
        return group_id

    def track(self, name: str) -> str:
        for track_id, track in self.tracks.items():
            if track["name"].casefold() == name.casefold():
                return track_id
        slug = slugify(name)
        shorter = re.sub(r"-(?:engineers?|developers?)$", "", slug)
        track_id = _unique(shorter or slug or "track", self.tracks)
        self.tracks[track_id] = {"id": track_id, "name": name}
        return track_id

    def track_note(self, track_id: str, note: str) -> None:
        track = self.tracks[track_id]
        notes = track.setdefault("_notes", [])
        if note not in notes:
            notes.append(note)

    def adopt_ids(self, existing: dict[str, Any]) -> None:
        """Keep the ids an existing document gave to areas, groups and tracks of the same name."""
        self.areas = _adopt(self.areas, existing.get("areas", ()), lambda area, new_id: setattr(area, "id", new_id))
        groups = _adopt(self.groups, existing.get("groups", ()), lambda group, new_id: group.update(id=new_id))
        tracks = _adopt(self.tracks, existing.get("tracks", ()), lambda track, new_id: track.update(id=new_id))
        group_ids = {old: group["id"] for old, group in zip(self.groups, groups.values(), strict=True)}
        track_ids = {old: track["id"] for old, track in zip(self.tracks, tracks.values(), strict=True)}
        self.groups, self.tracks = groups, tracks
        for area in self.areas.values():
            area.group = group_ids.get(area.group, area.group) if area.group else None
            for cell in area.cells.values():
                for behaviour in cell.behaviours:
                    behaviour.track = track_ids.get(behaviour.track, behaviour.track) if behaviour.track else None

    def cell(self, area: _Area, level_id: str) -> _Cell:
        return area.cells.setdefault(level_id, _Cell())

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"id": "", "name": self.name or ""}
        if self.description:
            document["description"] = "\n\n".join(self.description)
        document["version"] = 1
        document["levels"] = [{"id": level_id, "name": name} for level_id, name in self.levels.items()]
        if self.groups:
            document["groups"] = list(self.groups.values())
        if self.tracks:
            tracks = []
            for track in self.tracks.values():
                entry = {"id": track["id"], "name": track["name"]}
                if track.get("_notes"):
                    entry["description"] = " ".join(track["_notes"])
                tracks.append(entry)
            document["tracks"] = tracks
        order = list(self.levels)
        areas = []
        for area in self.areas.values():
            entry: dict[str, Any] = {"id": area.id, "name": area.name}
            if area.group:
                entry["group"] = area.group
            if area.description:
                entry["description"] = "\n\n".join(area.description)
            if area.examples:
                entry["examples"] = list(area.examples)
            cells = []
            for level_id in sorted(area.cells, key=order.index):
                cell = area.cells[level_id]
                cell_entry: dict[str, Any] = {"level": level_id}
                if cell.summary:
                    cell_entry["summary"] = " ".join(cell.summary)
                if cell.not_applicable_line is not None:
                    if cell.behaviours:  # "N/A" next to behaviours: keep the behaviours, report the N/A
                        self.unplaced.append((cell.not_applicable_line, "N/A"))
                    else:
                        cell_entry["not_applicable"] = True
                behaviours = [_behaviour_entry(area.id, level_id, cell.behaviours, b) for b in cell.behaviours]
                if behaviours:
                    cell_entry["behaviours"] = behaviours
                cells.append(cell_entry)
            if cells:
                entry["cells"] = cells
            areas.append(entry)
        document["areas"] = areas
        return document


def _adopt(items: dict[str, Any], old_items: Any, set_id: Any) -> dict[str, Any]:
    """Re-key `items` (by id) so that an item named like an old one takes the old id; no id clashes."""
    old = {str(o.get("name", "")).casefold(): o.get("id") for o in old_items if o.get("id")}
    reserved = set(old.values())
    result: dict[str, Any] = {}
    for item_id, item in items.items():
        name = (item.name if isinstance(item, _Area) else item["name"]).casefold()
        wanted = old.get(name)
        if not wanted or wanted in result:
            wanted = item_id if item_id not in reserved and item_id not in result else None
            wanted = wanted or _unique(item_id, reserved | set(result))
        set_id(item, wanted)
        result[wanted] = item
    return result


def _behaviour_entry(area_id: str, level_id: str, siblings: list[_Behaviour], behaviour: _Behaviour) -> dict:
    same_track = [b for b in siblings if b.track == behaviour.track]
    number = same_track.index(behaviour) + 1
    entry: dict[str, Any] = {"id": behaviour_id(area_id, level_id, behaviour.track, number), "text": behaviour.text}
    if behaviour.track:
        entry["track"] = behaviour.track
    if behaviour.qualifier:
        entry["qualifier"] = behaviour.qualifier
    return entry


def behaviour_id(area_id: str, level_id: str, track_id: str | None, number: int) -> str:
    """`<area>-<level>-<nn>` or `<area>-<level>-<track>-<nn>`, at most 64 characters."""
    tail = "-".join(p for p in (slugify(level_id) or "x", track_id, f"{number:02d}") if p)
    head = area_id[: MAX_ID_LENGTH - len(tail) - 1].rstrip("-")
    return f"{head}-{tail}"


def _unique(base: str, taken: dict[str, Any] | set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# ---------------------------------------------------------------------------------------------------
# Layout (a): a table with one column per area


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def _is_emphasised(cell: str) -> bool:
    return bool(re.fullmatch(r"(\*{1,3}|_{1,3})\S.*?\S?\1", cell.strip()))


def _parse_table(lines: list[str], start: int, builder: _Builder) -> None:
    header = _split_row(lines[start])
    columns = [strip_markup(c) for c in header[1:]]
    if not any(columns):
        raise MarkdownImportError(f"line {start + 1}: the table header names no areas (one column per area).")
    areas = [builder.area(name) if name else None for name in columns]
    level_id: str | None = None
    for index in range(start + 2, len(lines)):
        number, line = index + 1, lines[index]
        if not line.strip():
            continue
        if not line.lstrip().startswith("|"):
            builder.unplaced.append((number, line.strip()))
            continue
        cells = _split_row(line)
        if len(cells) != len(columns) + 1:
            builder.unplaced.append((number, line.strip()))
            continue
        label, values = strip_markup(cells[0]), cells[1:]
        if not label and not any(values):
            continue
        if label:
            level_id = builder.level(label, _level_name(label))
        for area, raw in zip(areas, values, strict=True):
            text = strip_markup(raw)
            if not text:
                continue
            if area is None:
                builder.unplaced.append((number, text))
            elif label:
                cell = builder.cell(area, level_id)  # type: ignore[arg-type]
                if _is_emphasised(raw):
                    cell.summary.append(text)
                elif _NOT_APPLICABLE.match(text):
                    cell.not_applicable_line = number
                else:
                    cell.behaviours.append(_Behaviour(text, number))
            elif level_id is None:
                area.description.append(text)
            else:
                cell = builder.cell(area, level_id)
                if _NOT_APPLICABLE.match(text):
                    cell.not_applicable_line = number
                else:
                    cell.behaviours.append(_Behaviour(text, number))


def _find_table(lines: list[str]) -> int | None:
    for index in range(len(lines) - 1):
        row, below = lines[index], lines[index + 1]
        if row.lstrip().startswith("|") and _TABLE_SEPARATOR.match(below) and len(_split_row(row)) >= 2:
            return index
    return None


def _import_table(lines: list[str], start: int, builder: _Builder) -> None:
    for index in range(start):
        line = lines[index].strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading and builder.name is None:
            builder.name = clean_name(heading.group(2))
        else:
            builder.description.append(strip_markup(heading.group(2) if heading else line))
    _parse_table(lines, start, builder)


# ---------------------------------------------------------------------------------------------------
# Layouts (b) and (c): headings, level markers and lists


def _classify_headings(tokens: list[_Token]) -> dict[int, str]:
    """Index of each heading token -> title | group | area | level (plain headings used as levels)."""
    kinds: dict[int, str] = {}
    headings = [i for i, t in enumerate(tokens) if t.kind == "heading"]
    has_markers = any(t.kind == "level" for t in tokens)
    if not has_markers:
        _plain_heading_levels(tokens, headings, kinds)
    title_seen = False
    structural = [i for i in headings if i not in kinds]
    for position, index in enumerate(structural):
        end = structural[position + 1] if position + 1 < len(structural) else len(tokens)
        section = tokens[index + 1 : end]
        holds_ladder = any(
            t.kind in ("level", "bullet") or (t.kind == "text" and _NOT_APPLICABLE.match(t.text)) for t in section
        )
        if holds_ladder:
            kinds[index] = "area"
        elif not title_seen and position == 0:
            kinds[index] = "title"
            title_seen = True
        else:
            kinds[index] = "group"
    return kinds


def _plain_heading_levels(tokens: list[_Token], headings: list[int], kinds: dict[int, str]) -> None:
    """Without level markers: the headings holding bullets and their parents are levels and areas."""
    parent: dict[int, int | None] = {}
    stack: list[int] = []
    holders: list[int] = []
    for index in headings:
        while stack and tokens[stack[-1]].depth >= tokens[index].depth:
            stack.pop()
        parent[index] = stack[-1] if stack else None
        stack.append(index)
    for position, index in enumerate(headings):
        end = headings[position + 1] if position + 1 < len(headings) else len(tokens)
        if any(t.kind == "bullet" for t in tokens[index + 1 : end]):
            holders.append(index)
    parents = {parent[i] for i in holders if parent[i] is not None}
    if not holders or not parents or any(parent[i] is None for i in holders):
        return

    def score(indices: list[int] | set[int]) -> float:
        names = [clean_name(tokens[i].text) for i in indices]
        return sum(1 for n in names if _LEVEL_KEYWORDS.search(n)) / max(len(names), 1)

    seen_under: dict[str, set[int | None]] = {}
    for index in holders:
        seen_under.setdefault(clean_name(tokens[index].text).casefold(), set()).add(parent[index])
    repeated = any(len(under) > 1 for under in seen_under.values())
    if not repeated and score(holders) == 0 and score(parents) == 0:
        return  # e.g. "# Ladder / ## Delivery / - item": nothing says which headings are levels
    level_indices: list[int] | set[int] = holders
    if score(parents) > score(holders):
        level_indices = parents
    for index in level_indices:
        name = clean_name(tokens[index].text)
        tokens[index] = _Token("level", tokens[index].line, name, tokens[index].depth, level_id=slugify(name) or name)
        kinds[index] = "level"


@dataclass
class _State:
    area: _Area | None = None
    area_depth: int = 0
    area_track: str | None = None
    level: str | None = None
    level_depth: int = 0
    group: str | None = None
    group_depth: int = 0
    label_track: str | None = None
    qualifier: str | None = None
    sublist_indent: int | None = None
    base_indent: int | None = None
    in_title: bool = False
    in_group: bool = False

    def reset_level(self) -> None:
        self.level = None
        self.label_track = None
        self.qualifier = None
        self.sublist_indent = None
        self.base_indent = None

    @property
    def track(self) -> str | None:
        return self.label_track or self.area_track


def _next_content(tokens: list[_Token], index: int) -> _Token | None:
    for token in tokens[index + 1 :]:
        if token.kind not in ("blank",):
            return token
    return None


def _is_label(token: _Token, following: _Token | None) -> bool:
    text = strip_markup(token.text)
    words = text.rstrip(":").split()
    if following is None or following.kind != "bullet" or not words:
        return False
    return len(words) <= 4 and len(text) <= 60 and not re.search(r"[.!?]$", text)


def _import_lists(lines: list[str], tokens: list[_Token], builder: _Builder, framework_name: str) -> None:
    kinds = _classify_headings(tokens)
    implicit = "area" not in kinds.values()
    state = _State()
    implicit_area: _Area | None = None

    def area_for_content() -> _Area | None:
        nonlocal implicit_area
        if state.area is not None:
            return state.area
        if implicit and state.level is not None:
            if implicit_area is None:
                implicit_area = builder.area(builder.name or framework_name)
            return implicit_area
        return None

    previous: _Token | None = None
    for index, token in enumerate(tokens):
        follows, previous = previous, token
        if token.kind in ("blank", "pipes"):
            continue
        if (
            token.kind == "text"
            and follows is not None
            and follows.kind == "bullet"
            and token.indent > follows.indent
            and (token.text[:1].islower() or not _is_label(token, _next_content(tokens, index)))
        ):
            # a wrapped bullet: the indented line right below it continues its text
            area = area_for_content()
            if area is not None and state.level is not None and area.cells[state.level].behaviours:
                last = area.cells[state.level].behaviours[-1]
                last.text = f"{last.text} {strip_markup(token.text)}"
                previous = follows
                continue
        if token.kind == "heading":
            kind = kinds[index]
            name = clean_name(token.text)
            state.in_title = state.in_group = False
            if state.level is not None and state.level_depth >= token.depth:
                state.reset_level()
            if kind == "title":
                if builder.name is None:
                    builder.name = name
                state.in_title = True
            elif kind == "group":
                state.group = builder.group(name)
                state.group_depth = token.depth
                state.in_group = True
                state.area = None
            else:
                if state.group is not None and token.depth < state.group_depth:
                    state.group = None
                _enter_area(builder, state, name, token.depth)
            continue
        if token.kind == "level":
            if state.area is not None and token.depth != 99 and token.depth <= state.area_depth:
                state.area, state.area_track = None, None
            state.reset_level()
            state.level = builder.level(token.level_id, token.text)
            state.level_depth = token.depth
            state.in_title = state.in_group = False
            area = area_for_content()
            if area is not None:
                builder.cell(area, state.level)
            continue
        area = area_for_content()
        if token.kind == "bullet":
            if area is None or state.level is None:
                builder.unplaced.append((token.line, token.text))
                continue
            _add_bullet(builder, state, area, token)
            continue
        # free text
        text = strip_markup(token.text)
        if area is not None and state.level is not None:
            _add_cell_text(builder, state, area, token, _next_content(tokens, index))
        elif state.area is not None:
            example = _EXAMPLE.match(text)
            if example and example.group("text"):
                state.area.examples.append(example.group("text"))
            else:
                state.area.description.append(text)
        elif state.in_group and state.group is not None:
            group = builder.groups[state.group]
            group["description"] = f"{group['description']} {text}" if "description" in group else text
        elif implicit:
            _pending_area_text(builder, text, framework_name)
        elif state.in_title or not builder.areas:
            builder.description.append(text)
        else:
            builder.unplaced.append((token.line, token.text))


def _pending_area_text(builder: _Builder, text: str, framework_name: str) -> None:
    area = builder.area(builder.name or framework_name)
    example = _EXAMPLE.match(text)
    if example and example.group("text"):
        area.examples.append(example.group("text"))
    else:
        area.description.append(text)


def _enter_area(builder: _Builder, state: _State, name: str, depth: int) -> None:
    track_name: str | None = None
    split = _AREA_ROLE.match(name)
    if split and _ROLE.search(split.group("role")) and not _ROLE.search(split.group("area")):
        name, role = split.group("area").strip(), split.group("role").strip()
        area = builder.area(name, state.group)
        if not area.roles:
            area.roles.append(role)
        elif role.casefold() != area.roles[0].casefold():
            track_name = role
    else:
        area = builder.area(name, state.group)
    state.area = area
    state.area_depth = depth
    state.area_track = builder.track(track_name) if track_name else None
    state.label_track = state.qualifier = None
    state.sublist_indent = state.base_indent = None


def _add_bullet(builder: _Builder, state: _State, area: _Area, token: _Token) -> None:
    sublist, base = state.sublist_indent, state.base_indent
    if sublist is not None and base is not None and base < sublist and token.indent < sublist:
        # an indented sub-list ("    Staff Engineer") ends where bullets return to the cell's indentation
        state.label_track = state.qualifier = None
        state.sublist_indent = None
    if state.label_track or state.qualifier:
        if state.sublist_indent is None:
            state.sublist_indent = token.indent
    elif state.base_indent is None:
        state.base_indent = token.indent
    cell = builder.cell(area, state.level)  # type: ignore[arg-type]
    cell.behaviours.append(_Behaviour(strip_markup(token.text), token.line, state.track, state.qualifier))


def _add_cell_text(builder: _Builder, state: _State, area: _Area, token: _Token, following: _Token | None) -> None:
    text = strip_markup(token.text)
    cell = builder.cell(area, state.level)  # type: ignore[arg-type]
    if _NOT_APPLICABLE.match(text):
        cell.not_applicable_line = token.line
        return
    if _TRACK_NOTE.match(text) and state.track:
        builder.track_note(state.track, text)
        return
    if _is_label(token, following):
        label = text.rstrip(":").strip()
        if _ROLE.search(label):
            state.label_track, state.qualifier = builder.track(label), None
        else:
            state.qualifier = label
        state.sublist_indent = None
        return
    if not cell.behaviours:
        cell.summary.append(text)
        return
    builder.unplaced.append((token.line, token.text))


# ---------------------------------------------------------------------------------------------------
# Ids kept across re-imports


def _flatten(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every behaviour with its position: area, level, track, index in cell."""
    found = []
    for area in document.get("areas", ()):
        for cell in area.get("cells", ()) or ():
            for position, behaviour in enumerate(cell.get("behaviours", ()) or ()):
                found.append(
                    {
                        "ref": behaviour,
                        "area": area.get("id"),
                        "area_name": str(area.get("name", "")).casefold(),
                        "level": str(cell.get("level")),
                        "track": behaviour.get("track"),
                        "position": position,
                        "id": behaviour.get("id"),
                        "text": str(behaviour.get("text", "")),
                    }
                )
    return found


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY_THRESHOLD or matcher.quick_ratio() < SIMILARITY_THRESHOLD:
        return 0.0
    return matcher.ratio()


def _carry_ids(document: dict[str, Any], existing: dict[str, Any]) -> None:
    """Reuse existing ids for the same or nearly the same text; fresh ids never collide with old ones."""
    new = _flatten(document)
    old = [b for b in _flatten(existing) if b["id"]]
    old_ids = {b["id"] for b in old}
    assigned: dict[int, str] = {}
    used: set[str] = set()

    def match(pairs_in_scope: bool) -> None:
        candidates = []
        for n, item in enumerate(new):
            if n in assigned:
                continue
            for o in old:
                if o["id"] in used:
                    continue
                if pairs_in_scope and o["area_name"] != item["area_name"]:
                    continue
                ratio = _ratio(item["text"], o["text"])
                if ratio >= SIMILARITY_THRESHOLD:
                    key = (
                        ratio,
                        o["level"] == item["level"] and o["track"] == item["track"],
                        -abs(o["position"] - item["position"]),
                    )
                    candidates.append((key, n, o["id"]))
        for _key, n, old_id in sorted(candidates, key=lambda c: c[0], reverse=True):
            if n in assigned or old_id in used:
                continue
            assigned[n] = old_id
            used.add(old_id)

    if old:
        match(pairs_in_scope=True)
        match(pairs_in_scope=False)
    taken = set(old_ids)
    taken.update(assigned.values())
    for n, item in enumerate(new):
        behaviour = item["ref"]
        if n in assigned:
            behaviour["id"] = assigned[n]
            continue
        wanted = behaviour["id"]
        if wanted in taken:
            # after the highest number the prefix ever had, so a deleted behaviour's id is not handed out again
            prefix = wanted.rpartition("-")[0]
            numbers = [int(m.group(1)) for i in taken if (m := re.fullmatch(re.escape(prefix) + r"-(\d+)", i))]
            number = max(numbers, default=0) + 1
            wanted = f"{prefix}-{number:02d}"
        behaviour["id"] = wanted
        taken.add(wanted)


# ---------------------------------------------------------------------------------------------------
# Entry point


def import_markdown(
    text: str,
    *,
    framework_id: str | None = None,
    source_name: str = "",
    existing: dict[str, Any] | None = None,
) -> ImportResult:
    """Parse a Markdown ladder; see the module docstring for the layouts and heuristics."""
    if "\x00" in text:
        raise MarkdownImportError("the input looks like a binary file, not Markdown text.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    if not any(line.strip() for line in lines):
        raise MarkdownImportError("the input is empty.")
    builder = _Builder()
    fallback_name = _fallback_name(framework_id, source_name, existing)
    table = _find_table(lines)
    if table is not None:
        _import_table(lines, table, builder)
    else:
        _import_lists(lines, _tokenize(lines), builder, fallback_name)
    _check_recognised(builder)
    if existing:
        builder.adopt_ids(existing)
    document = builder.document()
    name = builder.name or fallback_name
    document["name"] = name
    document["id"] = framework_id or (existing or {}).get("id") or slugify(name) or "imported"
    if source_name:
        document["source"] = source_name
    if existing:
        _keep_existing_fields(document, existing)
    _carry_ids(document, existing or {})
    counts = [
        (area["id"], cell["level"], len(cell.get("behaviours", ())))
        for area in document["areas"]
        for cell in area.get("cells", ())
    ]
    return ImportResult(document=document, counts=counts, unplaced=sorted(builder.unplaced))


def _keep_existing_fields(document: dict[str, Any], existing: dict[str, Any]) -> None:
    """Re-importing into a ladder keeps what Markdown cannot say: its name, version, status, source,
    descriptions the Markdown lacks, and the level names of levels it still has."""
    for key in ("name", "version", "source", "description", "status", "status_note"):
        if key in existing and (key != "description" or key not in document):
            document[key] = existing[key]
    level_names = {str(level.get("id")): level.get("name") for level in existing.get("levels", ())}
    for level in document["levels"]:
        if level_names.get(level["id"]):
            level["name"] = level_names[level["id"]]
    for key in ("groups", "tracks", "areas"):
        old = {item.get("id"): item for item in existing.get(key, ())}
        for item in document.get(key, ()):
            before = old.get(item["id"], {})
            for field_name in ("description", "examples"):
                # a track's description is prose someone wrote for the YAML; Markdown only has notes for it
                if field_name in before and (field_name not in item or key == "tracks"):
                    item[field_name] = before[field_name]


def _fallback_name(framework_id: str | None, source_name: str, existing: dict[str, Any] | None) -> str:
    if existing and existing.get("name"):
        return str(existing["name"])
    if framework_id:
        return framework_id.replace("-", " ").capitalize()
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", source_name.rsplit("/", 1)[-1])
    return stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Imported ladder"


def _check_recognised(builder: _Builder) -> None:
    if not builder.levels:
        raise MarkdownImportError(
            "found no levels: mark each level with a line such as 'Level 2' or 'P2 |', a heading such as "
            "'## Level 2', or a table row whose first cell is the level."
        )
    if not builder.areas:
        raise MarkdownImportError("found levels but no areas (headings or table columns) to put them in.")
    has_content = any(
        cell.behaviours or cell.summary or cell.not_applicable_line is not None
        for area in builder.areas.values()
        for cell in area.cells.values()
    )
    if not has_content:
        raise MarkdownImportError("found levels and areas but no behaviours (bullet items or table cells).")


# ---------------------------------------------------------------------------------------------------
# YAML output


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
    "behaviour": ("id", "text", "track", "qualifier"),
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
