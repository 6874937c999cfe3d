"""The career-ladder model: immutable values built by `frameworks.loader` from YAML files.

Everything here is frozen so one `Library` can be shared by every Bolt thread without locks; the
lookup tables are built once in `__post_init__` and excluded from equality and repr.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["complete", "incomplete"]


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who wrote a ladder and where it was published (YAML `source:`); `note` alone for a plain-text source."""

    author: str | None = None
    organisation: str | None = None
    title: str | None = None
    url: str | None = None
    licence: str | None = None
    note: str | None = None

    def credit(self) -> str:
        """One line: `Attest, "Engineering Growth Framework v2", https://... (licence: CC BY 4.0). note`."""
        who = ", ".join(p for p in (self.author, self.organisation) if p)
        parts = [p for p in (who, f'"{self.title}"' if self.title else None, self.url) if p]
        line = ", ".join(parts)
        if self.licence:
            line += f" (licence: {self.licence})"
        if self.note:
            line = f"{line}. {self.note}" if line else self.note
        return line


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Track:
    """A variant of the ladder (e.g. "Staff Engineer") whose behaviours apply only to people on it."""

    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Behaviour:
    id: str
    text: str
    area_id: str
    level_id: str
    framework_id: str
    track: str | None = None
    qualifier: str | None = None
    examples: tuple[str, ...] = ()

    def applies_to(self, track: str | None) -> bool:
        """Track-less behaviours apply to everyone; track ones only to people on that track."""
        return self.track is None or self.track == track


