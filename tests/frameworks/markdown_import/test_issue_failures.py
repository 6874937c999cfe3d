"""Issue 14's listed failures, each as the new user hit it; and the honest report (--strict, the last line)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli.frameworks_import import import_command
from frameworks.markdown_import import import_markdown
from tests.frameworks.markdown_import.layouts import LAYOUTS_DIR, cells, levels


def test_a_level_column_makes_levels_not_areas() -> None:
    text = (
        "| Area | Level | Expectations |\n| --- | --- | --- |\n| Delivery | L1 | Ships. |\n| Delivery | L2 | Leads. |\n"
    )
    result = import_markdown(text, framework_id="x")
    assert levels(result) == [("L1", "L1"), ("L2", "L2")]
    assert cells(result) == {("Delivery", "L1"): ["Ships."], ("Delivery", "L2"): ["Leads."]}


def test_areas_as_rows_and_levels_as_columns_are_not_swapped() -> None:
    text = "| | L1 | L2 |\n| --- | --- | --- |\n| Delivery | Ships. | Leads. |\n| Quality | Tests. | Reviews. |\n"
    result = import_markdown(text, framework_id="x")
    assert [a["name"] for a in result.document["areas"]] == ["Delivery", "Quality"]
    assert levels(result) == [("L1", "L1"), ("L2", "L2")]


def test_the_title_over_level_headings_is_the_name() -> None:
    text = "# Our Ladder\n\n## Associate\n\n### Craft\n\n- Codes.\n\n## Senior\n\n### Craft\n\n- Designs.\n"
    result = import_markdown(text, source_name="ladder-2024.md")
    assert result.document["name"] == "Our Ladder"
    assert [a["name"] for a in result.document["areas"]] == ["Craft"]


def test_br_splits_behaviours_and_checkboxes_are_dropped() -> None:
    table = import_markdown("| Level | Delivery |\n| --- | --- |\n| 1 | Ships.<br>Tests.<br/>Reviews. |\n")
    assert cells(table) == {("Delivery", "1"): ["Ships.", "Tests.", "Reviews."]}
    listed = import_markdown("# Delivery\n\nLevel 1\n- [ ] Ships.\n- [x] Tests.\n")
    assert cells(listed) == {("Delivery", "1"): ["Ships.", "Tests."]}


def test_bold_labels_and_code_name_rows_find_their_levels() -> None:
    bold = import_markdown("# Delivery\n\n**Junior**\n- Ships.\n\n**Senior**\n- Leads.\n")
    assert levels(bold) == [("Junior", "Junior"), ("Senior", "Senior")]
    rows = import_markdown("# Delivery\n\nP1 | Junior\n- Ships.\n\nP2 | Senior\n- Leads.\n")
    assert levels(rows) == [("P1", "Junior"), ("P2", "Senior")]


def _run(tmp_path: Path, name: str, *options: str) -> tuple[int, str, Path]:
    source = tmp_path / name
    source.write_text((LAYOUTS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(import_command, [str(source), "-o", str(out), *options])
    return result.exit_code, result.output, out


def test_every_line_was_placed_only_when_true_and_guesses_are_printed(tmp_path: Path) -> None:
    code, output, _out = _run(tmp_path, "matrix-columns.md")
    assert code == 0
    assert "levels are the columns, because D1, D2, D3 look like level labels" in output
    assert "line 12: Questions? Ask in #design-ladder." in output
    assert "Every line was placed." not in output
    code, output, _out = _run(tmp_path, "colon-labels.md")
    assert code == 0 and "Every line was placed." in output and "guess" not in output


def test_strict_exits_non_zero_on_a_guess_or_an_unplaced_line_and_writes_nothing(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, "matrix-rows.md", "--strict")  # a guess, nothing unplaced
    assert code == 2 and "--strict: 1 guess(es) and 0 unplaced line(s)" in output and not out.exists()
    code, output, out = _run(tmp_path, "matrix-columns.md", "--strict", "--levels", "columns")  # a footer
    assert code == 2 and "0 guess(es) and 1 unplaced line(s)" in output and not out.exists()
    code, output, out = _run(tmp_path, "colon-labels.md", "--strict")
    assert code == 0 and out.exists()
    code, output, out = _run(tmp_path, "matrix-rows.md", "--strict", "--levels", "rows")
    assert code == 0 and out.exists()


def test_format_option_names_the_reader(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, "colon-labels.md", "--format", "markdown")
    assert code == 0 and out.exists()
    code, output, _out = _run(tmp_path, "colon-labels.md", "--format", "nonsense")
    assert code == 2 and "nonsense" in output


def test_levels_on_a_long_table_is_reported_not_silently_ignored(tmp_path: Path) -> None:
    code, output, _out = _run(tmp_path, "long-form.md", "--levels", "columns")
    assert code == 0, output
    assert "--levels columns was not used for this table" in output
    assert "it is a long table" in output


def test_strict_accepts_a_tidy_bold_label_document_and_still_refuses_a_lone_one(tmp_path: Path) -> None:
    tidy = (
        "# Delivery\n\n**Junior**\n- Ships.\n\n**Senior**\n- Leads.\n\n"
        "# Quality\n\n**Junior**\n- Tests.\n\n**Senior**\n- Reviews.\n"
    )
    result = import_markdown(tidy, framework_id="x")
    assert levels(result) == [("Junior", "Junior"), ("Senior", "Senior")]
    assert result.guesses == []
    (tmp_path / "tidy.md").write_text(tidy, encoding="utf-8")
    strict = CliRunner().invoke(import_command, [str(tmp_path / "tidy.md"), "-o", str(tmp_path / "t.yaml"), "--strict"])
    assert strict.exit_code == 0, strict.output
    lone = import_markdown("# Delivery\n\n**Junior**\n- Ships.\n\n**Senior**\n- Leads.\n", framework_id="x")
    assert len(lone.guesses) == 1
    uneven = tidy.replace("# Quality\n\n**Junior**\n- Tests.\n\n", "# Quality\n\n")
    assert len(import_markdown(uneven, framework_id="x").guesses) == 1
