"""Where the importer's test inputs live, and small readers of the documents it produces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from frameworks.loader import parse_framework
from frameworks.markdown_import import dump_yaml
from tests.frameworks.seeds import seeds_dir

REPO = Path(__file__).resolve().parents[3]
FRAMEWORKS_DIR = REPO / "frameworks"
MD_DIR = Path(__file__).resolve().parents[1] / "data" / "md"


def seed_text(name: str) -> str:
    return (seeds_dir() / name).read_text(encoding="utf-8")


def checked_in(framework_id: str) -> dict[str, Any]:
    return yaml.safe_load((FRAMEWORKS_DIR / f"{framework_id}.yaml").read_text(encoding="utf-8"))


def fixture_text(name: str) -> str:
    return (MD_DIR / name).read_text(encoding="utf-8")


def behaviours(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for a in document["areas"] for c in a.get("cells", []) for b in c.get("behaviours", [])]


def ids_by_text(document: dict[str, Any], area_id: str | None = None) -> dict[str, str]:
    return {
        b["text"]: b["id"]
        for a in document["areas"]
        if area_id in (None, a["id"])
        for c in a.get("cells", [])
        for b in c.get("behaviours", [])
    }


def loads(document: dict[str, Any]) -> None:
    """The importer's output is a valid ladder for the real loader."""
    parse_framework(dump_yaml(document), "<import>")
