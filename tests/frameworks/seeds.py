"""Where the seed ladder documents are read from by the fidelity and import tests.

The source of truth is ../shared/seeds beside the repository (or GROWTHBOT_SEEDS_DIR); a byte-exact
copy ships in tests/frameworks/data/seeds so a clone without shared/ still proves fidelity.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUNDLED_SEEDS = Path(__file__).resolve().parent / "data" / "seeds"


def shared_seeds_dir() -> Path | None:
    configured = os.environ.get("GROWTHBOT_SEEDS_DIR")
    directory = Path(configured) if configured else REPO.parent / "shared" / "seeds"
    return directory if directory.is_dir() else None


def seeds_dir() -> Path:
    return shared_seeds_dir() or BUNDLED_SEEDS
