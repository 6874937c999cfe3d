"""A behaviour's examples, as a ladder gives them: printed by `frameworks show` (text and JSON) and, the
first one shortened, under the behaviour in `/ladder show`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.blocks.lookup import EXAMPLE_MAX, show_blocks
from bot.cli import main
from bot.services.lookup import resolve_show
from frameworks import load_library
from tests.frameworks.tiny_ladder import BASE

LONG = "Split the <!channel> release into " + "small steps " * 30
WITH_EXAMPLES = BASE.replace(
    "            text: Ships small tasks.\n",
    "            text: Ships small tasks.\n            examples:\n"
    f'              - Shipped the login fix in a day\n              - "{LONG}"\n',
)


def test_frameworks_show_prints_a_behaviours_examples(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(WITH_EXAMPLES)
    env = {"GROWTHBOT_FRAMEWORKS_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["frameworks", "show", "tiny", "--area", "delivery"], env=env)
    assert result.exit_code == 0, result.output
    assert "e.g. Shipped the login fix in a day" in result.output
    as_json = CliRunner().invoke(main, ["frameworks", "show", "tiny", "--area", "delivery", "--json"], env=env)
    assert "Shipped the login fix in a day" in as_json.output


def test_slash_show_gives_the_first_example_shortened_and_escaped(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(WITH_EXAMPLES.replace("Shipped the login fix in a day", LONG, 1))
    library = load_library([tmp_path])
    text = json.dumps([block.to_dict() for block in show_blocks(resolve_show(library, ["tiny", "delivery", "1"]))])
    assert "_e.g. Split the &lt;!channel&gt; release" in text and "<!channel>" not in text
    shown = text.split("_e.g. ", 1)[1].split("_", 1)[0]
    assert len(shown) <= EXAMPLE_MAX + len("&lt;&gt;") * 2
