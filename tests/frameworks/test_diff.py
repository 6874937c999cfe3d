"""`growthbot frameworks diff OLD NEW`: levels, tracks, areas and behaviours added, removed, reworded, moved."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from frameworks import parse_framework
from frameworks.diff import diff_frameworks, render_diff
from tests.frameworks.tiny_ladder import BASE

NEW = (
    BASE.replace("version: 1\n", "version: 2\n")
    # reworded, lightly: same id
    .replace("text: Ships small tasks.", "text: Ships small tasks on time.")
    # removed
    .replace("          - id: delivery-1-02\n            text: Estimates small tasks.\n", "")
    # a new level and a new behaviour in it
    .replace('  - id: "2"\n    name: Two\n', '  - id: "2"\n    name: Two\n  - id: "3"\n    name: Three\n')
    .replace(
        '      - level: "2"\n        not_applicable: true\n',
        '      - level: "2"\n        not_applicable: true\n      - level: "3"\n        behaviours:\n'
        "          - id: delivery-3-01\n            text: Leads a release.\n",
    )
    # moved: quality-2-01 from level 2 to level 3
    .replace(
        '      - level: "2"\n        behaviours:\n          - id: quality-2-01',
        '      - level: "3"\n        behaviours:\n          - id: quality-2-01',
    )
    + "  - id: mentoring\n    name: Mentoring\n"
)


def test_the_diff_finds_every_kind_of_change() -> None:
    diff = diff_frameworks(parse_framework(BASE, "old.yaml"), parse_framework(NEW, "new.yaml"))
    assert diff.levels_added == ("3",) and diff.levels_removed == ()
    assert diff.areas_added == ("mentoring",) and diff.areas_removed == ()
    assert [b.id for b in diff.added] == ["delivery-3-01"]
    assert [b.id for b in diff.removed] == ["delivery-1-02"]
    assert [(r.old.id, r.new.text) for r in diff.reworded] == [("delivery-1-01", "Ships small tasks on time.")]
    assert 0.8 < diff.reworded[0].similarity < 1.0
    assert [(m.old.level_id, m.new.level_id) for m in diff.moved] == [("2", "3")]
    assert diff.reidentified == ()


def test_a_behaviour_whose_id_changed_but_text_did_not_is_called_out() -> None:
    new = BASE.replace("id: delivery-1-02", "id: delivery-1-07")
    diff = diff_frameworks(parse_framework(BASE, "old.yaml"), parse_framework(new, "new.yaml"))
    assert diff.added == () and diff.removed == ()
    assert [(r.old.id, r.new.id, r.similarity) for r in diff.reidentified] == [("delivery-1-02", "delivery-1-07", 1.0)]


def test_the_command_prints_the_changes_for_two_files_and_for_a_loaded_id_and_a_file(tmp_path: Path) -> None:
    loaded, changed = tmp_path / "loaded", tmp_path / "new.yaml"
    loaded.mkdir()
    (loaded / "tiny.yaml").write_text(BASE)
    changed.write_text(NEW)
    env = {"GROWTHBOT_FRAMEWORKS_DIR": str(loaded)}
    by_files = CliRunner().invoke(main, ["frameworks", "diff", str(loaded / "tiny.yaml"), str(changed)], env=env)
    by_id = CliRunner().invoke(main, ["frameworks", "diff", "tiny", str(changed)], env=env)
    for result in (by_files, by_id):
        assert result.exit_code == 0, result.output
        out = result.output
        assert out.startswith("tiny version 1 -> tiny version 2")
        assert "Levels added (1):\n  + 3  Three" in out
        assert "Areas added (1):\n  + mentoring  Mentoring" in out
        assert "  + delivery-3-01  [Delivery / 3]  Leads a release." in out
        assert "  - delivery-1-02  [Delivery / 1]  Estimates small tasks." in out
        assert "retired behaviours" in out
        assert "was: Ships small tasks.\n      now: Ships small tasks on time." in out
        assert "  > quality-2-01  Quality / 2 -> Quality / 3" in out
    same = CliRunner().invoke(main, ["frameworks", "diff", "tiny", str(loaded / "tiny.yaml")], env=env)
    assert same.exit_code == 0 and "No changes" in same.output
    unknown = CliRunner().invoke(main, ["frameworks", "diff", "nope", str(changed)], env=env)
    assert unknown.exit_code != 0 and "neither a ladder file nor a loaded ladder id" in unknown.output


def test_the_diff_lists_tracks_added_and_removed() -> None:
    staff, mgmt = "tracks:\n  - id: staff\n    name: Staff\n", "tracks:\n  - id: mgmt\n    name: Management\n"
    without_staff = BASE.replace(staff, mgmt)
    without_staff = without_staff.replace("            track: staff\n", "            track: mgmt\n")
    diff = diff_frameworks(parse_framework(BASE, "old.yaml"), parse_framework(without_staff, "new.yaml"))
    assert diff.tracks_added == ("mgmt",) and diff.tracks_removed == ("staff",)
    text = render_diff(diff)
    assert "Tracks added (1):\n  + mgmt  Management" in text
    assert "Tracks removed (people on them keep only the behaviours every track shares, and are told) (1):" in text
    assert "  - staff  Staff" in text