@dataclass(frozen=True, slots=True)
class Cell:
    """One area at one level: an optional summary plus the behaviours expected there."""

    area_id: str
    level_id: str
    summary: str | None = None
    not_applicable: bool = False
    behaviours: tuple[Behaviour, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.behaviours

    def behaviours_for(self, track: str | None) -> tuple[Behaviour, ...]:
        return tuple(b for b in self.behaviours if b.applies_to(track))


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    name: str
    group: str | None = None
    description: str | None = None
    examples: tuple[str, ...] = ()
    cells: tuple[Cell, ...] = ()
    _cells_by_level: dict[str, Cell] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cells_by_level", {cell.level_id: cell for cell in self.cells})

    def cell(self, level_id: str) -> Cell | None:
        return self._cells_by_level.get(level_id)

    @property
    def behaviours(self) -> tuple[Behaviour, ...]:
        return tuple(b for cell in self.cells for b in cell.behaviours)


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    name: str
    version: int
    levels: tuple[Level, ...]
    areas: tuple[Area, ...]
    groups: tuple[Group, ...] = ()
    tracks: tuple[Track, ...] = ()
    description: str | None = None
    # `source` is the attribution as one line (`attribution.credit()`), for text and search.
    source: str | None = None
    attribution: Attribution | None = None
    status: Status = "complete"
    status_note: str | None = None
    # Readiness bar: the share of a next level's behaviours that must be judged "consistently" (1.0 = all);
    # `area_bars` overrides it per area id (YAML `readiness:`, docs/frameworks.md).
    readiness_bar: float = 1.0
    area_bars: tuple[tuple[str, float], ...] = ()
    path: Path | None = field(default=None, compare=False)
    _level_index: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)
    _areas: dict[str, Area] = field(init=False, repr=False, compare=False, hash=False)
    _groups: dict[str, Group] = field(init=False, repr=False, compare=False, hash=False)
    _tracks: dict[str, Track] = field(init=False, repr=False, compare=False, hash=False)
    _behaviours: dict[str, Behaviour] = field(init=False, repr=False, compare=False, hash=False)
    # Derived data other modules compute once per framework (e.g. the suggestion index).
    _cache: dict[str, Any] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_level_index", {level.id: i for i, level in enumerate(self.levels)})
        set_(self, "_areas", {area.id: area for area in self.areas})
        set_(self, "_groups", {group.id: group for group in self.groups})
        set_(self, "_tracks", {track.id: track for track in self.tracks})
        set_(self, "_behaviours", {b.id: b for area in self.areas for b in area.behaviours})
        set_(self, "_cache", {})

    # Hashing every behaviour on each dict lookup would be wasteful; equal frameworks share these.
    def __hash__(self) -> int:
        return hash((self.id, self.version))

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"

    def level_index(self, level_id: str) -> int:
        """Position of a level, 0 = lowest. Raises KeyError for an unknown level id."""
        try:
            return self._level_index[level_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no level {level_id!r}") from None

    def level(self, level_id: str) -> Level:
        return self.levels[self.level_index(level_id)]

    def has_level(self, level_id: str) -> bool:
        return level_id in self._level_index

    def next_level(self, level_id: str) -> Level | None:
        index = self.level_index(level_id) + 1
        return self.levels[index] if index < len(self.levels) else None

    def area(self, area_id: str) -> Area:
        try:
            return self._areas[area_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no area {area_id!r}") from None

    def find_area(self, area_id: str) -> Area | None:
        return self._areas.get(area_id)

    def group(self, group_id: str) -> Group:
        try:
            return self._groups[group_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no group {group_id!r}") from None

    def track(self, track_id: str) -> Track:
        try:
            return self._tracks[track_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no track {track_id!r}") from None

    def has_track(self, track_id: str) -> bool:
        return track_id in self._tracks

    def cell(self, area_id: str, level_id: str) -> Cell | None:
        return self.area(area_id).cell(level_id)

    def behaviour(self, behaviour_id: str) -> Behaviour:
        try:
            return self._behaviours[behaviour_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no behaviour {behaviour_id!r}") from None

    def find_behaviour(self, behaviour_id: str) -> Behaviour | None:
        return self._behaviours.get(behaviour_id)

    @property
    def behaviours(self) -> tuple[Behaviour, ...]:
        """Every behaviour, in file order (area by area, level by level as written)."""
        return tuple(self._behaviours.values())

    def bar_for(self, area_id: str) -> float:
        """The share of an area's next-level behaviours judged "consistently" that makes it ready."""
        return dict(self.area_bars).get(area_id, self.readiness_bar)

    def areas_in_group(self, group_id: str | None) -> tuple[Area, ...]:
        return tuple(area for area in self.areas if area.group == group_id)

    @property
    def area_count(self) -> int:
        return len(self.areas)

    @property
    def level_count(self) -> int:
        return len(self.levels)

    @property
    def behaviour_count(self) -> int:
        return len(self._behaviours)


class Library(Mapping[str, Framework]):
    """Every loaded ladder, by framework id, iterated in id order. Immutable once built."""

    __slots__ = ("__weakref__", "_cache", "_frameworks", "_lock")

    def __init__(self, frameworks: Mapping[str, Framework] | list[Framework] | tuple[Framework, ...] = ()):
        items = list(frameworks.values()) if isinstance(frameworks, Mapping) else list(frameworks)
        by_id: dict[str, Framework] = {}
        for framework in sorted(items, key=lambda f: f.id):
            if framework.id in by_id:
                raise ValueError(f"duplicate framework id {framework.id!r}")
            by_id[framework.id] = framework
        self._frameworks = by_id
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __getitem__(self, framework_id: str) -> Framework:
        return self._frameworks[framework_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._frameworks)

    def __len__(self) -> int:
        return len(self._frameworks)

    def __repr__(self) -> str:
        return f"Library({list(self._frameworks)!r})"

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    @property
    def frameworks(self) -> list[Framework]:
        return list(self._frameworks.values())

    def find_behaviour(self, framework_id: str, behaviour_id: str) -> Behaviour | None:
        framework = self._frameworks.get(framework_id)
        return framework.find_behaviour(behaviour_id) if framework else None

    @property
    def behaviour_count(self) -> int:
        return sum(f.behaviour_count for f in self._frameworks.values())

    def cached(self, key: str, build: Any) -> Any:
        """Compute derived data (e.g. the search index) once per library, thread-safely."""
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]
