"""The house's plan: services, storage and frameworks never import Slack, Block Kit, listeners or delivery.

Read from every module's own import statements (top level and inside functions), so an import tucked
into a function to reach back up a layer counts too. A second check follows the project's own modules
transitively (what importing a service really loads at run time, `if TYPE_CHECKING:` blocks aside), so
a lower layer cannot reach Slack through a helper module in between (bot.deps, bot.slack_client).
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


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported when this file runs: every import except those under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _with_parents(module: str) -> list[str]:
    """Importing a.b.c runs a/__init__.py and a/b/__init__.py first."""
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def reached_upper_modules(start: Path, upper: tuple[str, ...]) -> dict[str, str]:
    """Upper-layer modules that importing `start` loads, each with the project module that imports it."""
    reached: dict[str, str] = {}
    seen: set[Path] = set()
    pending = [start]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        importer = path.relative_to(ROOT).as_posix()
        for module in _runtime_imports(path):
            if _is_under(module, upper):
                reached.setdefault(module, importer)
                continue
            for name in _with_parents(module):
                found = _module_file(name)
                if found is not None:
                    pending.append(found)
    return reached


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


def test_lower_layers_reach_no_slack_through_the_modules_they_import() -> None:
    found = {
        path.relative_to(ROOT).as_posix(): reached
        for layer in LOWER_LAYERS
        for path in sorted((ROOT / layer).rglob("*.py"))
        if (reached := reached_upper_modules(path, UPPER))
    }
    assert not found, f"importing these loads Slack, blocks, listeners or delivery (module: via): {found}"


def test_the_transitive_check_follows_a_helper_module(tmp_path: Path) -> None:
    module = ROOT / "bot" / "services" / "access.py"
    reached = reached_upper_modules(module, ("storage.models",))
    assert reached, "access reads people through storage, so the walk must reach storage.models"


def test_storage_and_frameworks_import_nothing_from_bot() -> None:
    """The two lowest rooms: services build on them, never the other way round."""
    found = upward_imports(("storage", "frameworks"), ("bot",))
    assert not found, f"storage or frameworks reach up into bot/: {sorted(found)}"


def test_blocks_import_nothing_from_bolt_listeners_or_delivery() -> None:
    found = upward_imports(("bot/blocks",), BLOCKS_UPPER)
    assert not found, f"Block Kit builders reach up a layer: {sorted(found)}"


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from bot.listeners.evidence_ui import redraw_prompt\n", encoding="utf-8")
    assert any(_is_upper(name) for name in _imported_modules(module))
