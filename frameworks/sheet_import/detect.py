"""Which reader a file needs (from `--format`, else its content, else its extension), and the call to it."""

from __future__ import annotations

import csv
from pathlib import PurePath
from typing import Any

from frameworks.markdown_import import ImportResult, import_markdown
from frameworks.markdown_import.imported import Guess
from frameworks.sheet_import.delimited import read_delimited
from frameworks.sheet_import.frontmatter import has_topics, read_front_matter
from frameworks.sheet_import.json_doc import read_json
from frameworks.sheet_import.ladder import SheetImportError, SheetImportResult, to_import_result
from frameworks.sheet_import.table import LevelsAxis
from frameworks.sheet_import.xlsx import read_xlsx

FORMATS = ("md", "csv", "tsv", "xlsx", "json", "frontmatter")
_EXTENSIONS = {
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
}


def detect_format(raw: bytes, filename: str = "") -> tuple[str, str]:
    """(format, why), the content winning over the extension where it is unambiguous."""
    if raw.startswith(b"PK\x03\x04"):
        return "xlsx", "the file is a zip archive, as .xlsx workbooks are"
    text = raw[:65536].decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "json", "the content starts with '{'"
    if stripped.startswith("---") and has_topics(raw.decode("utf-8-sig", errors="replace")):
        return "frontmatter", "the file starts with YAML front matter holding 'topics'"
    suffix = PurePath(filename).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix], f"the {suffix} extension"
    if _looks_delimited(text):
        delimiter = csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), delimiters=",;\t").delimiter
        return ("tsv" if delimiter == "\t" else "csv"), "every line has the same number of separated cells"
    return "md", "no other format fits"


def _looks_delimited(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2 or any(line.lstrip().startswith(("#", "|", "- ", "* ")) for line in lines):
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() >= 2


def import_file(
    raw: bytes,
    *,
    filename: str = "",
    fmt: str | None = None,
    levels: LevelsAxis | None = None,
    framework_id: str | None = None,
    existing: dict[str, Any] | None = None,
) -> ImportResult:
    """Read `raw` as `fmt` (detected when None); SheetImportError / MarkdownImportError say what was wrong."""
    guesses: list[Guess] = []
    if fmt is None:
        fmt, why = detect_format(raw, filename)
        guesses.append(Guess(f"read as {fmt}", why))
    elif fmt not in FORMATS:
        raise SheetImportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    source_name = PurePath(filename).name
    fallback = (existing or {}).get("name") or PurePath(filename).stem.replace("-", " ").replace("_", " ").capitalize()
    fallback = fallback or "Imported ladder"
    if fmt == "md":
        text = decoded_text(raw)
        result: ImportResult = import_markdown(
            text, framework_id=framework_id, source_name=source_name, existing=existing
        )
        return SheetImportResult(result.document, result.counts, result.unplaced, [*guesses, *result.guesses])
    if fmt == "json":
        result = read_json(decoded_text(raw), source_name=source_name, existing=existing)
    else:
        if fmt == "frontmatter":
            ladder = read_front_matter(decoded_text(raw))
        elif fmt == "xlsx":
            ladder = read_xlsx(raw, fallback_area=fallback, levels=levels)
        else:
            ladder = read_delimited(
                raw, delimiter="\t" if fmt == "tsv" else None, fallback_area=fallback, levels=levels
            )
        result = to_import_result(
            ladder, framework_id=framework_id, source_name=source_name, existing=existing, fmt=fmt
        )
    assert isinstance(result, SheetImportResult)
    result.guesses[:0] = guesses
    return result


def decoded_text(raw: bytes) -> str:
    """Markdown and JSON are UTF-8 (a BOM allowed); only a CSV export falls back to Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SheetImportError(
            f"line {line} is not valid UTF-8 (byte 0x{raw[error.start]:02x}); re-save the file as UTF-8."
        ) from None
