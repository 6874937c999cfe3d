"""Disputes and the quick sign-off, on both backends: who may, what a forged id gets, idempotence, and
that a disputed tag stops counting everywhere coverage is computed while staying visible."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import data_rights, disputes, signoff
from bot.services.actor import Actor
from bot.services.digests import build_digest
from storage.models import Person, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, add_evidence, fake_slack_deps, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
BEHAVIOUR = "delivery-2-01"


def _actor(slack_id: str) -> Actor:
    return Actor("T1", slack_id)


def _seed(db: Database):  # type: ignore[no-untyped-def]
    with db.uow() as uow:
        world = make_world(uow)
        item = add_evidence(uow, LIBRARY, world.report_id, "Shipped <!channel>", NOW - timedelta(days=1), [BEHAVIOUR])
        other = add_evidence(uow, LIBRARY, world.report_id, "Reviewed", NOW - timedelta(days=2), [BEHAVIOUR])
        return world, item.id, other.id


def test_dispute_is_compare_and_set_and_the_tag_stops_counting_but_stays_shown(db: Database) -> None:
    world, item_id, other_id = _seed(db)
    with fake_slack_deps(db, LIBRARY) as (deps, _):
        deps.now = lambda: NOW
        first = disputes.dispute(
            deps,
            _actor("UMANAGER"),
            person_id=world.report_id,
            behaviour_id=BEHAVIOUR,
            evidence_ids=[item_id],
            comment="  not really  ",
        )
        again = disputes.dispute(
            deps,
            _actor("UMANAGER"),
            person_id=world.report_id,
            behaviour_id=BEHAVIOUR,
            evidence_ids=[item_id],
            comment="changed my mind",
        )
    assert isinstance(first, disputes.Disputed) and first.newly and first.comment == "not really"
    assert isinstance(again, disputes.Disputed) and not again.newly  # nothing to tell twice
    with db.uow() as uow:
        tag = uow.evidence.get(item_id).tags[0]
        assert (tag.dispute_comment, tag.disputed_by_id) == ("not really", world.manager_id)
        assert uow.evidence.behaviour_stats(world.report_id, LADDER_ID)[BEHAVIOUR].count == 1
        assert uow.evidence.coverage(world.report_id, LADDER_ID, [BEHAVIOUR])[BEHAVIOUR].count == 1
        assert uow.evidence.coverage_for_people([world.report_id])[world.report_id][(LADDER_ID, BEHAVIOUR)].count == 1
        assert [a.action for a in uow.audit.for_subject("UREPORT")].count("disputed_evidence") == 1
        report, manager = uow.session.get(Person, world.report_id), uow.session.get(Person, world.manager_id)
        content = build_digest(uow, LIBRARY, (manager, report), NOW - timedelta(days=7), NOW)
        shown = [i.id for a in content.new_evidence for b in a.behaviours for i in b.items]
        assert item_id in shown and other_id in shown  # shown, never hidden
        assert content.talking_points[0].kind == "disputed"


def test_only_the_current_manager_may_dispute_or_sign_off_and_forged_ids_are_refused(db: Database) -> None:
    world, item_id, _ = _seed(db)
    with db.uow() as uow:
        stranger = add_evidence(uow, LIBRARY, world.outsider_id, "Olive's", NOW, [BEHAVIOUR])
    cases = [
        ("UOTHER", world.report_id, BEHAVIOUR, [item_id]),
        ("UREPORT", world.report_id, BEHAVIOUR, [item_id]),
        ("UADMIN", world.report_id, BEHAVIOUR, [item_id]),
        ("UMANAGER", world.report_id, "no-such-behaviour", [item_id]),
        ("UMANAGER", world.report_id, "delivery-2-02", [item_id]),  # the item is not tagged with it
        ("UMANAGER", world.report_id, BEHAVIOUR, [stranger.id]),
        ("UMANAGER", 999_999, BEHAVIOUR, [item_id]),
        ("UMANAGER", None, None, []),
    ]
    with fake_slack_deps(db, LIBRARY) as (deps, _):
        for slack_id, person_id, behaviour_id, ids in cases:
            actor = _actor(slack_id)
            assert isinstance(
                disputes.dispute(
                    deps, actor, person_id=person_id, behaviour_id=behaviour_id, evidence_ids=ids, comment=None
                ),
                disputes.NotAvailable,
            ), slack_id
            assert isinstance(
                signoff.sign_off(
                    deps,
                    actor,
                    person_id=person_id,
                    behaviour_id=behaviour_id,
                    evidence_ids=ids,
                    verdict=Verdict.CONSISTENTLY,
                    message_key="D1:1.0",
                ),
                disputes.NotAvailable,
            ), slack_id
    with db.uow() as uow:
        assert uow.assessments.all_for(world.report_id) == []
        assert uow.evidence.get(item_id).tags[0].disputed_at is None


def test_sign_off_stores_once_per_message_and_a_former_manager_keeps_their_verdicts_but_loses_access(
    db: Database,
) -> None:
    world, item_id, other_id = _seed(db)
    with fake_slack_deps(db, LIBRARY) as (deps, _):
        deps.now = lambda: NOW
        kwargs = dict(person_id=world.report_id, behaviour_id=BEHAVIOUR, evidence_ids=[item_id, other_id])
        first = signoff.sign_off(deps, _actor("UMANAGER"), verdict=Verdict.SOMETIMES, message_key="D1:1.0", **kwargs)
        retry = signoff.sign_off(deps, _actor("UMANAGER"), verdict=Verdict.SOMETIMES, message_key="D1:1.0", **kwargs)
        assert isinstance(first, signoff.SignedOff) and first.created
        assert isinstance(retry, signoff.SignedOff) and not retry.created
        assert first.verdict.evidence_ids == tuple(sorted([item_id, other_id]))
        with db.uow() as uow:
            uow.managers.end(uow.managers.active_link_of(world.report_id), NOW)
        later = signoff.sign_off(deps, _actor("UMANAGER"), verdict=Verdict.CONSISTENTLY, message_key="D1:2.0", **kwargs)
        assert isinstance(later, disputes.NotAvailable)
    with db.uow() as uow:
        rows = uow.assessments.all_for(world.report_id)
        assert [(r.rater, r.verdict, r.rater_id) for r in rows] == [
            (Rater.MANAGER, Verdict.SOMETIMES, world.manager_id)
        ]


def test_export_includes_verdicts_and_forget_removes_them(db: Database) -> None:
    world, item_id, _ = _seed(db)
    with fake_slack_deps(db, LIBRARY) as (deps, _):
        deps.now = lambda: NOW
        signoff.sign_off(
            deps,
            _actor("UMANAGER"),
            person_id=world.report_id,
            behaviour_id=BEHAVIOUR,
            evidence_ids=[item_id],
            verdict=Verdict.CONSISTENTLY,
            message_key="D1:1.0",
        )
        disputes.dispute(
            deps,
            _actor("UMANAGER"),
            person_id=world.report_id,
            behaviour_id=BEHAVIOUR,
            evidence_ids=[item_id],
            comment="hmm",
        )
    with db.uow() as uow:
        person = uow.session.get(Person, world.report_id)
        exported = data_rights.export_person(uow, person, actor="UADMIN", now=NOW)
        assert [(a["verdict"], a["rater"], a["evidence_ids"]) for a in exported["assessments"]] == [
            ("consistently", "manager", [item_id])
        ]
        assert exported["assessments"][0]["rater_slack_id"] == "UMANAGER"
        assert exported["checkins"] == []
        tags = [t for e in exported["evidence"] for t in e["tags"] if t["dispute_comment"]]
        assert tags and tags[0]["dispute_comment"] == "hmm"
    with db.uow() as uow:
        report = data_rights.delete_person_data(uow, uow.session.get(Person, world.report_id), actor="UREPORT", now=NOW)
        assert report.assessments == 1
    with db.uow() as uow:
        assert uow.assessments.all_for(world.report_id) == []
        assert uow.checkins.for_person(world.report_id) == []


def test_changing_ones_mind_back_on_the_same_message_stores_the_last_choice(db: Database) -> None:
    world, item_id, _ = _seed(db)
    with fake_slack_deps(db, LIBRARY) as (deps, _):
        for step, verdict in enumerate((Verdict.CONSISTENTLY, Verdict.SOMETIMES, Verdict.CONSISTENTLY)):
            deps.now = lambda step=step: NOW + timedelta(minutes=step)
            for _retry in range(2):
                signoff.sign_off(
                    deps,
                    _actor("UMANAGER"),
                    person_id=world.report_id,
                    behaviour_id=BEHAVIOUR,
                    evidence_ids=[item_id],
                    verdict=verdict,
                    message_key="D1:1.0",
                )
    with db.uow() as uow:
        rows = uow.assessments.all_for(world.report_id)
        assert [r.verdict for r in rows] == [Verdict.CONSISTENTLY, Verdict.SOMETIMES, Verdict.CONSISTENTLY]
