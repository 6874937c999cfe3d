from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from frameworks.loader import PACKAGE_DIR
from tests.frameworks.conftest import ACME_PATH, DATA_DIR


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings read `.env` from the working directory; a developer's must not leak in.
    monkeypatch.chdir(tmp_path)


def run(*args: str, frameworks_dir: Path | None = DATA_DIR) -> Result:
    env = {"GROWTHBOT_FRAMEWORKS_DIR": str(frameworks_dir)} if frameworks_dir else {}
    return CliRunner().invoke(main, ["frameworks", *args], env=env, catch_exceptions=False)


def test_list_table() -> None:
    result = run("list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "name", "areas", "levels", "behaviours", "status"]
    acme = next(line for line in lines if line.startswith("acme-engineering"))
    assert acme.split()[-4:] == ["4", "4", "18", "complete"]
    assert any(line.startswith("small-milestones") and line.endswith("incomplete") for line in lines)
    assert any(line.startswith("attest-engineering") for line in lines)  # bundled ones too


def test_list_json() -> None:
    result = run("list", "--json")
    assert result.exit_code == 0
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert rows["acme-engineering"] == {
        "id": "acme-engineering",
        "name": "Acme Engineering Ladder",
        "areas": 4,
        "levels": 4,
        "behaviours": 18,
        "status": "complete",
        "status_note": None,
    }
    assert rows["small-milestones"]["status_note"] == "Only two areas were transcribed."


def test_show_overview() -> None:
    result = run("show", "acme")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Acme Engineering Ladder  [acme-engineering, version 2]")
    assert "Technical skills" in result.output
    assert "Design & Architecture  (4 behaviours)" in result.output
    assert "  staff    Staff Engineer" in result.output


def test_show_area_with_tracks_qualifiers_and_na() -> None:
    output = run("show", "acme", "--area", "quality").output
    assert "Backend-specific:" in output and "Frontend-specific:" in output
    assert "Staff Engineer track:" in output
    assert "[quality-iv-02]" in output
    output = run("show", "acme", "-a", "mentor").output
    assert "Level I  [I]  (not applicable)" in output


def test_show_level_and_cell() -> None:
    output = run("show", "small", "--level", "3").output
    assert "Level: Milestone 3  [3]" in output
    assert "(no behaviours listed)" in output
    output = run("show", "acme", "--area", "design", "--level", "4").output
    assert "Design & Architecture at Level IV  [design / IV]" in output
    assert "Leads architecture decisions spanning multiple teams.  [design-iv-01]" in output


def test_show_incomplete_ladder_says_so() -> None:
    assert "Incomplete: Only two areas were transcribed." in run("show", "small").output


def test_show_json() -> None:
    result = run("show", "acme", "--area", "mentoring", "--json")
    data = json.loads(result.output)
    assert data["framework"]["id"] == "acme-engineering"
    assert data["area"]["name"] == "Mentorship"
    assert [c["level"] for c in data["cells"]] == ["I", "II", "III", "IV"]
    assert data["cells"][0]["not_applicable"] is True
    assert data["cells"][2]["behaviours"][1] == {
        "id": "mentoring-iii-02",
        "text": "Sponsors a mentee's promotion case.",
        "track": "staff",
    }
    overview = json.loads(run("show", "acme", "--json").output)
    assert [a["id"] for a in overview["areas"]] == ["quality", "design", "incidents", "mentoring"]
    assert overview["areas"][0]["cells"][1]["behaviours"][1]["qualifier"] == "Backend-specific"


def test_show_errors() -> None:
    result = run("show", "nonexistent")
    assert result.exit_code == 1
    assert "No ladder matches 'nonexistent'" in result.output
    result = run("show", "acme", "--area", "technical")
    assert result.exit_code == 1
    assert "matches several areas" in result.output
    result = run("show", "acme", "--level", "9")
    assert result.exit_code == 1
    assert "levels: I, II, III, IV" in result.output


def test_validate_default_set() -> None:
    result = run("validate", frameworks_dir=None)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("5 ladders valid.")
    result = run("validate")
    assert result.output.rstrip().endswith("7 ladders valid.")


def test_validate_given_paths(tmp_path: Path) -> None:
    result = run("validate", str(ACME_PATH), frameworks_dir=None)
    assert result.exit_code == 0, result.output
    assert "acme-engineering: 18 behaviours" in result.output
    assert result.output.rstrip().endswith("1 ladder valid.")
    result = run("validate", str(PACKAGE_DIR), frameworks_dir=None)
    assert result.output.rstrip().endswith("5 ladders valid.")


def test_validate_reports_one_paragraph_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(ACME_PATH.read_text().replace("    name: Design & Architecture", "    nmae: Design & Architecture"))
    result = run("validate", str(bad), frameworks_dir=None)
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if "nmae:" in text)
    assert result.stderr.startswith(f"{bad}:{line}: unknown key 'nmae'")
    assert result.stderr.count("\n") == 1


def test_validate_catches_a_clash_with_a_bundled_id(tmp_path: Path) -> None:
    clash = tmp_path / "mine.yaml"
    shutil.copy(PACKAGE_DIR / "flow.yaml", clash)
    result = run("validate", str(clash), frameworks_dir=None)
    assert result.exit_code == 1
    assert "framework id 'flow' is already used by" in result.stderr


def test_bad_frameworks_dir_is_a_clean_error(tmp_path: Path) -> None:
    result = run("list", frameworks_dir=tmp_path / "missing")
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_import_is_attached() -> None:
    result = run("import", "--help")
    assert result.exit_code == 0
    assert "Markdown" in result.output


def test_validate_an_empty_directory_fails(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not a ladder")
    result = run("validate", str(tmp_path), frameworks_dir=None)
    assert result.exit_code == 1
    assert result.stderr == f"no ladder files (*.yaml) found in {tmp_path}\n"
    assert "valid" not in result.stdout


# Prose under level headings, as in a ladder pasted from a document: no bullets, no table.
PROSE_LADDER = """\
The execution growth track emphasises delivery of high-quality results.

Delivery

Able to evaluate, plan and deliver a wide variety of initiatives.

Milestone 1

Understands and effectively delivers individual tasks.

Milestone 2

Delivers small projects end to end.
"""


def test_import_without_any_behaviour_fails_and_names_the_layouts(tmp_path: Path) -> None:
    source = tmp_path / "prose.txt"
    source.write_text(PROSE_LADDER)
    out = tmp_path / "out.yaml"
    result = run("import", str(source), "-o", str(out), frameworks_dir=None)
    assert result.exit_code == 1
    assert f"error: no behaviours were recognised in {source}, so nothing was written" in result.stderr
    for layout in ("pipe table with one column per area", "'Milestone 3'", "'P1 |' level-marked lines"):
        assert layout in result.stderr
    assert "Every line was placed" not in result.output
    assert not out.exists()
    to_stdout = run("import", str(source), frameworks_dir=None)
    assert to_stdout.exit_code == 1 and to_stdout.stdout == ""
