"""What each evidence form and `/ladder log` stores (bot.services.capturing), on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.services import capturing
from bot.services.actor import Actor
from bot.services.evidence import Captured, NotSetUp
from bot.services.evidence_forms import NotYours
from storage.models import PromptState
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, add_evidence, add_prompt, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
REPORT = Actor("T1", "UREPORT")
OTHER = Actor("T1", "UOTHER")  # in growthbot, never set up
FLAKY = "quality-2-01"  # "Identifies and fixes flaky tests."
MENTOR = "mentoring-2-01"


@dataclass
class Prompted:
    report_id: int
    other_id: int
    prompt_id: int


def _prompted(db: Database) -> Prompted:
    """The report on the digest ladder at level 1, with a prompt about mentoring in their DM."""
    with db.uow() as uow:
        world = make_world(uow)
        prompt = add_prompt(uow, world.report_id, NOW - timedelta(hours=1), behaviour=MENTOR)
        prompt.channel_id, prompt.message_ts = "DREPORT", "100.1"
        return Prompted(world.report_id, world.outsider_id, prompt.id)


def _tags(captured: Captured) -> list[str]:
    return [tag.behaviour_id for tag in captured.tags]


def test_the_actors_ladder_or_not_set_up(db: Database) -> None:
    _prompted(db)
    ladder = capturing.actor_ladder(db.uow, LIBRARY, REPORT)
    assert ladder.framework.id == LADDER_ID and ladder.levels["quality"] == "1"
    with pytest.raises(NotSetUp):
        capturing.actor_ladder(db.uow, LIBRARY, OTHER)


def test_log_text_is_auto_tagged_once_per_command(db: Database) -> None:
    _prompted(db)
    first = capturing.log_text(db.uow, LIBRARY, REPORT, text="Fixed flaky tests", trigger_id="trig", now=NOW).captured
    again = capturing.log_text(db.uow, LIBRARY, REPORT, text="Fixed flaky tests", trigger_id="trig", now=NOW).captured
    assert first.created and first.auto_tagged and _tags(first) == [FLAKY]
    assert not again.created and again.evidence_id == first.evidence_id
    with pytest.raises(NotSetUp):
        capturing.log_text(db.uow, LIBRARY, OTHER, text="anything", trigger_id="t2", now=NOW)


def test_the_modal_answers_only_the_actors_own_prompt(db: Database) -> None:
    prompted = _prompted(db)

    def add(token: str, prompt_id: int | None) -> capturing.Added:
        return capturing.add_from_modal(
            db.uow, LIBRARY, REPORT, token=token, text="Paired", link=None,
            behaviour_ids=[MENTOR], prompt_id=prompt_id, now=NOW,
        )  # fmt: skip

    with db.uow() as uow:
        theirs = add_prompt(uow, prompted.other_id, NOW - timedelta(hours=1)).id
    assert add("tok-1", theirs).prompt_id is None  # someone else's prompt id is ignored
    added = add("tok-2", prompted.prompt_id)
    assert added.prompt_id == prompted.prompt_id and _tags(added.captured) == [MENTOR]
    with db.uow() as uow:
        assert uow.prompts.get(prompted.prompt_id).state is PromptState.ANSWERED
        assert uow.prompts.get(theirs).state is PromptState.SENT


def test_a_saved_message_is_saved_once_and_retagged_when_saved_with_other_behaviours(db: Database) -> None:
    _prompted(db)

    def save(behaviour_ids: list[str]) -> capturing.SavedMessage:
        return capturing.save_message(
            db.uow, LIBRARY, REPORT, text="Mentored Sam", channel_id="C1", message_ts="5.5",
            author_id="UMANAGER", behaviour_ids=behaviour_ids, now=NOW,
        )  # fmt: skip

    first = save([MENTOR])
    same = save([MENTOR])
    other = save([FLAKY])
    assert first.captured.created and not first.retagged and _tags(first.captured) == [MENTOR]
    assert not same.captured.created and not same.retagged
    assert other.retagged and _tags(other.captured) == [FLAKY]
    assert first.captured.evidence_id == same.captured.evidence_id == other.captured.evidence_id


def test_retagging_only_the_actors_own_evidence(db: Database) -> None:
    prompted = _prompted(db)
    with db.uow() as uow:
        mine = add_evidence(uow, LIBRARY, prompted.report_id, "Mentored Sam", NOW, [MENTOR]).id
        theirs = add_evidence(uow, LIBRARY, prompted.other_id, "Not yours", NOW).id
    assert capturing.retag_evidence(db.uow, LIBRARY, REPORT, evidence_id=theirs, behaviour_ids=[FLAKY], now=NOW) == (
        NotYours()
    )
    retagged = capturing.retag_evidence(db.uow, LIBRARY, REPORT, evidence_id=mine, behaviour_ids=[FLAKY], now=NOW)
    assert isinstance(retagged, capturing.Retagged)
    assert _tags(retagged.captured) == [FLAKY] and retagged.own_dm == "DREPORT"


def test_a_reply_in_a_prompts_thread(db: Database) -> None:
    prompted = _prompted(db)

    def reply(actor: Actor, ts: str, thread_ts: str = "100.1") -> capturing.ThreadReply | None:
        return capturing.reply_in_thread(
            db.uow, LIBRARY, actor, channel_id="DREPORT", ts=ts, thread_ts=thread_ts, text="Paired", now=NOW
        )

    assert reply(REPORT, "101.1", thread_ts="99.9") is None  # not a prompt's thread
    assert reply(OTHER, "101.2") is None  # not their prompt
    stored = reply(REPORT, "101.3")
    assert stored is not None and stored.captured.created and stored.captured.prompt_id == prompted.prompt_id
    assert _tags(stored.captured) == [MENTOR] and stored.home is not None and stored.home.is_set_up
    again = reply(REPORT, "101.3")  # Slack delivered it twice
    assert again is not None and not again.captured.created and again.home is None
