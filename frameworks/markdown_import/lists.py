"""Layouts (b) and (c): area headings, level markers and bullet lists, with the heuristics of real ladders."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frameworks.markdown_import.builder import AreaDraft, BehaviourDraft, Builder
from frameworks.markdown_import.text import behaviour_text, clean_name, slugify, strip_markup
from frameworks.markdown_import.tokens import NOT_APPLICABLE, Token

_EXAMPLE = re.compile(r"^(?:one |an? |some )?examples?\b[^:]{0,60}:\s*(?P<text>.*)$", re.IGNORECASE)
_ROLE = re.compile(
    r"\b(?:engineers?|managers?|leads?|architects?|developers?|staff|principal|senior|ics?)\b", re.IGNORECASE
)
_AREA_ROLE = re.compile(r"^(?P<area>.+?)\s+[-–—:]\s+(?P<role>.+)$")
_TRACK_NOTE = re.compile(r"^in addition to\b", re.IGNORECASE)
_LEVEL_KEYWORDS = re.compile(
    r"\b(?:level|milestone|grade|junior|mid|senior|staff|principal|lead|associate|intern|engineer|"
    r"distinguished|fellow|entry|[ivx]{1,4}|[lp]\d{1,2}|\d{1,2})\b",
    re.IGNORECASE,
)


def _classify_headings(tokens: list[Token], guesses: list[tuple[str, str]]) -> dict[int, str]:
    """Index of each heading token -> title | group | area | level (plain headings used as levels)."""
    kinds: dict[int, str] = {}
    headings = [i for i, t in enumerate(tokens) if t.kind == "heading"]
    has_markers = any(t.kind == "level" for t in tokens)
    if not has_markers:
        _plain_heading_levels(tokens, headings, kinds, guesses)
    title_seen = False
    structural = [i for i in headings if i not in kinds]
    title = _title_heading(tokens)
    if title is not None:
        kinds[title] = "title"
        title_seen = True
        structural.remove(title)
    for position, index in enumerate(structural):
        end = structural[position + 1] if position + 1 < len(structural) else len(tokens)
        section = tokens[index + 1 : end]
        holds_ladder = any(
            t.kind in ("level", "bullet") or (t.kind == "text" and NOT_APPLICABLE.match(t.text)) for t in section
        )
        if holds_ladder:
            kinds[index] = "area"
        elif not title_seen and position == 0 and index == headings[0]:
            kinds[index] = "title"
            title_seen = True
        else:
            kinds[index] = "group"
    return kinds


def _title_heading(tokens: list[Token]) -> int | None:
    """The document's first heading when it stands above all others (the only one at the top depth) and
    holds prose only: `# Title` over `## Associate` / `### Craft` names the ladder, it is not an area."""
    marks = [i for i, t in enumerate(tokens) if t.kind == "heading" or (t.kind == "level" and t.depth != 99)]
    if len(marks) < 2 or tokens[marks[0]].kind != "heading":
        return None
    first = marks[0]
    if any(tokens[i].depth <= tokens[first].depth for i in marks[1:]):
        return None
    if any(t.kind in ("bullet", "level") for t in tokens[first + 1 : marks[1]]):
        return None
    return first


def _plain_heading_levels(
    tokens: list[Token], headings: list[int], kinds: dict[int, str], guesses: list[tuple[str, str]]
) -> None:
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
    names = list(dict.fromkeys(clean_name(tokens[i].text) for i in sorted(level_indices)))
    inner = "the headings holding the bullets" if level_indices is holders else "the headings above them"
    guesses.append(
        (
            f"levels are the headings {', '.join(names[:4])}",
            f"no line marks a level ('Level 2', '**Senior**'); {inner} read more like level names",
        )
    )
    for index in level_indices:
        name = clean_name(tokens[index].text)
        tokens[index] = Token("level", tokens[index].line, name, tokens[index].depth, level_id=slugify(name) or name)
        kinds[index] = "level"


@dataclass
class _State:
    area: AreaDraft | None = None
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


def _next_content(tokens: list[Token], index: int) -> Token | None:
    for token in tokens[index + 1 :]:
        if token.kind not in ("blank",):
            return token
    return None


def _is_label(token: Token, following: Token | None) -> bool:
    text = strip_markup(token.text)
    words = text.rstrip(":").split()
    if following is None or following.kind != "bullet" or not words:
        return False
    return len(words) <= 4 and len(text) <= 60 and not re.search(r"[.!?]$", text)


def _labels_repeat_under_every_heading(tokens: list[Token]) -> bool:
    """A tidy document: bold labels, the same ones in the same order under each of two or more headings
    (`# Delivery` / `**Junior**` / `**Senior**`, `# Quality` / `**Junior**` / `**Senior**`). That is
    structure, not a guess, so `--strict` accepts it."""
    sections: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "heading":
            sections.append([])
        elif token.kind == "level" and token.guessed:
            sections[-1].append(token)
    if sections[0]:
        return False  # labels before the first heading: no area to repeat under
    sequences = [[t.text for t in section] for section in sections[1:] if section]
    every_bold = all(t.bold for section in sections for t in section)
    return every_bold and len(sequences) >= 2 and len(sequences[0]) >= 2 and all(s == sequences[0] for s in sequences)


def import_lists(lines: list[str], tokens: list[Token], builder: Builder, framework_name: str) -> None:
    guesses: list[tuple[str, str]] = []
    kinds = _classify_headings(tokens, guesses)
    for what, why in guesses:
        builder.guess(what, why)
    labelled = [t for t in tokens if t.kind == "level" and t.guessed]
    if labelled and not _labels_repeat_under_every_heading(tokens):
        names = list(dict.fromkeys(t.text for t in labelled))
        builder.guess(
            f"levels are the labels {', '.join(names[:4])}",
            "short lines naming a level (bold or alone) above bullet lists; nothing else marks the levels",
            labelled[0].line,
        )
    footer = _footer_start(tokens)
    implicit = "area" not in kinds.values()
    state = _State()
    implicit_area: AreaDraft | None = None

    def area_for_content() -> AreaDraft | None:
        nonlocal implicit_area
        if state.area is not None:
            return state.area
        if implicit and state.level is not None:
            if implicit_area is None:
                implicit_area = builder.area(builder.name or framework_name)
            return implicit_area
        return None

    previous: Token | None = None
    for index, token in enumerate(tokens):
        follows, previous = previous, token
        if token.kind in ("blank", "pipes"):
            continue
        if index >= footer:
            builder.unplaced.append((token.line, token.text))
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
    _name_from_single_area(builder, kinds)


def _name_from_single_area(builder: Builder, kinds: dict[int, str]) -> None:
    """`# Flow` over level-marked lists is the only area and also the document's title."""
    if builder.name is None and len(builder.areas) == 1 and list(kinds.values()) == ["area"]:
        builder.name = next(iter(builder.areas.values())).name


