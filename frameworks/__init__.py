"""Career ladders as data: YAML files, their validated model, lookups and search."""

from frameworks.loader import FrameworkError, LibraryHolder, load_library, load_paths, parse_framework
from frameworks.model import Area, Behaviour, Cell, Framework, Group, Level, Library, Track

__all__ = [
    "Area",
    "Behaviour",
    "Cell",
    "Framework",
    "FrameworkError",
    "Group",
    "Level",
    "Library",
    "LibraryHolder",
    "Track",
    "load_library",
    "load_paths",
    "parse_framework",
]
