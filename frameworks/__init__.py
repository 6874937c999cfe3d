"""Career ladders as data: YAML files, their validated model, lookups and search."""

from frameworks.errors import FrameworkError
from frameworks.library_holder import LibraryHolder
from frameworks.loader import load_library, load_paths, parse_framework
from frameworks.lookups import (
    AmbiguousMatch,
    AreaStep,
    NextMilestone,
    current_level_label,
    list_frameworks,
    match_area,
    match_framework,
    match_level,
    next_milestone,
    show,
    uniform_levels,
)
from frameworks.model import Area, Attribution, Behaviour, Cell, Framework, Group, Level, Library, Track
from frameworks.search import SearchHit, search

__all__ = [
    "AmbiguousMatch",
    "Area",
    "AreaStep",
    "Attribution",
    "Behaviour",
    "Cell",
    "Framework",
    "FrameworkError",
    "Group",
    "Level",
    "Library",
    "LibraryHolder",
    "NextMilestone",
    "SearchHit",
    "Track",
    "current_level_label",
    "list_frameworks",
    "load_library",
    "load_paths",
    "match_area",
    "match_framework",
    "match_level",
    "next_milestone",
    "parse_framework",
    "search",
    "show",
    "uniform_levels",
]
