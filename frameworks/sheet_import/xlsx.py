"""An Excel workbook (.xlsx) through openpyxl, an optional extra: the ladder's sheet read as a grid."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from frameworks.markdown_import.imported import Guess
from frameworks.sheet_import.ladder import SheetImportError, SheetLadder
from frameworks.sheet_import.table import LevelsAxis, Row, read_grid

MISSING = "reading .xlsx files needs openpyxl: pip install 'growthbot[xlsx]' (or export the sheet as CSV)."


def openpyxl_module() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise SheetImportError(MISSING) from None
    return openpyxl


def read_xlsx(raw: bytes, *, fallback_area: str, levels: LevelsAxis | None) -> SheetLadder:
    openpyxl = openpyxl_module()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors for a damaged file
        raise SheetImportError(f"not a readable .xlsx workbook ({type(error).__name__}: {error}).") from None
    try:
        sheets = [(sheet.title, _rows(sheet)) for sheet in workbook.worksheets]
    finally:
        workbook.close()
    filled = [(title, rows) for title, rows in sheets if rows]
    if not filled:
        raise SheetImportError("the workbook's sheets are empty.")
    title, rows = filled[0]
    ladder = read_grid(rows, fallback_area=fallback_area, levels=levels)
    if len(filled) > 1:
        others = ", ".join(repr(t) for t, _ in filled[1:])
        why = f"one sheet is one ladder; not read: {others}"
        ladder.guesses.insert(0, Guess(f"read the first sheet with content, {title!r}", why))
    return ladder


def _rows(sheet: Any) -> list[Row]:
    rows: list[Row] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_text(v) for v in values]
        if any(cells):
            rows.append((number, cells))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
