"""The three layouts: the seeds reproduce the checked-in YAML (ids included), and the small fixtures."""

from __future__ import annotations

import re

import pytest

from frameworks.markdown_import import import_markdown
from tests.frameworks.markdown_import.documents import behaviours, checked_in, fixture_text, loads, seed_text


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
