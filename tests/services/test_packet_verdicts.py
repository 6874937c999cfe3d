"""The packet with judgement, on both backends: self and manager verdicts with dates and comments, cited
evidence first, disputed evidence marked (and not counted), readiness per area, the ladder version, and
blind verdicts only for their own rater."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from bot.services import assessments
from bot.services.packet import build_packet
from bot.services.packet_render import render_csv, render_json, render_markdown
from storage.models import CheckIn, CheckInOrigin, Person, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, add_evidence, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]
B1, B2 = "delivery-2-01", "delivery-2-02"


def _seed(db: Database) -> tuple[int, dict[str, int]]:
    with db.uow() as uow:
        world = make_world(uow)
        report, manager = uow.session.get(Person, world.report_id), uow.session.get(Person, world.manager_id)
        older = add_evidence(uow, LIBRARY, report.id, "Older, not cited", NOW - timedelta(days=9), [B1])
        cited = add_evidence(uow, LIBRARY, report.id, "Cited work", NOW - timedelta(days=3), [B1])
        disputed = add_evidence(uow, LIBRARY, report.id, "Disputed work", NOW - timedelta(days=2), [B2])
        uow.evidence.dispute_tag(disputed.tags[0].id, by_id=manager.id, comment="Not this one", now=NOW)

        def rate(person, role, behaviour, verdict, comment=None, checkin_id=None, ids=()):  # type: ignore[no-untyped-def]
            assessments.record(
                uow,
                person=report,
                rater=person,
                role=role,
                framework=FRAMEWORK,
                behaviour=FRAMEWORK.behaviour(behaviour),
                verdict=verdict,
                now=NOW - timedelta(days=1),
                comment=comment,
                evidence_ids=ids,
                checkin_id=checkin_id,
            )

        rate(manager, Rater.MANAGER, B1, Verdict.CONSISTENTLY, "Well done", ids=[cited.id])
        rate(report, Rater.SELF, B1, Verdict.SOMETIMES)
        checkin, _ = uow.checkins.add_once(
            CheckIn(
                person_id=report.id,
                manager_id=manager.id,
                origin=CheckInOrigin.SELF,
                framework_id=LADDER_ID,
                framework_version=1,
                behaviour_ids=[B2],
                deadline_at=NOW + timedelta(days=7),
            )
        )
        rate(report, Rater.SELF, B2, Verdict.CONSISTENTLY, "blind", checkin_id=checkin.id)
        return report.id, {"older": older.id, "cited": cited.id, "disputed": disputed.id}


def test_markdown_shows_verdicts_cited_first_disputes_marked_readiness_and_version(db: Database) -> None:
    person_id, _ = _seed(db)
    with db.uow() as uow:
        packet = build_packet(uow, LIBRARY, uow.people.get(person_id), now=NOW)
    markdown = render_markdown(packet)
    assert f"(version {FRAMEWORK.version})" in markdown
    assert "- Manager: **Consistently** (2025-03-09) — Well done" in markdown
    assert "- Self: **Sometimes** (2025-03-09)" in markdown
    assert "— Well done · judged against ladder version 1" in markdown  # each judgement names its ladder version
    assert markdown.index("_(cited)_ Cited work") < markdown.index("Older, not cited")
    assert "**disputed: doesn't show this** (Not this one) Disputed work" in markdown
    assert "## Readiness for the next level" in markdown
    assert "blind" not in markdown  # an open check-in's verdict, read by nobody's own right
    delivery = next(a for a in packet.areas if a.area_id == "delivery")
    assert delivery.covered == 1  # the disputed item does not count


def test_the_person_sees_their_own_blind_verdict_and_csv_json_carry_the_same(db: Database) -> None:
    person_id, ids = _seed(db)
    with db.uow() as uow:
        packet = build_packet(uow, LIBRARY, uow.people.get(person_id), now=NOW, viewer=Rater.SELF)
    assert "blind" in render_markdown(packet)
    data = json.loads(render_json(packet))
    assert data["ladder_version"] == FRAMEWORK.version and data["readiness"]
    behaviours = {b["behaviour_id"]: b for a in data["areas"] for b in a["behaviours"]}
    assert behaviours[B1]["manager_verdict"]["comment"] == "Well done"
    assert [e["id"] for e in behaviours[B1]["evidence"]] == [ids["cited"], ids["older"]]
    assert behaviours[B1]["evidence"][0]["cited"] is True
    assert behaviours[B2]["evidence"][0]["disputed"] is True
    rows = list(csv.DictReader(io.StringIO(render_csv(packet))))
    cited = next(r for r in rows if r["evidence_id"] == str(ids["cited"]))
    assert (cited["manager_verdict"], cited["cited"], cited["self_verdict"]) == ("consistently", "yes", "sometimes")
    disputed = next(r for r in rows if r["evidence_id"] == str(ids["disputed"]))
    assert (disputed["disputed"], disputed["dispute_comment"]) == ("yes", "Not this one")
