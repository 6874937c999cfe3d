"""`frameworks export` then `frameworks import --into`: the bundled ladders come back with the same behaviour ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from frameworks.loader import parse_framework

FRAMEWORKS_DIR = Path(__file__).resolve().parents[3] / "frameworks"


def _behaviours(document: dict[str, Any]) -> list[tuple[str, str, str, str, str | None, str | None]]:
    return [
        (a["id"], a["name"], c["level"], b["id"] + " " + b["text"], b.get("track"), b.get("qualifier"))
        for a in document["areas"]
        for c in a.get("cells", ())
        for b in c.get("behaviours", ())
    ]


def _cells(document: dict[str, Any]) -> list[tuple[str, str, bool, str | None]]:
    return [
        (a["id"], c["level"], bool(c.get("not_applicable")), c.get("summary"))
        for a in document["areas"]
        for c in a.get("cells", ())
    ]


def _round_trip(tmp_path: Path, framework_id: str, fmt: str, edit: Any = None) -> tuple[dict, dict]:
    runner = CliRunner()
    exported = tmp_path / f"{framework_id}.{fmt}"
    result = runner.invoke(main, ["frameworks", "export", framework_id, "--format", fmt, "-o", str(exported)])
    assert result.exit_code == 0, result.output
    if edit:
        edit(exported)
    existing = FRAMEWORKS_DIR / f"{framework_id}.yaml"
    out = tmp_path / "back.yaml"
    result = runner.invoke(main, ["frameworks", "import", str(exported), "--into", str(existing), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Every line was placed." in result.output
    assert "warning" not in result.output
    back = yaml.safe_load(out.read_text(encoding="utf-8"))
    parse_framework(out.read_text(encoding="utf-8"), out)
    return yaml.safe_load(existing.read_text(encoding="utf-8")), back


@pytest.fixture(autouse=True)
def _no_frameworks_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROWTHBOT_FRAMEWORKS_DIR", raising=False)


@pytest.mark.parametrize("framework_id", ["attest-engineering", "luko-execution", "org-wide-engineering"])
def test_csv_export_round_trips_with_the_same_ids(tmp_path: Path, framework_id: str) -> None:
    original, back = _round_trip(tmp_path, framework_id, "csv")
    assert _behaviours(back) == _behaviours(original)
    assert _cells(back) == _cells(original)
    assert [lv["id"] for lv in back["levels"]] == [lv["id"] for lv in original["levels"]]
    assert back.get("tracks", []) == original.get("tracks", [])


def test_xlsx_export_round_trips_with_the_same_ids(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    original, back = _round_trip(tmp_path, "attest-engineering", "xlsx")
    assert _behaviours(back) == _behaviours(original)
    assert _cells(back) == _cells(original)


@pytest.mark.parametrize("framework_id", ["attest-engineering", "vio-execution", "flow"])
def test_markdown_export_round_trips_with_the_same_ids(tmp_path: Path, framework_id: str) -> None:
    original, back = _round_trip(tmp_path, framework_id, "md")
    assert _behaviours(back) == _behaviours(original)


def test_a_lightly_edited_csv_keeps_ids_and_new_rows_get_fresh_ones(tmp_path: Path) -> None:
    def edit(path: Path) -> None:
        text = path.read_text(encoding="utf-8-sig")
        first = text.splitlines()[2].split(",")[3]
        assert first.startswith('"Is learning about how')
        text = text.replace("Is learning about how", "Is learning how", 1)
        text += 'Flow,P4,P4,"Teaches other teams to measure their flow",,,,\r\n'
        path.write_text(text, encoding="utf-8")

    original, back = _round_trip(tmp_path, "flow", "csv", edit)
    old = {b["id"]: b["text"] for a in original["areas"] for c in a["cells"] for b in c["behaviours"]}
    new = {b["id"]: b["text"] for a in back["areas"] for c in a["cells"] for b in c["behaviours"]}
    assert new["flow-p1-01"].startswith("Is learning how their team's artifacts flow")
    assert {k: v for k, v in new.items() if k in old and k != "flow-p1-01"} == {
        k: v for k, v in old.items() if k != "flow-p1-01"
    }
    added = set(new) - set(old)
    assert len(added) == 1 and new[added.pop()] == "Teaches other teams to measure their flow"


def test_export_of_an_unknown_ladder_is_a_clear_error() -> None:
    result = CliRunner().invoke(main, ["frameworks", "export", "no-such-ladder"])
    assert result.exit_code == 1 and "No ladder matches 'no-such-ladder'" in result.output


def test_import_command_reports_guesses_and_unplaced_rows_and_honours_format(tmp_path: Path) -> None:
    source = Path(__file__).parent / "data" / "wide-levels-rows.tsv"
    renamed = tmp_path / "ladder.txt"
    renamed.write_bytes(source.read_bytes())
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["frameworks", "import", str(renamed), "--format", "tsv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "guess(es) (check them" in result.output
    assert "levels are the rows, because Junior Engineer" in result.output
    assert "line 5: * Seniority words are the HR titles." in result.output
    assert "Every line was placed." not in result.output
    forced = CliRunner().invoke(
        main, ["frameworks", "import", str(renamed), "--format", "tsv", "--levels", "columns", "-o", str(out)]
    )
    assert forced.exit_code == 0, forced.output
    assert [lv["id"] for lv in yaml.safe_load(out.read_text(encoding="utf-8"))["levels"]] == [
        "Craft",
        "Impact",
        "People",
    ]
