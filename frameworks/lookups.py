"""Slack-free questions about ladders: which framework/area/level a person means, what a cell says,
and what someone's next milestone is."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from frameworks.model import Area, Behaviour, Cell, Framework, Group, Level, Library, Status

T = TypeVar("T")

_ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18, "xix": 19,
    "xx": 20,
}  # fmt: skip


class AmbiguousMatch(LookupError):
    """The text matches several things equally well; `candidates` holds (id, name) pairs to offer."""

    def __init__(self, kind: str, text: str, candidates: Sequence[tuple[str, str]]) -> None:
        self.kind = kind
        self.text = text
        self.candidates = list(candidates)
        options = ", ".join(f"{name} ({ident})" if name != ident else ident for ident, name in self.candidates)
        super().__init__(f"{text!r} matches several {kind}s: {options}. Be more specific.")


# ---------------------------------------------------------------------------------------------------
# Listing


@dataclass(frozen=True, slots=True)
class FrameworkSummary:
    id: str
    name: str
    area_count: int
    level_count: int
    behaviour_count: int
    status: Status
    status_note: str | None = None


def list_frameworks(library: Library) -> list[FrameworkSummary]:
    return [
        FrameworkSummary(
            id=f.id,
            name=f.name,
            area_count=f.area_count,
            level_count=f.level_count,
            behaviour_count=f.behaviour_count,
            status=f.status,
            status_note=f.status_note,
        )
        for f in library.frameworks
    ]


# ---------------------------------------------------------------------------------------------------
# Forgiving matching


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded)


def _norm(text: str) -> str:
    return " ".join(_words(text))


@dataclass(frozen=True, slots=True)
class _Candidate(Generic[T]):
    item: T
    ident: str
    name: str
    words: tuple[str, ...]  # from id and name
    extra_words: tuple[str, ...] = ()  # from source/description: weaker evidence


def _match(kind: str, text: str, candidates: Sequence[_Candidate[T]]) -> T | None:
    """Exact id/name, then id/name prefix, then every query word starting a name word, then the same
    against descriptions. The first tier with any match decides; several matches there are ambiguous."""
    query = _norm(text)
    if not query:
        return None
    query_words = query.split()
    compact = query.replace(" ", "")

    def exact(c: _Candidate[T]) -> bool:
        return query in (_norm(c.ident), _norm(c.name)) or compact == c.ident.lower().replace("-", "")

    def prefix(c: _Candidate[T]) -> bool:
        return _norm(c.ident).startswith(query) or _norm(c.name).startswith(query)

    def words(c: _Candidate[T]) -> bool:
        return all(any(w.startswith(q) for w in c.words) for q in query_words)

    def anywhere(c: _Candidate[T]) -> bool:
        pool = c.words + c.extra_words
        return all(any(w.startswith(q) for w in pool) for q in query_words)

    return _first_tier(kind, text, candidates, (exact, prefix, words, anywhere))


def _first_tier(
    kind: str,
    text: str,
    candidates: Sequence[_Candidate[T]],
    tiers: Iterable[Callable[[_Candidate[T]], bool]],
) -> T | None:
    for tier in tiers:
        found = [c for c in candidates if tier(c)]
        if len(found) == 1:
            return found[0].item
        if found:
            raise AmbiguousMatch(kind, text, [(c.ident, c.name) for c in found])
    return None


def match_framework(library: Library, text: str) -> Framework | None:
    """Find a ladder by id, name, a prefix, or words from its name, id or source ("attest")."""
    candidates = [
        _Candidate(
            f,
            f.id,
            f.name,
            tuple(_words(f.id) + _words(f.name)),
            tuple(_words(f.source or "") + _words(f.description or "")),
        )
        for f in library.frameworks
    ]
    return _match("framework", text, candidates)


def match_area(framework: Framework, text: str) -> Area | None:
    """Find an area by id or name ("design" finds "Design & Architecture"), or by its group's name."""
    candidates = []
    for area in framework.areas:
        group = framework.group(area.group).name if area.group else ""
        candidates.append(
            _Candidate(area, area.id, area.name, tuple(_words(area.id) + _words(area.name)), tuple(_words(group)))
        )
    return _match("area", text, candidates)


