"""The bundled ladders say exactly what their seed documents say: nothing dropped, moved or garbled.

Each seed is re-read here with a small parser of its own (independent of frameworks/markdown_import/)
and compared cell by cell with the YAML, after the normalisation the YAML header comments document:
Markdown markup stripped, the one mojibake apostrophe repaired, whitespace collapsed, emoji dropped
from headings. Seeds live outside the repo: GROWTHBOT_SEEDS_DIR, else <repo>/../shared/seeds.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.frameworks.seeds import BUNDLED_SEEDS, seeds_dir, shared_seeds_dir

REPO = Path(__file__).resolve().parents[2]
FRAMEWORKS_DIR = REPO / "frameworks"

SEED_FILES = {
    "luko-execution": "000_d0c5ebbc6c3496f1.txt",
    "vio-execution": "001_deb6e8e117f65802.txt",
    "flow": "002_bee0f4b1589b4035.txt",
    "attest-engineering": "003_81d951927d466e6f.txt",
    "org-wide-engineering": "004_b19e7ac9895275bf.txt",
}
MOJIBAKE = ("â€", "Ã", "Â", "πŸ", "Ÿ", "βš", "οΈ", "\ufffd")


@pytest.fixture(scope="module")
def seeds() -> Path:
    return seeds_dir()


def test_bundled_seed_copies_match_the_shared_originals() -> None:
    shared = shared_seeds_dir()
    if shared is None:
        pytest.skip("no ../shared/seeds beside this clone; the bundled copies are used")
    for name in SEED_FILES.values():
        assert (BUNDLED_SEEDS / name).read_bytes() == (shared / name).read_bytes(), name


def seed_lines(seeds: Path, framework_id: str) -> list[str]:
    return (seeds / SEED_FILES[framework_id]).read_text(encoding="utf-8").splitlines()


def ladder(framework_id: str) -> dict[str, Any]:
    return yaml.safe_load((FRAMEWORKS_DIR / f"{framework_id}.yaml").read_text(encoding="utf-8"))


def norm(text: str) -> str:
    """The documented normalisation: markup off, mojibake apostrophe repaired, whitespace collapsed."""
    text = text.replace("â€™", "’").replace("`", "").replace("*", "")
    return " ".join(text.split())


def heading_name(text: str) -> str:
    """A heading without its (possibly mangled) emoji: leading/trailing tokens with no ASCII letters go."""
    tokens = norm(text.lstrip("#")).split()
    while tokens and not re.search(r"[A-Za-z0-9]", tokens[-1]):
        tokens.pop()
    while tokens and not re.search(r"[A-Za-z0-9]", tokens[0]):
        tokens.pop(0)
    return " ".join(tokens)


def cell_of(document: dict[str, Any], area_name: str, level_id: str) -> dict[str, Any]:
    area = area_by_name(document, area_name)
    cells = [c for c in area.get("cells", []) if c["level"] == level_id]
    assert len(cells) == 1, f"{area_name}: expected one cell for level {level_id}, found {len(cells)}"
    return cells[0]


def area_by_name(document: dict[str, Any], name: str) -> dict[str, Any]:
    found = [a for a in document["areas"] if a["name"] == name]
    assert len(found) == 1, f"expected one area named {name!r}, found {len(found)}"
    return found[0]


def texts(cell: dict[str, Any], *, track: str | None = None) -> list[str]:
    return [b["text"] for b in cell.get("behaviours", []) if b.get("track") == track]


def all_behaviour_texts(document: dict[str, Any]) -> list[str]:
    return [b["text"] for a in document["areas"] for c in a.get("cells", []) for b in c.get("behaviours", [])]


def strings_in(value: Any) -> list[str]:
    """Every string in the document; multi-paragraph ones also split into their paragraphs."""
    if isinstance(value, str):
        parts = [p for p in value.split("\n\n") if p.strip()]
        return [value, *parts] if len(parts) > 1 else [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def assert_all_present(content: list[str], document: dict[str, Any]) -> None:
    """Each seed content line is some string of the YAML, as many times as the seed has it."""
    available = Counter(strings_in(document))
    missing = [line for line, n in Counter(content).items() if available[line] < n]
    assert not missing, "seed lines missing from the YAML:\n" + "\n".join(missing)


# ---------------------------------------------------------------------------------------------------
# Seed by seed


def test_luko_execution_matches_seed(seeds: Path) -> None:
    document = ladder("luko-execution")
    lines = [norm(line) for line in seed_lines(seeds, "luko-execution") if line.strip()]
    assert document["description"] == f"{lines[0]}\n\n{lines[1]}"
    areas = [(lines[2 + 2 * k], lines[3 + 2 * k]) for k in range(4)]
    assert [(a["name"], a["description"]) for a in document["areas"]] == areas

    milestones: list[tuple[str, list[str], list[str]]] = []
    for line in lines[10:]:
        if re.fullmatch(r"Milestone \d", line):
            milestones.append((line, [], []))
        elif line == "Examples of demonstrated behavior":
            milestones[-1][2].append(line)  # marker: the lines that follow are examples
        elif milestones[-1][2]:
            milestones[-1][2].append(line)
        else:
            milestones[-1][1].append(line)
    assert [m[0] for m in milestones] == [f"Milestone {n}" for n in range(1, 6)]
    assert [level["name"] for level in document["levels"]] == [m[0] for m in milestones]

    checked = 0
    for (name, summaries, examples), level in zip(milestones, document["levels"], strict=True):
        examples = examples[1:]
        for k, (area_name, _) in enumerate(areas):
            if not summaries:
                area = area_by_name(document, area_name)
                assert not [c for c in area.get("cells", []) if c["level"] == level["id"]], name
                continue
            cell = cell_of(document, area_name, level["id"])
            assert cell["summary"] == summaries[k]
            assert texts(cell) == examples[3 * k : 3 * k + 3], f"{area_name} {name}"
            checked += len(texts(cell))
    assert checked == len(all_behaviour_texts(document)) == 3 * 4 * 3 + 3
    assert document["status"] == "incomplete" and document["status_note"].strip()
    assert_all_present(lines[:10] + [line for m in milestones for line in m[1] + m[2][1:]], document)


def _table_rows(lines: list[str]) -> list[list[str]]:
    rows = []
    for line in lines:
        if line.startswith("|") and not line.startswith("| ---"):
            rows.append([norm(cell) for cell in line.strip().strip("|").split("|")])
    return rows


def test_vio_execution_matches_seed(seeds: Path) -> None:
    document = ladder("vio-execution")
    lines = seed_lines(seeds, "vio-execution")
    intro = [norm(line) for line in lines if line.strip() and not line.startswith(("|", "#"))]
    assert document["description"] == "\n\n".join(intro)
    header, descriptions, *rows = _table_rows(lines)
    area_names = header[1:]
    assert [a["name"] for a in document["areas"]] == area_names
    assert [a["description"] for a in document["areas"]] == descriptions[1:]

    expected: dict[tuple[str, str], list[str]] = {}
    summaries: dict[tuple[str, str], str] = {}
    level_ids: list[str] = []
    current = None
    for row in rows:
        if row[0]:
            current = row[0]
            level_ids.append(current)
            summaries.update({(area, current): text for area, text in zip(area_names, row[1:], strict=True)})
        elif any(row[1:]):
            for area, text in zip(area_names, row[1:], strict=True):
                expected.setdefault((area, current), []).append(text)
    assert [level["id"] for level in document["levels"]] == level_ids == ["1", "2", "3", "4", "5"]
    for (area, level_id), behaviours in expected.items():
        cell = cell_of(document, area, level_id)
        assert cell["summary"] == summaries[(area, level_id)]
        assert texts(cell) == behaviours
        assert len(behaviours) == 3
    assert len(all_behaviour_texts(document)) == sum(len(b) for b in expected.values()) == 60
    assert_all_present(intro + descriptions[1:] + list(summaries.values()), document)


def test_flow_matches_seed(seeds: Path) -> None:
    document = ladder("flow")
    lines = seed_lines(seeds, "flow")
    (area,) = document["areas"]
    assert area["description"] == norm(lines[0])
    label = "One example of success in this area: "
    assert lines[1].startswith(label)
    assert area["examples"] == [norm(lines[1][len(label) :])]

    expected: dict[str, list[str]] = {}
    current = None
    for line in lines[2:]:
        marker = re.fullmatch(r"(P\d) \|", line.strip())
        if marker:
            current = marker.group(1)
            expected[current] = []
        elif line.startswith("- "):
            expected[current].append(norm(line[2:]))  # type: ignore[index]
        else:
            assert line.strip() in ("|", "Level | Skills |"), line
    assert [level["id"] for level in document["levels"]] == list(expected) == ["P1", "P2", "P3", "P4"]
    assert {c["level"]: texts(c) for c in area["cells"]} == expected
    assert sum(map(len, expected.values())) == 18
    assert "Can smoothly integrate upstream depedencies" in " ".join(all_behaviour_texts(document))


def _parse_attest(lines: list[str]) -> dict[str, Any]:
    """area -> level -> {"engineer": [...], "staff": [...], "backend": [...], "na": bool}; plus groups."""
    areas: dict[str, dict[str, dict[str, Any]]] = {}
    groups: dict[str, list[str]] = {}
    notes: list[str] = []
    headings = [i for i, line in enumerate(lines) if line.startswith("# ")]
    group = area = level = None
    part = heading_part = "engineer"
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if raw.startswith("# "):
            name = heading_name(raw)
            following = next(lines[j] for j in range(index + 1, len(lines)) if lines[j].strip())
            if index == headings[0]:
                continue  # the title
            if following.startswith("# "):
                group = name
                groups[group] = []
                continue
            heading_part = "engineer"
            if name.endswith(" - Staff Engineer"):
                name, heading_part = name.removesuffix(" - Staff Engineer"), "staff"
            name = name.removesuffix(" - Engineer")
            if name not in areas:
                areas[name] = {}
                groups[group].append(name)  # type: ignore[index]
            area = name
            continue
        if re.fullmatch(r"Level [IVX]+", line):
            level = line.removeprefix("Level ")
            areas[area].setdefault(level, {"engineer": [], "staff": [], "backend": [], "na": False})  # type: ignore[index]
            part = heading_part
            continue
        cell = areas[area][level]  # type: ignore[index]
        if line == "N/A":
            cell["na"] = True
        elif line == "Staff Engineer":
            part = "staff"
        elif line == "Backend-specific":
            part = "backend"
        elif line.startswith("In addition to "):
            notes.append(line)
        else:
            assert line.startswith("• "), f"unexpected line {index + 1}: {line}"
            cell[part].append(norm(line[2:]))
    return {"areas": areas, "groups": groups, "notes": notes}


def test_attest_engineering_matches_seed(seeds: Path) -> None:
    document = ladder("attest-engineering")
    lines = seed_lines(seeds, "attest-engineering")
    seed = _parse_attest(lines)
    assert document["name"].startswith(heading_name(lines[0]))
    assert [a["name"] for a in document["areas"]] == list(seed["areas"])
    assert len(document["areas"]) == 12
    groups = {g["id"]: g["name"] for g in document["groups"]}
    assert list(groups.values()) == list(seed["groups"]) == ["Delivery", "Approach"]
    for group_name, area_names in seed["groups"].items():
        in_yaml = [a["name"] for a in document["areas"] if groups[a["group"]] == group_name]
        assert in_yaml == area_names
    assert [level["id"] for level in document["levels"]] == ["I", "II", "III", "IV", "V", "VI", "VII"]

    total = 0
    for area_name, levels in seed["areas"].items():
        assert list(levels) == [level["id"] for level in document["levels"]], area_name
        for level_id, expected in levels.items():
            cell = cell_of(document, area_name, level_id)
            where = f"{area_name} {level_id}"
            assert bool(cell.get("not_applicable")) == expected["na"], where
            engineer = [b for b in cell.get("behaviours", []) if not b.get("track")]
            assert [b["text"] for b in engineer if not b.get("qualifier")] == expected["engineer"], where
            assert [b["text"] for b in engineer if b.get("qualifier")] == expected["backend"], where
            assert all(b.get("qualifier") in (None, "Backend-specific") for b in engineer), where
            assert texts(cell, track="staff") == expected["staff"], where
            order = [b.get("track") for b in cell.get("behaviours", [])]
            assert order == sorted(order, key=lambda t: t is not None), f"{where}: staff behaviours come last"
            total += len(expected["engineer"]) + len(expected["staff"]) + len(expected["backend"])
    assert total == len(all_behaviour_texts(document))
    assert sum(1 for line in lines if line.strip().startswith("•")) == total
    (note,) = seed["notes"]
    (track,) = document["tracks"]
    assert track["id"] == "staff" and track["name"] == "Staff Engineer"
    assert note in track["description"]


def test_org_wide_engineering_matches_seed(seeds: Path) -> None:
    document = ladder("org-wide-engineering")
    groups: list[tuple[str, list[tuple[str, list[str]]]]] = []
    for raw in seed_lines(seeds, "org-wide-engineering"):
        line = norm(raw)
        if not line or line == "***":
            continue
        if raw.startswith("### "):
            groups[-1][1].append((heading_name(raw), []))
        elif raw.startswith("# "):
            groups.append((heading_name(raw), []))
        else:
            groups[-1][1][-1][1].extend(re.split(r"(?<=[.!?]) (?=[A-Z])", line))
    assert [level["id"] for level in document["levels"]] == ["org"]
    group_names = {g["id"]: g["name"] for g in document["groups"]}
    assert list(group_names.values()) == [name for name, _ in groups]
    expected_areas = [(group, area, sentences) for group, areas in groups for area, sentences in areas]
    assert len(document["areas"]) == len(expected_areas) == 15
    for area, (group, name, sentences) in zip(document["areas"], expected_areas, strict=True):
        assert (group_names[area["group"]], area["name"]) == (group, name)
        (cell,) = area["cells"]
        assert cell["level"] == "org"
        assert texts(cell) == sentences, name
    assert "ensures it’s appropriately broken down" in " ".join(all_behaviour_texts(document))


# ---------------------------------------------------------------------------------------------------
# Every bundled ladder


BUNDLED = sorted(FRAMEWORKS_DIR.glob("*.yaml"))


def test_the_five_seed_ladders_are_bundled() -> None:
    assert {p.stem for p in BUNDLED} >= set(SEED_FILES)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_no_mojibake_anywhere(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        found = [m for m in MOJIBAKE if m in line]
        assert not found, f"{path.name}:{number}: mojibake {found}: {line}"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_ids_unique_and_follow_the_convention(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["id"] == path.stem
    ids = [b["id"] for a in document["areas"] for c in a.get("cells", []) for b in c.get("behaviours", [])]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates
    for area in document["areas"]:
        for cell in area.get("cells", []):
            for behaviour in cell.get("behaviours", []):
                prefix = "-".join(p for p in (area["id"], cell["level"].lower(), behaviour.get("track")) if p)
                assert re.fullmatch(re.escape(prefix) + r"-\d{2,}", behaviour["id"]), behaviour["id"]
    assert all(isinstance(level["id"], str) for level in document["levels"])


def test_header_comment_documents_the_source() -> None:
    for framework_id, seed_file in SEED_FILES.items():
        text = (FRAMEWORKS_DIR / f"{framework_id}.yaml").read_text(encoding="utf-8")
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        assert seed_file in header and "Encoding decisions" in header, framework_id


def test_the_loader_accepts_all_five() -> None:
    loader = pytest.importorskip("frameworks.loader")
    library = loader.load_library()
    assert set(library) >= set(SEED_FILES)
