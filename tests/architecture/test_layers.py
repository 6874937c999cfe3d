"""The house's plan: services, storage and frameworks never import Slack, Block Kit or listeners.

Read from every module's own import statements (top level and inside functions), so an import tucked
into a function to reach back up a layer counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOWER_LAYERS = ("bot/services", "storage", "frameworks")
UPPER = ("slack_sdk", "slack_bolt", "bot.blocks", "bot.listeners")

# Upward imports that issue 11 still has to move into a delivery layer. This set may only shrink:
# a new upward import fails the test, and so does removing one without deleting its line here.
NOT_YET_MOVED = {
    ("bot/services/confirmations.py", "slack_sdk"),
    ("bot/services/confirmations.py", "slack_sdk.errors"),
    ("bot/services/confirmations.py", "bot.listeners.evidence_ui"),
    ("bot/services/consent.py", "slack_sdk.errors"),
    ("bot/services/consent.py", "bot.blocks.consent"),
    ("bot/services/digesting.py", "slack_sdk.errors"),
    ("bot/services/digesting.py", "bot.blocks.digest"),
    ("bot/services/lookup.py", "bot.blocks.common"),
    ("bot/services/people.py", "slack_sdk.errors"),
    ("bot/services/people_import.py", "slack_sdk.errors"),
    ("bot/services/prompting.py", "slack_sdk"),
    ("bot/services/prompting.py", "slack_sdk.errors"),
    ("bot/services/prompting.py", "bot.blocks.prompt"),
}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _is_upper(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in UPPER)


def upward_imports() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for layer in LOWER_LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            found.update((relative, module) for module in _imported_modules(path) if _is_upper(module))
    return found


def test_lower_layers_import_nothing_new_from_slack_blocks_or_listeners() -> None:
    new = upward_imports() - NOT_YET_MOVED
    assert not new, f"lower layers reach up to Slack, blocks or listeners: {sorted(new)}"


def test_the_list_of_imports_still_to_move_only_shrinks() -> None:
    gone = NOT_YET_MOVED - upward_imports()
    assert not gone, f"these upward imports are gone; delete their lines from NOT_YET_MOVED: {sorted(gone)}"


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from bot.listeners.evidence_ui import redraw_prompt\n", encoding="utf-8")
    assert any(_is_upper(name) for name in _imported_modules(module))