def _level_words(text: str) -> list[str]:
    """Words with roman numerals read as numbers, so "IV", "iv" and "4" compare equal."""
    return [str(_ROMAN[w]) if w in _ROMAN else w for w in _words(text)]


def _level_number(level: Level) -> str | None:
    for source in (level.id, level.name):
        numbers = [w for w in _level_words(source) if w.isdigit()]
        if numbers:
            return numbers[-1]
        # "P2", "L3", "E5": a label with a trailing number.
        found = re.search(r"(\d+)$", source.strip())
        if found:
            return found.group(1)
    return None


def match_level(framework: Framework, text: str) -> Level | None:
    """Find a level by id or name: "iv" finds "IV", "4" finds "Milestone 4" or roman "IV", "p2" finds "P2"."""
    query_words = _level_words(text)
    if not query_words:
        return None
    query = " ".join(query_words)
    compact = "".join(_words(text))
    numbers = [w for w in query_words if w.isdigit()]
    other_words = [w for w in query_words if not w.isdigit()]
    # "p2", "l3": a letter prefix glued to a number.
    glued = re.fullmatch(r"([a-z]+)(\d+)", compact)

    candidates = [
        _Candidate(level, level.id, level.name, tuple(_level_words(level.id) + _level_words(level.name)))
        for level in framework.levels
    ]

    def exact(c: _Candidate[Level]) -> bool:
        ident = " ".join(_level_words(c.ident))
        return query in (ident, " ".join(_level_words(c.name))) or compact == "".join(_words(c.ident))

    def by_number(c: _Candidate[Level]) -> bool:
        number = _level_number(c.item)
        wanted = numbers[-1] if numbers else (glued.group(2) if glued else None)
        if wanted is None or number is None or number.lstrip("0") != wanted.lstrip("0"):
            return False
        # Other words ("senior 2", the "m" of "m4") must start a word of the level, except "level".
        others = [glued.group(1)] if glued and not numbers else other_words
        return all(any(w.startswith(q) for w in c.words) for q in others if q not in {"level", "l", "lvl"})

    def prefix(c: _Candidate[Level]) -> bool:
        return " ".join(_level_words(c.name)).startswith(query) or c.ident.lower().startswith(compact)

    def words(c: _Candidate[Level]) -> bool:
        return all(any(w.startswith(q) for w in c.words) for q in query_words)

    return _first_tier("level", text, candidates, (exact, by_number, prefix, words))


# ---------------------------------------------------------------------------------------------------
# Showing a ladder


@dataclass(frozen=True, slots=True)
class CellView:
    """One area at one level. `cell` is None when the ladder says nothing there."""

    framework: Framework
    area: Area
    level: Level
    cell: Cell | None

    @property
    def behaviours(self) -> tuple[Behaviour, ...]:
        return self.cell.behaviours if self.cell else ()

    @property
    def summary(self) -> str | None:
        return self.cell.summary if self.cell else None

    @property
    def not_applicable(self) -> bool:
        return bool(self.cell and self.cell.not_applicable)

    @property
    def is_empty(self) -> bool:
        return not self.behaviours


@dataclass(frozen=True, slots=True)
class AreaSection:
    group: Group | None
    areas: tuple[Area, ...]


@dataclass(frozen=True, slots=True)
class FrameworkOverview:
    framework: Framework
    sections: tuple[AreaSection, ...]  # areas by group, in file order; ungrouped areas last


@dataclass(frozen=True, slots=True)
class AreaView:
    framework: Framework
    area: Area
    cells: tuple[CellView, ...]  # one per level, lowest first


@dataclass(frozen=True, slots=True)
class LevelView:
    framework: Framework
    level: Level
    cells: tuple[CellView, ...]  # one per area, in file order


View = FrameworkOverview | AreaView | LevelView | CellView


