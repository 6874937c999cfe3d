"""Markdown importer: the three layouts, ids kept across re-imports, unplaced lines, clear errors, CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bot.cli.frameworks_import import import_command
from frameworks.loader import parse_framework
from frameworks.markdown_import import MarkdownImportError, dump_yaml, import_markdown, repair_mojibake
from frameworks.markdown_import.text import clean_name
from tests.frameworks.seeds import seeds_dir

REPO = Path(__file__).resolve().parents[2]
FRAMEWORKS_DIR = REPO / "frameworks"
MD_DIR = Path(__file__).parent / "data" / "md"


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


# ---------------------------------------------------------------------------------------------------
# The seeds reproduce the checked-in YAML (ids included: the convention is deterministic)


@pytest.mark.parametrize(
    ("framework_id", "seed"),
    [
        ("vio-execution", "001_deb6e8e117f65802.txt"),
        ("attest-engineering", "003_81d951927d466e6f.txt"),
        ("flow", "002_bee0f4b1589b4035.txt"),
    ],
)
def test_seed_import_reproduces_the_checked_in_yaml(framework_id: str, seed: str) -> None:
    result = import_markdown(seed_text(seed), framework_id=framework_id)
    expected = checked_in(framework_id)
    assert result.unplaced == []
    assert result.document["levels"] == expected["levels"]
    assert result.document.get("groups") == expected.get("groups")
    assert [(t["id"], t["name"]) for t in result.document.get("tracks", [])] == [
        (t["id"], t["name"]) for t in expected.get("tracks", [])
    ]
    assert result.document["areas"] == expected["areas"]  # areas, cells, summaries, texts in order, ids
    loads(result.document)


def test_vio_table_import_details() -> None:
    result = import_markdown(seed_text("001_deb6e8e117f65802.txt"), framework_id="vio-execution")
    document = result.document
    assert document["name"] == "Execution"
    assert (
        "***" not in document["description"]
        and "delivery, communication, quality and optimisations" in (document["description"])
    )
    assert [a["id"] for a in document["areas"]] == ["delivery", "communication", "quality", "optimisation"]
    assert result.counts[:2] == [("delivery", "1", 3), ("delivery", "2", 3)]
    assert len(result.counts) == 20 and {n for _a, _l, n in result.counts} == {3}


def test_attest_headings_import_details() -> None:
    result = import_markdown(seed_text("003_81d951927d466e6f.txt"), framework_id="attest-engineering")
    document = result.document
    assert document["name"] == "Engineering Growth Framework v2"  # the mangled rocket emoji is gone
    assert document["tracks"] == [
        {"id": "staff", "name": "Staff Engineer", "description": "In addition to Delivery VII Engineer:"}
    ]
    names = [a["name"] for a in document["areas"]]
    assert names[:3] == ["Delivery", "Coding & Testing", "Design & Architecture"]
    assert all(re.fullmatch(r"[A-Za-z &()-]+", name) for name in names), names
    counts = {(a, level): n for a, level, n in result.counts}
    assert counts[("delivery", "VII")] == 12 and counts[("problem-solving", "VII")] == 5
    assert sum(counts.values()) == 291
    backend = [b for b in behaviours(document) if b.get("qualifier")]
    assert [(b["id"], b["qualifier"]) for b in backend] == [("coding-testing-v-04", "Backend-specific")]


def test_flow_level_marked_list_import() -> None:
    result = import_markdown(seed_text("002_bee0f4b1589b4035.txt"), framework_id="flow")
    (area,) = result.document["areas"]
    assert (area["id"], area["name"]) == ("flow", "Flow")
    assert area["description"].startswith("You understand how software makes it")
    assert area["examples"][0].startswith("An investigation in your backlog")
    assert result.counts == [("flow", "P1", 1), ("flow", "P2", 3), ("flow", "P3", 8), ("flow", "P4", 6)]
    assert area["cells"][2]["behaviours"][2]["id"] == "flow-p3-03"
    assert "depedencies" in area["cells"][2]["behaviours"][2]["text"]


# ---------------------------------------------------------------------------------------------------
# Fixtures in tests/frameworks/data/md


def test_plain_headings_are_areas_and_levels() -> None:
    result = import_markdown(fixture_text("plain-headings.md"), source_name="plain-headings.md")
    document = result.document
    assert (document["id"], document["name"]) == ("acme-platform-ladder", "Acme Platform Ladder")
    assert document["description"] == "How we grow platform engineers."
    assert document["source"] == "plain-headings.md"
    assert document["levels"] == [
        {"id": "junior-engineer", "name": "Junior Engineer"},
        {"id": "senior-engineer", "name": "Senior Engineer"},
    ]
    delivery, quality = document["areas"]
    assert delivery["description"] == "Shipping things that matter."
    assert [b["text"] for b in delivery["cells"][1]["behaviours"]] == [
        "Leads projects of several weeks across two teams.",  # the wrapped bullet is one behaviour
        "Mentors others on delivery practice.",
    ]
    assert delivery["cells"][0]["behaviours"][1] == {
        "id": "delivery-junior-engineer-02",
        "text": "Asks for help when blocked.",
    }
    assert quality["cells"][1]["behaviours"] == [
        {"id": "quality-senior-engineer-01", "text": "Sets the testing approach for the team."}
    ]
    assert result.unplaced == []
    loads(document)


def test_level_headings_above_area_headings() -> None:
    result = import_markdown(fixture_text("level-headings.md"), framework_id="tiny")
    document = result.document
    assert [level["id"] for level in document["levels"]] == ["1", "2"]
    delivery, quality = document["areas"]
    assert delivery["cells"][1]["summary"] == "Owns a feature from start to finish."
    assert [b["id"] for b in delivery["cells"][1]["behaviours"]] == ["delivery-2-01", "delivery-2-02"]
    assert quality["cells"][1] == {"level": "2", "not_applicable": True}
    assert result.counts == [("delivery", "1", 1), ("delivery", "2", 2), ("quality", "1", 1), ("quality", "2", 0)]
    loads(document)


def test_table_without_summaries_reports_bad_rows() -> None:
    result = import_markdown(fixture_text("table-plain.md"), framework_id="tbl")
    delivery, quality = result.document["areas"]
    assert [b["text"] for b in delivery["cells"][0]["behaviours"]] == ["Ships small tasks.", "Asks for help."]
    assert quality["cells"][0] == {"level": "L1", "not_applicable": True}
    assert quality["cells"][1]["behaviours"] == [{"id": "quality-l2-01", "text": "Reviews tests."}]
    assert result.unplaced == [
        (7, "| L2 | an extra cell | with | too many columns |"),
        (9, "A note below the table."),
    ]


def test_unplaced_lines_are_reported_with_line_numbers() -> None:
    result = import_markdown(fixture_text("unplaced.md"), framework_id="u")
    assert result.unplaced == [(3, "A bullet before any level."), (9, "A stray sentence after the bullets.")]
    assert [b["text"] for b in behaviours(result.document)] == ["Ships things.", "Leads things."]


def test_na_next_to_behaviours_is_reported_not_dropped() -> None:
    result = import_markdown("# Delivery\nLevel 1\n- Ships.\nN/A\n", framework_id="x")
    assert result.unplaced == [(4, "N/A")]
    assert result.document["areas"][0]["cells"][0] == {
        "level": "1",
        "behaviours": [{"id": "delivery-1-01", "text": "Ships."}],
    }


# ---------------------------------------------------------------------------------------------------
# Ids across re-imports


def _edit_attest_seed(text: str) -> str:
    edits = [
        # a small wording change: keeps its id
        ("  • Understands the basics of agile delivery.", "  • Understands the basics of agile delivery practices."),
        # a new first bullet in Delivery I: the others shift down but keep their ids
        (
            "Level I\n\n  • Delivers well-defined",
            "Level I\n\n  • Pairs with a buddy during the first month.\n  • Delivers well-defined",
        ),
        # a bullet deleted from Coding & Testing II
        ("  • Adds appropriate logging and monitoring needed to help with debugging.\n", ""),
        # a bullet rewritten completely
        ("  • Fixes simple bugs.", "  • Owns the on-call rota for their squad."),
        # a bullet moved from Documentation III to Documentation II
        (
            "  • Improves relevant documentation where appropriate.",
            "  • Improves relevant documentation where appropriate.\n  • Adds and Improves documentation.",
        ),
        ("Level III\n\n  • Adds and Improves documentation.\n", "Level III\n\n  • Documents their own changes.\n"),
    ]
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    return text


def test_reimport_keeps_ids_of_unchanged_and_nearly_unchanged_behaviours() -> None:
    existing = checked_in("attest-engineering")
    old_ids = {b["id"] for b in behaviours(existing)}
    old = ids_by_text(existing)
    edited = _edit_attest_seed(seed_text("003_81d951927d466e6f.txt"))

    result = import_markdown(edited, existing=existing)
    document = result.document
    new = ids_by_text(document)
    assert document["id"] == "attest-engineering" and document["name"] == existing["name"]

    # nearly unchanged text keeps its id
    assert new["Understands the basics of agile delivery practices."] == "delivery-i-02"
    # unchanged texts keep theirs although their position in the cell moved
    assert new["Delivers well-defined assigned tasks within the cadence of the team's sprint."] == "delivery-i-01"
    assert new["Plays a part in squad ceremonies."] == "delivery-i-03"
    # a moved behaviour keeps its id in its new cell
    assert new["Adds and Improves documentation."] == old["Adds and Improves documentation."] == "documentation-iii-01"
    # new and rewritten behaviours get fresh ids that no old behaviour ever had
    fresh = [
        new["Pairs with a buddy during the first month."],
        new["Owns the on-call rota for their squad."],
        new["Documents their own changes."],
    ]
    assert fresh == ["delivery-i-04", "debugging-troubleshooting-ii-03", "documentation-iii-02"]
    assert not set(fresh) & old_ids
    # the deleted behaviour's id and the rewritten one's old id are not reused
    assert "coding-testing-ii-03" not in new.values()
    assert "debugging-troubleshooting-ii-02" not in new.values()
    # every other behaviour kept its id
    unchanged = {text: i for text, i in old.items() if text in new and i in new.values()}
    assert all(new[text] == i for text, i in unchanged.items())
    assert len({b["id"] for b in behaviours(document)}) == len(behaviours(document))
    loads(document)


def test_reimport_falls_back_to_the_whole_framework_for_a_renamed_area() -> None:
    existing = import_markdown(
        "# Delivery\nLevel 1\n- Delivers small well-scoped projects efficiently.\n- Asks for help.\n", framework_id="x"
    ).document
    moved = "# Shipping\nLevel 1\n- Delivers small, well-scoped projects efficiently.\n- Asks for help.\n"
    document = import_markdown(moved, existing=existing).document
    assert ids_by_text(document) == {
        "Delivers small, well-scoped projects efficiently.": "delivery-1-01",
        "Asks for help.": "delivery-1-02",
    }


def test_reimport_never_reuses_an_id_for_a_different_behaviour() -> None:
    existing = import_markdown("# Delivery\nLevel 1\n- Ships.\n- Reviews code.\n", framework_id="x").document
    changed = "# Delivery\nLevel 1\n- Plans the quarter with product.\n"
    document = import_markdown(changed, existing=existing).document
    assert ids_by_text(document) == {"Plans the quarter with product.": "delivery-1-03"}


def test_reimport_of_an_unchanged_seed_is_a_no_op() -> None:
    existing = checked_in("vio-execution")
    result = import_markdown(seed_text("001_deb6e8e117f65802.txt"), existing=existing)
    assert result.document == existing


# ---------------------------------------------------------------------------------------------------
# Errors and clean-up


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("\x00\x01\x02binary", "binary"),
        ("Hello world.\nThis is just prose, no ladder here.\n", "found no levels"),
        ("# Title\n\nSome text.\n", "found no levels"),
        ("Level 1\nLevel 2\n", "no behaviours"),
        ("| | |\n| --- | --- |\n| 1 | x |\n", "names no areas"),
    ],
)
def test_garbage_gives_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(MarkdownImportError, match=message):
        import_markdown(text)


def test_mojibake_is_repaired_and_emoji_dropped_from_names() -> None:
    assert repair_mojibake("Reviews work and ensures itâ€™s broken down") == "Reviews work and ensures it’s broken down"
    assert repair_mojibake("Café naïve – déjà vu") == "Café naïve – déjà vu"
    assert clean_name("Communication πŸ’¬") == "Communication"
    assert clean_name("Design & Architecture πŸ“") == "Design & Architecture"  # a byte is lost: still dropped
    assert clean_name("Leadership βš–οΈ") == "Leadership"
    assert clean_name("Hiring & Reputation 🌟") == "Hiring & Reputation"
    assert clean_name("**Delivery** `x`") == "Delivery x"


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


# ---------------------------------------------------------------------------------------------------
# CLI


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
