"""A ladder's credit: the `source:` block (or, as before, one line of text), printed wherever it is read."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.blocks.lookup import show_blocks
from bot.cli import main
from bot.services.lookup import resolve_show
from frameworks import Attribution, FrameworkError, load_library, parse_framework
from tests.frameworks.tiny_ladder import BASE

ROOT = Path(__file__).resolve().parents[2]
BLOCK = BASE.replace(
    "version: 1\n",
    "version: 1\nsource:\n  author: Jo Bloggs\n  organisation: Acme\n  title: Acme ladder\n"
    "  url: https://example.com/ladder\n  licence: CC BY 4.0\n",
)


def test_a_source_block_is_read_into_an_attribution_and_a_credit_line() -> None:
    framework = parse_framework(BLOCK, "block.yaml")
    assert framework.attribution == Attribution(
        author="Jo Bloggs",
        organisation="Acme",
        title="Acme ladder",
        url="https://example.com/ladder",
        licence="CC BY 4.0",
    )
    assert framework.source == 'Jo Bloggs, Acme, "Acme ladder", https://example.com/ladder (licence: CC BY 4.0)'


def test_a_plain_text_source_is_still_accepted() -> None:
    framework = parse_framework(BASE.replace("version: 1\n", 'version: 1\nsource: "Acme handbook, 2024"\n'), "t.yaml")
    assert framework.source == "Acme handbook, 2024"
    assert framework.attribution == Attribution(note="Acme handbook, 2024")


def test_a_typo_in_the_source_block_names_the_key_and_its_line() -> None:
    text = BLOCK.replace("  licence:", "  licnece:")
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text, "typo.yaml")
    assert caught.value.line == text.splitlines().index("  licnece: CC BY 4.0") + 1
    assert "unknown key 'licnece'" in str(caught.value) and "did you mean 'licence'" in str(caught.value)


@pytest.mark.parametrize(
    ("framework_id", "organisation"),
    [("attest-engineering", "Attest"), ("luko-execution", "Luko"), ("vio-execution", "Vio.com")],
)
def test_the_bundled_ladders_are_credited_to_the_companies_their_files_name(
    framework_id: str, organisation: str
) -> None:
    framework = load_library()[framework_id]
    assert framework.attribution is not None and framework.attribution.organisation == organisation
    assert framework.source is not None and framework.source.startswith(organisation)


def test_the_bundled_ladders_without_a_named_company_say_so() -> None:
    library = load_library()
    for framework_id in ("flow", "org-wide-engineering"):
        attribution = library[framework_id].attribution
        assert attribution is not None and attribution.organisation is None and attribution.author is None
        assert attribution.note is not None and "names no company" in attribution.note


def test_frameworks_show_and_slash_show_print_the_credit(tmp_path: Path) -> None:
    (tmp_path / "block.yaml").write_text(BLOCK)
    result = CliRunner().invoke(main, ["frameworks", "show", "tiny"], env={"GROWTHBOT_FRAMEWORKS_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert 'Source: Jo Bloggs, Acme, "Acme ladder", https://example.com/ladder (licence: CC BY 4.0)' in result.output
    shown = CliRunner().invoke(main, ["frameworks", "show", "attest-engineering"])
    assert 'Source: Attest, "Engineering Growth Framework v2"' in shown.output

    library = load_library([tmp_path])
    text = json.dumps([block.to_dict() for block in show_blocks(resolve_show(library, ["tiny"]))])
    assert '_Credit: Jo Bloggs, Acme, \\"Acme ladder\\", https://example.com/ladder (licence: CC BY 4.0)_' in text


def test_the_licence_file_matches_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == "MIT"
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "Permission is hereby granted, free of charge" in licence