def show(framework: Framework, area: Area | str | None = None, level: Level | str | None = None) -> View:
    """The whole ladder, one area across levels, one level across areas, or one cell.

    `area` and `level` are ids (or the objects); use `match_area`/`match_level` for user text.
    """
    area_obj = framework.area(area) if isinstance(area, str) else area
    level_obj = framework.level(level) if isinstance(level, str) else level
    if area_obj is not None and level_obj is not None:
        return _cell_view(framework, area_obj, level_obj)
    if area_obj is not None:
        return AreaView(framework, area_obj, tuple(_cell_view(framework, area_obj, lv) for lv in framework.levels))
    if level_obj is not None:
        return LevelView(framework, level_obj, tuple(_cell_view(framework, a, level_obj) for a in framework.areas))
    sections = [AreaSection(g, framework.areas_in_group(g.id)) for g in framework.groups]
    ungrouped = framework.areas_in_group(None)
    if ungrouped:
        sections.append(AreaSection(None, ungrouped))
    return FrameworkOverview(framework, tuple(s for s in sections if s.areas))


def _cell_view(framework: Framework, area: Area, level: Level) -> CellView:
    return CellView(framework, area, level, area.cell(level.id))


# ---------------------------------------------------------------------------------------------------
# Next milestone


@dataclass(frozen=True, slots=True)
class AreaStep:
    """Where someone is in one area and what the next level there asks of them."""

    area: Area
    current_level: Level | None  # None: not placed in this area yet, so the next level is the lowest
    next_level: Level | None  # None: already at the top
    behaviours: tuple[Behaviour, ...]  # the next cell's behaviours that apply to the person's track
    not_applicable: bool = False  # the next cell is marked N/A
    summary: str | None = None

    @property
    def at_top(self) -> bool:
        return self.next_level is None

    @property
    def cell_empty(self) -> bool:
        """There is a next level but its cell lists nothing for this person (missing, N/A or empty)."""
        return self.next_level is not None and not self.behaviours


@dataclass(frozen=True, slots=True)
class NextMilestone:
    framework: Framework
    track: str | None
    areas: tuple[AreaStep, ...]

    @property
    def behaviours(self) -> tuple[Behaviour, ...]:
        return tuple(b for step in self.areas for b in step.behaviours)

    @property
    def at_top_everywhere(self) -> bool:
        return all(step.at_top for step in self.areas)

    def step(self, area_id: str) -> AreaStep:
        for step in self.areas:
            if step.area.id == area_id:
                return step
        raise KeyError(area_id)


def next_milestone(framework: Framework, levels_by_area: Mapping[str, str], track: str | None = None) -> NextMilestone:
    """What the level above the current one asks for, area by area.

    Areas missing from `levels_by_area` count as not placed yet (next = lowest level); ids of areas the
    ladder no longer has are ignored; an unknown level id raises KeyError. Track-specific behaviours are
    included only when `track` matches. The next level is reported honestly even when its cell is empty
    or N/A (`AreaStep.cell_empty`), rather than skipping ahead.
    """
    steps = []
    for area in framework.areas:
        level_id = levels_by_area.get(area.id)
        if level_id is None:
            current, upcoming = None, framework.levels[0]
        else:
            current = framework.level(level_id)
            upcoming = framework.next_level(level_id)
        cell = area.cell(upcoming.id) if upcoming else None
        steps.append(
            AreaStep(
                area=area,
                current_level=current,
                next_level=upcoming,
                behaviours=cell.behaviours_for(track) if cell else (),
                not_applicable=bool(cell and cell.not_applicable),
                summary=cell.summary if cell else None,
            )
        )
    return NextMilestone(framework, track, tuple(steps))


def uniform_levels(framework: Framework, level_id: str) -> dict[str, str]:
    """The same level in every area: for people placed with one overall level."""
    framework.level_index(level_id)
    return {area.id: level_id for area in framework.areas}


def current_level_label(framework: Framework, levels_by_area: Mapping[str, str]) -> str:
    """ "Level III" when every placed area agrees, "Level II – Level III" for a spread, "not placed" if none."""
    placed = sorted(
        {framework.level_index(lv) for a, lv in levels_by_area.items() if framework.find_area(a) is not None}
    )
    if not placed:
        return "not placed"
    low, high = framework.levels[placed[0]], framework.levels[placed[-1]]
    return low.name if low == high else f"{low.name} – {high.name}"
