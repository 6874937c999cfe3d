"""Turn a career ladder written in Markdown into a framework document (the YAML schema's shape).

Three layouts are recognised (tests/frameworks/data/md/ holds a small example of each):

(a) a pipe table with one column per area: a header row naming the areas, optionally a row of area
    descriptions (first cell empty, before any level), then per level a row whose first cell is the
    level label and whose other cells are the level summaries (when written in *italics*) or
    behaviours, followed by rows with an empty first cell holding one behaviour per area column;
(b) headings for areas (`#`..`######`) with bullet lists under level markers: lines such as
    `Level II`, `Milestone 3`, `L2:` or headings such as `## Level 2`. Without any level marker,
    plain headings are levels: the headings holding bullets and their parents are levels and areas
    (whichever of the two reads more like level names; by default the inner one);
(c) level-marked lists: `P1 |` (or `| P1 |`) lines each followed by `- ` items, without area
    headings; the single area is named after the framework.

Heuristics inside (b) and (c), all taken from real ladders:
- the first heading whose section holds no levels and no bullets is the framework's title, its text
  the framework description; later such headings are area groups;
- a heading `Area - Role` (e.g. `Delivery - Staff Engineer`) is area `Area`; the first role seen for
  an area is the base, later roles are tracks;
- a short label line followed by bullets (`Staff Engineer`, `Backend-specific`) starts a sub-list
  until the next level: a track when it names a role, otherwise a qualifier;
- `In addition to ...:` lines describe the active track; `N/A` marks the cell not applicable;
- text under an area before its first level is the area description, except `Example(s) ...:` lines,
  which are area examples; text after a level marker and before its bullets is the cell summary.

Since issue 14 the table layout also reads long-form tables (an Area and a Level column, one row per
behaviour, extra columns kept as examples/notes) and matrices with the levels as columns (detected from the
labels, or `levels="columns"`), and plain/bold level labels (`**Junior**`), `Level: P1` and `P1 | Junior`
lines mark levels. Every decision the text did not spell out is a `Guess` in the result.

The reader (`read_markdown`) returns an `ImportedLadder` (imported.py), the structure every format's reader
returns; `finish` (finish.py) writes it as a framework document.

Everything that fits none of these is reported in `ImportResult.unplaced` with its line number,
never dropped silently. Behaviour ids follow `<area>-<level>-<nn>` / `<area>-<level>-<track>-<nn>`;
with `existing`, the ids of unchanged or nearly unchanged behaviours are kept.
"""

from frameworks.markdown_import.finish import finish
from frameworks.markdown_import.imported import Guess, ImportedLadder, LadderImportError
from frameworks.markdown_import.importer import import_markdown, read_markdown
from frameworks.markdown_import.report import ImportResult, MarkdownImportError
from frameworks.markdown_import.text import repair_mojibake, strip_markup
from frameworks.markdown_import.yaml_output import dump_yaml

__all__ = [
    "Guess",
    "ImportResult",
    "ImportedLadder",
    "LadderImportError",
    "MarkdownImportError",
    "dump_yaml",
    "finish",
    "import_markdown",
    "read_markdown",
    "repair_mojibake",
    "strip_markup",
]
