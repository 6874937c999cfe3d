"""CSV and TSV exports of a spreadsheet: encoding (BOM, Windows-1252) and dialect (`,` `;` tab) found, then the grid."""

from __future__ import annotations

import csv
import io

from frameworks.markdown_import.imported import Guess
from frameworks.sheet_import.ladder import SheetImportError, SheetLadder
from frameworks.sheet_import.table import LevelsAxis, Row, read_grid


def decode(raw: bytes, guesses: list[Guess]) -> str:
    if b"\x00" in raw[:4096]:
        raise SheetImportError("the input looks like a binary file, not CSV text (an .xlsx? pass --format xlsx).")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        why = "it is not UTF-8 (Windows-1252 is Excel's default on Windows)"
        guesses.append(Guess("read the file as Windows-1252", why))
        return raw.decode("cp1252", errors="replace")


def read_delimited(raw: bytes, *, delimiter: str | None, fallback_area: str, levels: LevelsAxis | None) -> SheetLadder:
    """`delimiter` None: sniffed from the text (a European export uses `;`)."""
    guesses: list[Guess] = []
    text = decode(raw, guesses)
    if not text.strip():
        raise SheetImportError("the input is empty.")
    if delimiter is None:
        delimiter = _sniff(text)
        if delimiter != ",":
            guesses.append(Guess(f"cells are separated by {_name(delimiter)}", "the first lines are", 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise SheetImportError(f"line {reader.line_num}: not valid CSV ({error}).") from None
    ladder = read_grid(rows, fallback_area=fallback_area, levels=levels)
    ladder.guesses[:0] = guesses
    return ladder


def _sniff(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", ";", "\t")}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _name(delimiter: str) -> str:
    return {"\t": "tabs", ";": "semicolons", "|": "pipes", ",": "commas"}.get(delimiter, repr(delimiter))
