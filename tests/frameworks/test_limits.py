"""Ladder files are untrusted input: an alias bomb, a huge file, a huge ladder or a crowded directory is
refused with a message naming the file and the limit, before the costly step (never timed: a bomb test
finishes only because it is refused before expansion)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from frameworks import FrameworkError, LibraryHolder, load_paths, parse_framework
from frameworks.limits import (
    MAX_AREAS,
    MAX_BEHAVIOURS,
    MAX_DIRECTORY_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES_PER_DIRECTORY,
    MAX_LEVELS,
    MAX_YAML_NODES,
)
from tests.frameworks.tiny_ladder import BASE, load_error

BILLION_LAUGHS = """\
id: bomb
name: Bomb
version: 1
lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
lol1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
lol2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
lol3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
lol4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
lol5: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
lol6: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]
lol7: &l7 [*l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6]
lol8: &l8 [*l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7]
levels: [*l8]
areas: [*l8]
"""


def test_a_billion_laughs_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    error = load_error(tmp_path, BILLION_LAUGHS)
    assert f"{MAX_YAML_NODES:,}" in str(error) and "alias bomb" in str(error)
    assert error.line is not None


def test_a_bomb_of_mappings_inside_a_behaviour_is_refused_too() -> None:
    keys = "\n".join(f"k{n}: &m{n} {{a: *m{n - 1}, b: *m{n - 1}, c: *m{n - 1}, d: *m{n - 1}}}" for n in range(1, 14))
    text = f"m0: &m0 {{x: y}}\n{keys}\n" + BASE.replace("id: tiny\n", "")
    with pytest.raises(FrameworkError, match="alias bomb"):
        parse_framework("id: tiny\n" + text, "bomb.yaml")


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(FrameworkError, match="refers to itself"):
        parse_framework(BASE + "extra: &loop [1, *loop]\n", "loop.yaml")


def test_ordinary_anchors_still_load() -> None:
    text = BASE.replace("text: Ships small tasks.", "text: &shared Ships small tasks.").replace(
        "text: Writes tests.", "text: *shared"
    )
    framework = parse_framework(text, "anchors.yaml")
    assert framework.behaviour("quality-2-01").text == "Ships small tasks."


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as file:  # sparse: 6 MB of nothing, which reading and parsing would reject otherwise
        file.truncate(MAX_FILE_BYTES + 1024 * 1024)
    with pytest.raises(FrameworkError) as caught:
        load_paths([big])
    assert str(caught.value).startswith(f"{big}: ") and "at most 5.0 MB" in str(caught.value)
    with pytest.raises(FrameworkError, match=r"at most 5\.0 MB"):
        parse_framework(b" " * (MAX_FILE_BYTES + 1), "pasted.yaml")


def _ladder_with(levels: int = 2, areas: int = 1, behaviours: int = 1) -> str:
    lines = ["id: huge", "name: Huge", "version: 1", "levels:"]
    lines += [f'  - {{id: "{n}", name: L{n}}}' for n in range(1, levels + 1)]
    lines.append("areas:")
    for a in range(areas):
        lines += [f"  - id: area-{a}", f"    name: Area {a}", "    cells:", '      - level: "1"', "        behaviours:"]
        count = behaviours if a == 0 else 1
        lines += [f"          - {{id: b-{a}-{n}, text: Does thing {n}.}}" for n in range(count)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("shape", "found", "limit"),
    [
        ({"levels": MAX_LEVELS + 1}, f"{MAX_LEVELS + 1} levels", f"at most {MAX_LEVELS} levels"),
        ({"areas": MAX_AREAS + 1}, f"{MAX_AREAS + 1} areas", f"at most {MAX_AREAS} areas"),
        (
            {"behaviours": MAX_BEHAVIOURS + 1},
            f"{MAX_BEHAVIOURS + 1} behaviours",
            f"at most {MAX_BEHAVIOURS} behaviours",
        ),
    ],
)
def test_a_ladder_over_a_size_limit_names_the_file_and_the_limit(
    tmp_path: Path, shape: dict[str, int], found: str, limit: str
) -> None:
    error = load_error(tmp_path, _ladder_with(**shape), name="huge.yaml")
    assert f"the ladder has {found}" in str(error) and limit in str(error)
    assert str(error).startswith(f"{tmp_path / 'huge.yaml'}: ")


def test_a_ladder_at_the_limits_loads() -> None:
    framework = parse_framework(_ladder_with(levels=MAX_LEVELS, behaviours=MAX_BEHAVIOURS - 1), "edge.yaml")
    assert len(framework.levels) == MAX_LEVELS


def test_a_crowded_directory_is_refused_before_any_file_is_parsed(tmp_path: Path) -> None:
    # Every file is broken: had any been parsed, its own error ("nmae") would be the one raised.
    for n in range(MAX_FILES_PER_DIRECTORY + 1):
        (tmp_path / f"ladder-{n:03}.yaml").write_text(BASE.replace("name: Tiny ladder", "nmae: x"))
    with pytest.raises(FrameworkError) as caught:
        load_paths([tmp_path])
    message = str(caught.value)
    assert message.startswith(f"{tmp_path}: ") and f"at most {MAX_FILES_PER_DIRECTORY}" in message
    assert "nmae" not in message


def test_a_directory_over_the_total_size_is_refused_before_any_file_is_parsed(tmp_path: Path) -> None:
    each = MAX_FILE_BYTES - 1024
    for n in range(MAX_DIRECTORY_BYTES // each + 1):
        with (tmp_path / f"ladder-{n}.yaml").open("wb") as file:
            file.truncate(each)
    with pytest.raises(FrameworkError) as caught:
        load_paths([tmp_path])
    assert f"at most {MAX_DIRECTORY_BYTES / (1024 * 1024):.1f} MB" in str(caught.value)


def test_the_reload_refuses_a_crowded_or_bombed_directory_and_keeps_the_last_good(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "ladder.yaml").write_text(BASE)
    holder = LibraryHolder([tmp_path])
    good = holder.library
    caplog.set_level(logging.ERROR, logger="frameworks.library_holder")

    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS)
    error = holder.reload_if_changed()
    assert error is not None and "alias bomb" in str(error) and holder.library is good
    (tmp_path / "bomb.yaml").unlink()
    assert holder.reload_if_changed() is None and holder.library is not good

    for n in range(MAX_FILES_PER_DIRECTORY):
        (tmp_path / f"copy-{n:03}.yaml").write_text(BILLION_LAUGHS)
    error = holder.reload_if_changed()
    assert error is not None and f"at most {MAX_FILES_PER_DIRECTORY}" in str(error)
    assert "tiny" in holder.library
    for _ in range(2):  # the same crowded directory is not retried every tick
        assert holder.reload_if_changed() is None
    os.remove(tmp_path / "copy-000.yaml")  # still bombs: under the count, each file is refused unexpanded
    error = holder.reload_if_changed()
    assert error is not None and "alias bomb" in str(error)