def _footer_start(tokens: list[Token]) -> int:
    """Index of the first token after a closing rule (`---`) followed by prose only: a footer, never a
    behaviour or a cell summary; len(tokens) when there is none."""
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token.kind in ("heading", "level", "bullet"):
            return len(tokens)
        if token.kind == "pipes" and re.fullmatch(r"\s*([-*_])(?:\s*\1){2,}\s*", token.text):
            return index + 1
    return len(tokens)


def _pending_area_text(builder: Builder, text: str, framework_name: str) -> None:
    area = builder.area(builder.name or framework_name)
    example = _EXAMPLE.match(text)
    if example and example.group("text"):
        area.examples.append(example.group("text"))
    else:
        area.description.append(text)


def _enter_area(builder: Builder, state: _State, name: str, depth: int) -> None:
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


def _add_bullet(builder: Builder, state: _State, area: AreaDraft, token: Token) -> None:
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
    cell.behaviours.append(BehaviourDraft(behaviour_text(token.text), token.line, state.track, state.qualifier))


def _add_cell_text(builder: Builder, state: _State, area: AreaDraft, token: Token, following: Token | None) -> None:
    text = strip_markup(token.text)
    cell = builder.cell(area, state.level)  # type: ignore[arg-type]
    if NOT_APPLICABLE.match(text):
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
