"""The access log's blocks: escaped names, the engineer's local time, Slack's limits, the paging buttons."""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.blocks.access_log import access_log_blocks, break_glass_blocks, break_glass_text, home_access_log_blocks
from bot.ids import AccessLogAction
from bot.services.access_log import PAGE_SIZE, AccessLogEntry, AccessLogPage
from bot.services.break_glass import BreakGlassDM

AT = datetime(2025, 7, 1, 22, 30)  # naive UTC: 2 July 00:30 in Paris


def _entry(reader: str = "Mia <!channel>", **kw: object) -> AccessLogEntry:
    values: dict = {"what": "an on-demand digest", "surface": "/ladder digest"} | kw
    return AccessLogEntry(AT, "UMIA", reader, **values)


def test_a_page_is_escaped_in_local_time_and_within_a_messages_limits() -> None:
    page = AccessLogPage(
        "UREP", "Europe/Paris", tuple(_entry() for _ in range(PAGE_SIZE)), "2025-07-01T22:30:00~9", False
    )
    blocks = [b.to_dict() for b in access_log_blocks(page)]
    text = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in text and "Mia &lt;!channel&gt;" in text
    assert "2 Jul 2025, 00:30 · *Mia &lt;!channel&gt;* read an on-demand digest · /ladder digest" in text
    assert len(blocks) <= 50 and all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == [AccessLogAction.OLDER, AccessLogAction.NEWEST]
    assert json.loads(actions["elements"][0]["value"]) == {"p": "UREP", "c": "2025-07-01T22:30:00~9"}


def test_empty_log_ended_access_and_admin_reads_read_plainly() -> None:
    empty = access_log_blocks(AccessLogPage("UREP", "UTC", (), None, True))
    assert "Nobody but you has read your growthbot data." in json.dumps([b.to_dict() for b in empty])
    lines = json.dumps([b.to_dict() for b in home_access_log_blocks(
        (_entry(break_glass=True), _entry("Morgan", what="access as your manager ended (x)", surface=None,
                                          access_ended=True)), "UTC")], ensure_ascii=False)  # fmt: skip
    assert "read as an admin" in lines and ":lock: 1 Jul 2025, 22:30 · *Morgan*'s access as your manager ended" in lines


def test_the_break_glass_dm_names_the_admin_and_summarises() -> None:
    dm = BreakGlassDM(1, "UREP", "UADA", "Ada <b>", date(2025, 7, 2), "Europe/Paris", (("an on-demand digest", 2),))
    assert break_glass_text(dm) == "An admin, *Ada &lt;b&gt;* (<@UADA>), read your growthbot data"
    text = json.dumps([b.to_dict() for b in break_glass_blocks(dm)])
    assert "on Wednesday 2 July" in text and "an on-demand digest (2 times)" in text
