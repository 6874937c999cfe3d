from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.services.actor import Actor
from bot.services.evidence import (
    EmptyEvidence,
    Ladder,
    NotSetUp,
    capture,
    command_key,
    evidence_stats,
    ladder_for,
    ladder_of_user,
    message_key,
    message_of_key,
    modal_key,
    owned_prompt,
    parse_id,
    retag,
    saved_message_key,
)
from storage.models import MAX_EVIDENCE_TEXT, EvidenceSource, FieldTooLong, PromptState
from storage.uow import UnitOfWork
from tests.conftest import Database
from tests.delivery.world import LADDER, TEAM, World, make_world

NOW = datetime(2024, 1, 10, 12, 0)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def ladder(uow: UnitOfWork, world: World, user_id: str = "U1") -> Ladder:
    return ladder_of_user(uow, world.deps.library, Actor(TEAM, user_id))


def test_capture_is_idempotent_by_source_key(world: World) -> None:
    pid = world.person("U1")
    with world.deps.uow() as uow:
        first = capture(uow, ladder(uow, world), text="did a thing", source=EvidenceSource.MODAL,
                        source_key=modal_key("tok"), now=NOW)  # fmt: skip
        again = capture(uow, ladder(uow, world), text="did a thing", source=EvidenceSource.MODAL,
                        source_key=modal_key("tok"), now=NOW)  # fmt: skip
    assert first.created and not again.created and first.evidence_id == again.evidence_id
    with world.deps.uow() as uow:
        assert len(uow.evidence.all_for(pid)) == 1


def test_concurrent_deliveries_store_once(world: World) -> None:
    pid = world.person("U1")
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def deliver() -> None:
        barrier.wait()
        with world.deps.uow() as uow:
            captured = capture(uow, ladder(uow, world), text="reply", source=EvidenceSource.PROMPT_REPLY,
                               source_key=message_key("T", "D1", "1.000100"), now=NOW)  # fmt: skip
            results.append(captured.created)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    with world.deps.uow() as uow:
        assert len(uow.evidence.all_for(pid)) == 1


def test_text_is_stored_exactly_and_tags_snapshot_the_ladder(world: World) -> None:
    world.person("U1")
    text = "  <b>Ran</b> the retro & fixed <!here> alerts\n\ttabs kept  "
    with world.deps.uow() as uow:
        mine = ladder(uow, world)
        target = mine.milestone[0]
        captured = capture(uow, mine, text=text, source=EvidenceSource.MODAL, source_key="modal:x", now=NOW,
                           behaviour_ids=[target.id, "no-such-behaviour", target.id])  # fmt: skip
        evidence = uow.evidence.get(captured.evidence_id)
        assert evidence is not None and evidence.text == text
        [tag] = evidence.tags
        framework = world.deps.library[LADDER]
        assert (tag.behaviour_id, tag.behaviour_text, tag.framework_version) == (
            target.id,
            target.text,
            framework.version,
        )
        assert (tag.area_id, tag.level_id) == (target.area_id, target.level_id)
    assert captured.tags[0].label.endswith(target.text)


def test_empty_text_is_refused(world: World) -> None:
    world.person("U1")
    with world.deps.uow() as uow, pytest.raises(EmptyEvidence):
        capture(uow, ladder(uow, world), text=" \n\t", source=EvidenceSource.MODAL, source_key="modal:e", now=NOW)


def test_too_long_text_stores_nothing(world: World) -> None:
    pid = world.person("U1")
    with pytest.raises(FieldTooLong) as raised, world.deps.uow() as uow:
        capture(uow, ladder(uow, world), text="x" * (MAX_EVIDENCE_TEXT + 1), source=EvidenceSource.COMMAND,
                source_key=command_key("T", "trig"), now=NOW)  # fmt: skip
    assert raised.value.field == "text" and "10,000" in str(raised.value)
    with world.deps.uow() as uow:
        assert uow.evidence.all_for(pid) == []


def test_auto_tag_picks_the_best_matching_next_milestone_behaviour(world: World) -> None:
    world.person("U1")
    with world.deps.uow() as uow:
        mine = ladder(uow, world)
        target = mine.milestone[-1]
        captured = capture(uow, mine, text=f"This week: {target.text.lower()}", source=EvidenceSource.COMMAND,
                           source_key="cmd:T:1", now=NOW, auto_tag=True)  # fmt: skip
    assert captured.auto_tagged and [t.behaviour_id for t in captured.tags] == [target.id]


