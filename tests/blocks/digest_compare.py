"""The preview-equals-digest comparison, shared by the block and end-to-end tests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.ids import DigestBlock

_DATE_FALLBACK = re.compile(r"(<!date\^\d+\^[^|>]*)\|[^>]*>")
_PART = re.compile(r"^Part \d+ of \d+$")


def comparable(blocks: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Blocks as a reader sees them, minus what is interactive (buttons, menus, the note button), block
    ids, the preview's one introduction and "part i of n" markers. A date token's fallback is dropped:
    Slack shows the token in each reader's own zone, the fallback is that reader's local date."""
    out = []
    for block in blocks:
        if block.get("type") == "actions" or block.get("block_id") == DigestBlock.PREVIEW_INTRO:
            continue
        plain = {k: v for k, v in block.items() if k not in ("accessory", "block_id")}
        if plain.get("type") == "context" and all(_PART.match(e.get("text", "")) for e in plain["elements"]):
            continue
        out.append(_strip_dates(plain))
    return out


def _strip_dates(node: Any) -> Any:
    if isinstance(node, str):
        return _DATE_FALLBACK.sub(r"\1>", node)
    if isinstance(node, list):
        return [_strip_dates(n) for n in node]
    if isinstance(node, dict):
        return {k: _strip_dates(v) for k, v in node.items()}
    return node
