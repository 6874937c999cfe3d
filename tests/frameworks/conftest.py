from __future__ import annotations

from pathlib import Path

import pytest

from frameworks import Framework, Library, load_paths

DATA_DIR = Path(__file__).parent / "data"
ACME_PATH = DATA_DIR / "acme.yaml"


@pytest.fixture(scope="session")
def library() -> Library:
    return load_paths([DATA_DIR])


@pytest.fixture(scope="session")
def acme(library: Library) -> Framework:
    return library["acme-engineering"]