def test_answering_a_prompt_and_retagging(world: World) -> None:
    pid = world.person("U1")
    world.tick(datetime(2024, 1, 8, 9, 0))
    with world.deps.uow() as uow:
        owned = owned_prompt(uow, Actor(TEAM, "U1"), uow.prompts.all_for(pid)[0].id)
        assert owned is not None
        _, prompt = owned
        mine = ladder(uow, world)
        captured = capture(uow, mine, text="reply", source=EvidenceSource.PROMPT_REPLY, source_key="msg:1",
                           now=NOW, behaviour_ids=prompt.behaviour_ids, prompt=prompt)  # fmt: skip
        assert prompt.state is PromptState.ANSWERED and prompt.next_attempt_at is None
        other = next(b for b in mine.milestone if b.id not in prompt.behaviour_ids)
        evidence = uow.evidence.get(captured.evidence_id)
        assert evidence is not None
        changed = retag(uow, mine, evidence, [other.id, "bogus"], NOW)
        assert [t.behaviour_id for t in changed.tags] == [other.id]
        stats = evidence_stats(uow, pid, LADDER, [other.id, prompt.behaviour_ids[0]])
        assert stats[other.id].count == 1 and stats[prompt.behaviour_ids[0]].count == 0


def test_ownership_checks(world: World) -> None:
    pid = world.person("U1")
    world.person("U2")
    world.tick(datetime(2024, 1, 8, 9, 0))
    with world.deps.uow() as uow:
        prompt_id = uow.prompts.all_for(pid)[0].id
        assert owned_prompt(uow, Actor(TEAM, "U1"), prompt_id) is not None
        assert owned_prompt(uow, Actor(TEAM, "U2"), prompt_id) is None
        assert owned_prompt(uow, Actor("TOTHER", "U1"), prompt_id) is None
        assert owned_prompt(uow, Actor(TEAM, "U1"), None) is None
        mine = ladder(uow, world, "U1")
        theirs = ladder(uow, world, "U2")
        captured = capture(uow, mine, text="x", source=EvidenceSource.MODAL, source_key="modal:o", now=NOW)
        evidence = uow.evidence.get(captured.evidence_id)
        assert evidence is not None
        with pytest.raises(ValueError):
            retag(uow, theirs, evidence, [], NOW)


def test_not_set_up(world: World) -> None:
    with world.deps.uow() as uow:
        with pytest.raises(NotSetUp):
            ladder_of_user(uow, world.deps.library, Actor(TEAM, "UNKNOWN"))
        workspace = uow.workspaces.get_or_create(TEAM)
        person = uow.people.add(workspace.id, "U9")
        assert ladder_for(uow, world.deps.library, person) is None


def test_keys_and_ids() -> None:
    assert message_key("T1", "D1", "1.2") == "msg:T1:D1:1.2"
    assert message_of_key(message_key("T1", "D1", "1.2")) == ("D1", "1.2")
    assert message_of_key("cmd:T1:trigger") is None and message_of_key(None) is None
    assert saved_message_key("T1", "C1", "1.2", "U1") != saved_message_key("T1", "C1", "1.2", "U2")
    assert [parse_id(v) for v in ("12", 12, "0", "-3", "x", None, True, "9" * 30)] == [12, 12, None, None, None,
                                                                                         None, None, None]  # fmt: skip


def test_auto_tag_with_an_empty_next_milestone_prefers_the_current_level(world: World) -> None:
    # luko-execution's Milestone 5 lists nothing: like the weekly prompt, tagging falls back to Milestone 4
    # rather than letting a Milestone 1 wording win.
    world.person("U1", level="4")
    with world.deps.uow() as uow:
        mine = ladder(uow, world)
        assert mine.milestone == ()
        low = next(b for b in mine.framework.behaviours if b.level_id == "1")
        captured = capture(uow, mine, text=low.text, source=EvidenceSource.COMMAND, source_key="cmd:T:2", now=NOW,
                           auto_tag=True)  # fmt: skip
        [tag] = captured.tags
        assert mine.framework.behaviour(tag.behaviour_id).level_id == "4"


def test_a_reply_counts_only_in_the_thread_of_ones_own_sent_prompt(world: World) -> None:
    from bot.services.evidence import capture_prompt_reply

    pid = world.person("U1")
    world.person("U2")
    world.tick(datetime(2024, 1, 8, 9, 0))
    with world.deps.uow() as uow:
        [prompt] = uow.prompts.all_for(pid)
        assert prompt.channel_id and prompt.message_ts
        where = {"channel_id": prompt.channel_id, "thread_ts": prompt.message_ts, "text": "Ran the review", "now": NOW}
        assert capture_prompt_reply(uow, world.deps.library, Actor(TEAM, "U2"), ts="1.1", **where) is None
        assert capture_prompt_reply(uow, world.deps.library, Actor(TEAM, "U1"), ts="1.2",
                                    **{**where, "thread_ts": "9.9"}) is None  # fmt: skip
        captured = capture_prompt_reply(uow, world.deps.library, Actor(TEAM, "U1"), ts="1.3", **where)
        assert captured is not None and captured.created and captured.prompt_id == prompt.id
        assert [tag.behaviour_id for tag in captured.tags] == prompt.behaviour_ids
        assert prompt.state is PromptState.ANSWERED
        prompt.state = PromptState.CLAIMED  # a prompt still being sent takes no answers yet
        assert capture_prompt_reply(uow, world.deps.library, Actor(TEAM, "U1"), ts="1.4", **where) is None
