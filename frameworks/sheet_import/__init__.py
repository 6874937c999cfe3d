"""Ladders from spreadsheets (CSV, TSV, XLSX), JSON in growthbot's schema and front-matter Markdown, and back out.

One module per format (`delimited`, `xlsx`, `json_doc`, `frontmatter`), the grid logic shared by the
spreadsheet formats in `table`, detection and dispatch in `detect`, and exports in `export`. Readers fill
a `SheetLadder`; `ladder.to_import_result` hands it to the Markdown importer's document builder and
id-keeping rule (`frameworks.markdown_import.ids.carry_ids`), so every format re-imports `--into` alike.
"""

from frameworks.sheet_import.detect import FORMATS, detect_format, import_file
from frameworks.sheet_import.ladder import SheetImportError, SheetImportResult

__all__ = ["FORMATS", "SheetImportError", "SheetImportResult", "detect_format", "import_file"]
