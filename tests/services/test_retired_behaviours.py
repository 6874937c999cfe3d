"""A ladder file that drops a behaviour loses nothing: evidence and verdicts on it stay, shown as a retired
behaviour with their snapshot text on Home, in the digest and in the packet (after the holder's reload)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from bot.services import assessments
from bot.services.digests import build_digest
from bot.services.home import home_in
from bot.services.packet import build_packet
from bot.services.packet_render import render_csv, render_json, render_markdown
from frameworks import LibraryHolder
from storage.models import Person, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import DATA_DIR, LADDER_ID, add_evidence, make_world

NOW = datetime(2025, 3, 10, 12, 0)
GONE = "delivery-2-03"
GONE_TEXT = "Flags risks to the plan early."


def test_evidence_and_verdicts_on_a_removed_behaviour_show_as_retired_with_their_snapshot(
    db: Database, tmp_path: Path
) -> None:
    ladder = tmp_path / "digest_ladder.yaml"
    original = (DATA_DIR / "digest_ladder.yaml").read_text(encoding="utf-8")
    ladder.write_text(original, encoding="utf-8")
    holder = LibraryHolder([tmp_path])
    with db.uow() as uow:
        world = make_world(uow)
        report, manager = uow.session.get(Person, world.report_id), uow.session.get(Person, world.manager_id)
        framework = holder.library[LADDER_ID]
        add_evidence(
            uow, holder.library, report.id, "Raised the migration risk in planning", NOW - timedelta(days=2), [GONE]
        )
        assessments.record(
            uow,
            person=report,
            rater=manager,
            role=Rater.MANAGER,
            framework=framework,
            behaviour=framework.behaviour(GONE),
            verdict=Verdict.CONSISTENTLY,
            now=NOW - timedelta(days=1),
            comment="Every sprint",
        )

    line = f"          - {{id: {GONE}, text: {GONE_TEXT}}}\n"
    assert line in original
    ladder.write_text(original.replace(line, ""), encoding="utf-8")
    assert holder.reload_if_changed() is None
    library = holder.library
    assert library[LADDER_ID].find_behaviour(GONE) is None

    with db.uow() as uow:
        home = home_in(uow, library, "T1", "UREPORT", NOW)
        assert home.recent[0].behaviours == (f"{GONE_TEXT} (retired behaviour)",)

        report, manager = uow.people.get(world.report_id), uow.people.get(world.manager_id)
        digest = build_digest(uow, library, (manager, report), NOW - timedelta(days=7), NOW)
        texts = [b.text for area in digest.new_evidence for b in area.behaviours]
        assert texts == [f"{GONE_TEXT} (retired behaviour)"]

        packet = build_packet(uow, library, report, now=NOW)
    assert [v.behaviour_text for v in packet.retired_verdicts] == [GONE_TEXT]
    markdown = render_markdown(packet)
    assert "## Verdicts on retired behaviours" in markdown
    assert f"- Manager on “{GONE_TEXT} (retired behaviour)”: **Consistently** (2025-03-09) — Every sprint" in markdown
    assert "judged against ladder version 1" in markdown
    assert f"{GONE_TEXT} (retired behaviour)" in markdown.split("## Other evidence")[1]
    assert "Raised the migration risk in planning" in markdown
    rows = list(csv.DictReader(io.StringIO(render_csv(packet))))
    retired_rows = [r for r in rows if r["behaviour_id"] == GONE and r["manager_verdict"]]
    assert [(r["behaviour"], r["manager_verdict"], r["ladder_version"]) for r in retired_rows] == [
        (f"{GONE_TEXT} (retired behaviour)", "consistently", "1")
    ]
    data = json.loads(render_json(packet))
    assert [(v["behaviour"], v["rater"], v["ladder_version"]) for v in data["retired_verdicts"]] == [
        (GONE_TEXT, "manager", 1)
    ]
