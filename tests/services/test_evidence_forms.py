"""What the evidence modals open with (bot.services.evidence_forms), on both databases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.services import evidence_forms
from bot.services.actor import Actor
from bot.services.evidence import NotSetUp
from bot.services.evidence_forms import EvidenceForm, NotYours, RetagForm
from frameworks import Behaviour
from tests.conftest import Database
from tests.services.digest_data import add_evidence, add_prompt, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
REPORT = Actor("T1", "UREPORT")
OTHER = Actor("T1", "UOTHER")  # in growthbot, never set up
MENTOR = "mentoring-2-01"
FLAKY = "quality-2-01"


@dataclass
class Prompts:
    report_id: int
    other_id: int
    mine: int
    other_ladder: int  # the report's, from before a ladder change
    theirs: int  # the outsider's


def _prompts(db: Database) -> Prompts:
    with db.uow() as uow:
        world = make_world(uow)
        mine = add_prompt(uow, world.report_id, NOW - timedelta(hours=1), behaviour=MENTOR)
        old = add_prompt(uow, world.report_id, NOW - timedelta(weeks=1), behaviour="old-behaviour")
        old.framework_id = "retired-ladder"
        theirs = add_prompt(uow, world.outsider_id, NOW - timedelta(hours=1), behaviour=MENTOR)
        return Prompts(world.report_id, world.outsider_id, mine.id, old.id, theirs.id)


def _ids(behaviours: Iterable[Behaviour]) -> list[str]:
    return [b.id for b in behaviours]


def test_the_evidence_form_from_a_prompt_or_without_one(db: Database) -> None:
    prompts = _prompts(db)
    plain = evidence_forms.new_evidence_form(db.uow, LIBRARY, REPORT, None)
    assert isinstance(plain, EvidenceForm) and plain.prompt_behaviour is None and plain.selected is None
    prompted = evidence_forms.new_evidence_form(db.uow, LIBRARY, REPORT, prompts.mine)
    assert isinstance(prompted, EvidenceForm) and prompted.prompt_behaviour is not None
    assert prompted.prompt_behaviour.id == MENTOR
    older = evidence_forms.new_evidence_form(db.uow, LIBRARY, REPORT, prompts.other_ladder)
    assert isinstance(older, EvidenceForm) and older.prompt_behaviour is None  # not on their ladder now
    assert evidence_forms.new_evidence_form(db.uow, LIBRARY, REPORT, prompts.theirs) == NotYours()
    with pytest.raises(NotSetUp):
        evidence_forms.new_evidence_form(db.uow, LIBRARY, OTHER, None)


def test_the_form_as_the_person_types_keeps_their_picks(db: Database) -> None:
    prompts = _prompts(db)
    typed = evidence_forms.typed_evidence_form(db.uow, LIBRARY, REPORT, prompts.mine, [FLAKY, "no-such-behaviour"])
    assert typed.prompt_behaviour is not None and typed.prompt_behaviour.id == MENTOR
    assert typed.selected is not None and _ids(typed.selected) == [FLAKY]
    # Someone else's prompt id gives no prompted behaviour (and no hint that it exists).
    assert evidence_forms.typed_evidence_form(db.uow, LIBRARY, REPORT, prompts.theirs, []).prompt_behaviour is None


def test_the_retag_form_shows_only_the_actors_own_items(db: Database) -> None:
    prompts = _prompts(db)
    with db.uow() as uow:
        mine = add_evidence(uow, LIBRARY, prompts.report_id, "Paired with Sam", NOW, [MENTOR]).id
        theirs = add_evidence(uow, LIBRARY, prompts.other_id, "Not yours", NOW).id
    form = evidence_forms.retag_form(db.uow, LIBRARY, REPORT, mine)
    assert isinstance(form, RetagForm)
    assert (form.evidence_id, form.text, _ids(form.current)) == (mine, "Paired with Sam", [MENTOR])
    assert evidence_forms.retag_form(db.uow, LIBRARY, REPORT, theirs) == NotYours()
