"""Ids across re-imports: kept for the same or nearly the same text, never reused for another behaviour."""

from __future__ import annotations

from frameworks.markdown_import import import_markdown
from tests.frameworks.markdown_import.documents import behaviours, checked_in, ids_by_text, loads, seed_text


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
