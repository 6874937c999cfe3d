"""`growthbot frameworks import`: the command around the importer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli.frameworks_import import import_command
from frameworks.loader import parse_framework
from frameworks.markdown_import import dump_yaml, import_markdown
from tests.frameworks.markdown_import.documents import fixture_text, ids_by_text


def test_cli_writes_yaml_and_reports_counts_and_unplaced_lines(tmp_path: Path) -> None:
    source = tmp_path / "ladder.md"
    source.write_text(fixture_text("unplaced.md"), encoding="utf-8")
    out = tmp_path / "ladder.yaml"
    result = CliRunner().invoke(import_command, [str(source), "--id", "my-ladder", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "my-ladder: 1 areas x 2 levels, 2 behaviours" in result.output
    assert re.search(r"area\s+1\s+2\s+total\n[- ]+\ndelivery\s+1\s+1\s+2", result.output)
    assert "line 3: A bullet before any level." in result.output
    assert "line 9: A stray sentence after the bullets." in result.output
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert document["id"] == "my-ladder" and document["source"] == "ladder.md"
    parse_framework(out.read_text(encoding="utf-8"), out)


def test_cli_prints_yaml_on_stdout_without_output_option(tmp_path: Path) -> None:
    source = tmp_path / "ladder.md"
    source.write_text(fixture_text("plain-headings.md"), encoding="utf-8")
    result = CliRunner().invoke(import_command, [str(source)])
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["id"] == "acme-platform-ladder"
    assert "Every line was placed." in result.stderr


def test_cli_into_keeps_ids(tmp_path: Path) -> None:
    existing = tmp_path / "tiny.yaml"
    first = import_markdown(
        "# Delivery\nLevel 1\n- Delivers small well-scoped projects efficiently.\n- Asks for help.\n",
        framework_id="tiny",
    )
    existing.write_text(dump_yaml(first.document), encoding="utf-8")
    source = tmp_path / "tiny.md"
    source.write_text(
        "# Delivery\nLevel 1\n- Asks for help.\n- Delivers small, well-scoped projects efficiently.\n", encoding="utf-8"
    )
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(import_command, [str(source), "--into", str(existing), "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert ids_by_text(document) == {
        "Asks for help.": "delivery-1-02",
        "Delivers small, well-scoped projects efficiently.": "delivery-1-01",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe# Delivery\n", "not valid UTF-8"),
        (b"Just some prose.\n", "found no levels"),
    ],
)
def test_cli_errors_are_clear_and_exit_1(tmp_path: Path, content: bytes | None, message: str) -> None:
    source = tmp_path / "ladder.md"
    if content is not None:
        source.write_bytes(content)
    result = CliRunner().invoke(import_command, [str(source)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_rejects_a_bad_id_and_a_bad_into(tmp_path: Path) -> None:
    source = tmp_path / "ladder.md"
    source.write_text(fixture_text("unplaced.md"), encoding="utf-8")
    bad_id = CliRunner().invoke(import_command, [str(source), "--id", "Not A Slug"])
    assert bad_id.exit_code == 1 and "--id" in bad_id.output
    not_yaml = tmp_path / "x.yaml"
    not_yaml.write_text("- just\n- a list\n", encoding="utf-8")
    bad_into = CliRunner().invoke(import_command, [str(source), "--into", str(not_yaml)])
    assert bad_into.exit_code == 1 and "not a ladder YAML" in bad_into.output


def test_cli_is_attached_to_the_frameworks_group() -> None:
    from bot.cli import main

    result = CliRunner().invoke(main, ["frameworks", "import", "--help"])
    assert result.exit_code == 0
    assert "--into" in result.output
