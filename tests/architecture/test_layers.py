"""The house's plan: services, storage and frameworks never import Slack, Block Kit, listeners or delivery.

Read from every module's own import statements (top level and inside functions), so an import tucked
into a function to reach back up a layer counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOWER_LAYERS = ("bot/services", "storage", "frameworks")
UPPER = ("slack_sdk", "slack_bolt", "bot.blocks", "bot.listeners", "bot.delivery", "bot.errors")
# Block Kit builders sit below the listeners and the delivery layer that use them.
BLOCKS_UPPER = ("slack_bolt", "bot.listeners", "bot.delivery")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _is_under(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def _is_upper(module: str) -> bool:
    return _is_under(module, UPPER)


def upward_imports(layers: tuple[str, ...], upper: tuple[str, ...]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for layer in layers:
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            found.update((relative, module) for module in _imported_modules(path) if _is_under(module, upper))
    return found


def test_lower_layers_import_nothing_from_slack_blocks_listeners_or_delivery() -> None:
    found = upward_imports(LOWER_LAYERS, UPPER)
    assert not found, f"lower layers reach up to Slack, blocks, listeners or delivery: {sorted(found)}"


def test_blocks_import_nothing_from_bolt_listeners_or_delivery() -> None:
    found = upward_imports(("bot/blocks",), BLOCKS_UPPER)
    assert not found, f"Block Kit builders reach up a layer: {sorted(found)}"


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from bot.listeners.evidence_ui import redraw_prompt\n", encoding="utf-8")
    assert any(_is_upper(name) for name in _imported_modules(module))
