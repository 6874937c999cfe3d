"""The YAML the importer writes: clean, in schema key order, and read back as the same document."""

from __future__ import annotations

import re

import yaml

from frameworks.markdown_import import dump_yaml, import_markdown
from tests.frameworks.markdown_import.documents import behaviours, seed_text


def test_dump_yaml_is_clean_and_round_trips() -> None:
    document = import_markdown(seed_text("001_deb6e8e117f65802.txt"), framework_id="vio-execution").document
    text = dump_yaml(document, header="Imported for a test.")
    assert text.startswith("# yaml-language-server: $schema=./schema.json\n# Imported for a test.\nid: vio-execution\n")
    assert yaml.safe_load(text) == document
    assert "squad’s" in text  # unicode kept, not escaped
    assert '  - id: "1"\n    name: Level 1\n' in text  # block style, indented lists, numeric ids quoted
    long_text = next(b["text"] for b in behaviours(document) if len(b["text"]) > 100)
    assert f"text: {long_text}\n" in text  # long strings are not wrapped
    keys = [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert keys == ["id", "name", "description", "version", "levels", "areas"]
