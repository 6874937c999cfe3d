"""End to end through the fake Slack: the weekly prompt at the right local time on both sides of a DST
change, its buttons, the evidence modal, thread replies, the message shortcut, `/ladder log`, retries."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import text

from bot.delivery.confirmations import confirm_unconfirmed
from bot.delivery.tick import run_tick
from bot.ids import Callback, EvidenceAction, EvidenceBlock, PromptAction
from bot.scheduler import tick as scheduler_tick
from bot.services import prompt_controls
from bot.services.evidence import capture, ladder_for, message_key
from storage.models import MAX_EVIDENCE_TEXT, Evidence, EvidenceSource, Prompt, PromptState
from tests.listeners.harness import Harness, message_text

# Paris switches to summer time on Sunday 31 March 2024.
SET_UP_AT = datetime(2024, 3, 20, 12, 0)
SLOT_WINTER = datetime(2024, 3, 25, 9, 0)  # Monday 10:00 CET
SLOT_SUMMER = datetime(2024, 4, 1, 8, 0)  # Monday 10:00 CEST


def seed(harness: Harness, user_id: str = "U1", **kw: Any) -> int:
    harness.set_now(SET_UP_AT)
    person_id = harness.seed_person(user_id, **kw)
    with harness.deps.uow() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        prompt_controls.resume(uow, person, SET_UP_AT)  # next slot from the simulated clock
    return person_id


def tick(harness: Harness, moment: datetime) -> dict[str, int]:
    harness.set_now(moment)
    return dict(run_tick(harness.deps, instance_id="e2e").counts)


def dm(harness: Harness, user_id: str) -> list[dict[str, Any]]:
    channel = harness.fake.dm_channel_for(user_id)
    return [m for m in harness.fake.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


def prompts(harness: Harness, person_id: int) -> list[Prompt]:
    with harness.deps.uow() as uow:
        return list(uow.prompts.all_for(person_id))


def evidence(harness: Harness, person_id: int) -> list[Evidence]:
    with harness.deps.uow() as uow:
        return list(uow.evidence.all_for(person_id))


def prompt_message(harness: Harness, user_id: str = "U1") -> dict[str, Any]:
    [message] = dm(harness, user_id)[-1:]
    return message


def click(harness: Harness, user_id: str, action_id: str, message: dict[str, Any], **kw: Any) -> Any:
    value = None
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                value = element.get("value")
    return harness.action(user_id, action_id, value, message=message, **kw)


def sent_prompt(harness: Harness) -> tuple[int, dict[str, Any]]:
    person_id = seed(harness)
    assert tick(harness, SLOT_WINTER)["sent"] == 1
    return person_id, prompt_message(harness)


def test_prompt_arrives_at_ten_local_on_both_sides_of_dst(harness: Harness) -> None:
    person_id = seed(harness)
    assert tick(harness, SLOT_WINTER - timedelta(minutes=1)).get("sent", 0) == 0
    assert tick(harness, SLOT_WINTER)["sent"] == 1
    assert tick(harness, SLOT_SUMMER - timedelta(minutes=1)).get("sent", 0) == 0
    assert tick(harness, SLOT_SUMMER)["sent"] == 1
    messages = dm(harness, "U1")
    assert len(messages) == 2
    first, second = prompts(harness, person_id)
    assert (first.due_at, second.due_at) == (SLOT_WINTER, SLOT_SUMMER)
    assert first.behaviour_ids != second.behaviour_ids
    text = message_text(messages[0])
    behaviour = harness.library["luko-execution"].behaviour(first.behaviour_ids[0])
    assert behaviour.text in text and "Milestone 2" in text
    # The newest prompt is the live one; the unanswered one before it lost its buttons.
    assert _action_ids(messages[0]) == [] and "newer prompt arrived" in text
    actions = _action_ids(messages[1])
    assert actions == [
        PromptAction.ADD_EVIDENCE,
        PromptAction.NOTHING_THIS_WEEK,
        PromptAction.SNOOZE,
        PromptAction.PAUSE,
    ]


def test_add_evidence_modal_answers_the_prompt_once(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    [prompt] = prompts(harness, person_id)
    click(harness, "U1", PromptAction.ADD_EVIDENCE, message)
    view = harness.fake.opened_views[-1]
    assert view["callback_id"] == Callback.EVIDENCE
    select = next(b for b in view["blocks"] if b.get("block_id") == EvidenceBlock.BEHAVIOURS)["element"]
    assert [o["value"] for o in select["initial_options"]] == prompt.behaviour_ids
    options = [o for g in select["option_groups"] for o in g["options"]]
    assert len(options) <= 100 and len({o["value"] for o in options}) == len(options)
    assert select["option_groups"][0]["label"]["text"] == "Suggested"
    # The prompted behaviour, then five suggestions besides it.
    suggested = [o["value"] for o in select["option_groups"][0]["options"]]
    assert len(suggested) == 6 and suggested[0] == prompt.behaviour_ids[0] and len(set(suggested)) == 6

    empty = harness.submit("U1", view, _state("   "))
    assert empty.json()["response_action"] == "errors" and EvidenceBlock.TEXT in empty.json()["errors"]

    text = "Led the <b>incident</b> review & wrote it up"
    state = _state(text, link="https://example.com/review", behaviours=prompt.behaviour_ids)
    assert harness.submit("U1", view, state).status == 200
    assert harness.submit("U1", view, state).status == 200  # a double click
    [saved] = evidence(harness, person_id)
    assert saved.text == text and saved.link == "https://example.com/review"
    assert saved.prompt_id == prompt.id and saved.source is EvidenceSource.MODAL
    assert [t.behaviour_id for t in saved.tags] == prompt.behaviour_ids
    assert prompts(harness, person_id)[0].state is PromptState.ANSWERED
    updated = prompt_message(harness)
    assert "Answered" in message_text(updated) and "actions" not in json.dumps(updated["blocks"])
    assert "U1" in harness.fake.views_published
    # Answered: no reminder two days later.
    assert tick(harness, SLOT_WINTER + timedelta(days=2)).get("reminded", 0) == 0


def test_nothing_this_week(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    click(harness, "U1", PromptAction.NOTHING_THIS_WEEK, message)
    assert prompts(harness, person_id)[0].state is PromptState.SKIPPED
    assert "Nothing this week" in message_text(prompt_message(harness))
    assert tick(harness, SLOT_WINTER + timedelta(days=3)).get("reminded", 0) == 0


def test_snooze_brings_the_prompt_back_tomorrow_once(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    harness.set_now(SLOT_WINTER + timedelta(minutes=10))
    click(harness, "U1", PromptAction.SNOOZE, message)
    assert "Snoozed" in message_text(prompt_message(harness))
    assert tick(harness, SLOT_WINTER + timedelta(hours=23)).get("reminded", 0) == 0
    assert tick(harness, SLOT_WINTER + timedelta(days=1, minutes=10))["reminded"] == 1
    assert tick(harness, SLOT_WINTER + timedelta(days=3)).get("reminded", 0) == 0
    [prompt] = prompts(harness, person_id)
    thread = harness.fake.thread(harness.fake.dm_channel_for("U1"), prompt.message_ts or "")
    assert sum("A nudge, in case this got buried" in m["text"] for m in thread) == 1


def test_pause_then_resume(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    click(harness, "U1", PromptAction.PAUSE, message)
    paused = prompt_message(harness)
    assert "paused" in message_text(paused)
    assert tick(harness, SLOT_SUMMER).get("sent", 0) == 0
    assert tick(harness, SLOT_WINTER + timedelta(days=2)).get("reminded", 0) == 0
    harness.set_now(SLOT_SUMMER + timedelta(hours=1))
    click(harness, "U1", PromptAction.RESUME, paused)
    assert "Prompts resumed" in harness.last_ephemeral_text("U1")
    assert tick(harness, SLOT_SUMMER + timedelta(days=7))["sent"] == 1
    assert [p.state for p in prompts(harness, person_id)][-1] is PromptState.SENT


def test_pause_until_a_date_from_the_datepicker(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    click(harness, "U1", PromptAction.PAUSE, message)
    paused = prompt_message(harness)
    harness.action(
        "U1", PromptAction.RESUME_ON, None, message=paused, action={"type": "datepicker", "selected_date": "2024-04-10"}
    )
    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and schedule.paused and schedule.paused_until == datetime(2024, 4, 9, 22, 0)
        assert schedule.next_due_at == datetime(2024, 4, 15, 8, 0)
    assert "until Wednesday 10 April" in message_text(prompt_message(harness))


def test_buttons_refuse_someone_elses_prompt(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    seed(harness, "U2")
    for action_id in (PromptAction.NOTHING_THIS_WEEK, PromptAction.SNOOZE, PromptAction.PAUSE):
        click(harness, "U2", action_id, message)
    assert prompts(harness, person_id)[0].state is PromptState.SENT
    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and not schedule.paused
    assert "not available to you" in harness.last_ephemeral_text("U2")
    views_before = len(harness.fake.opened_views)
    click(harness, "U2", PromptAction.ADD_EVIDENCE, message)
    assert len(harness.fake.opened_views) == views_before


def test_thread_reply_becomes_evidence_once_with_reaction_and_retag(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    [prompt] = prompts(harness, person_id)
    channel = harness.fake.dm_channel_for("U1")
    reply = "Paired with the new joiner on <!channel> alerts & runbooks"
    response = harness.requests.message_event("U1", reply, thread_ts=message["ts"])
    harness.settle()
    assert response.status == 200
    # Slack sends what was typed escaped; the stored evidence is the typed text.
    assert response.sent["event"]["text"] == "Paired with the new joiner on &lt;!channel&gt; alerts &amp; runbooks"
    [saved] = evidence(harness, person_id)
    assert saved.text == reply and saved.source is EvidenceSource.PROMPT_REPLY and saved.prompt_id == prompt.id
    assert [t.behaviour_id for t in saved.tags] == prompt.behaviour_ids
    assert [r.name for r in harness.fake.reactions] == ["white_check_mark"]
    notes = [m for m in harness.fake.thread(channel, message["ts"]) if m.get("bot_id") and m["ts"] != message["ts"]]
    assert len(notes) == 1 and "Saved as evidence" in message_text(notes[0])
    assert "<!channel>" not in json.dumps([m for m in harness.fake.messages(channel) if m.get("bot_id")])

    # Slack redelivers the same event: nothing new.
    sent = response.sent["event"]
    harness.event(sent, event_id=response.sent["event_id"], retry_num=1)
    assert len(evidence(harness, person_id)) == 1
    notes = [m for m in harness.fake.thread(channel, message["ts"]) if m.get("bot_id") and m["ts"] != message["ts"]]
    assert len(notes) == 1

    # Change the tag from the threaded note.
    other = next(b for b in harness.next_behaviour_ids("U1") if b not in prompt.behaviour_ids)
    click(harness, "U1", EvidenceAction.RETAG, notes[0])
    view = harness.fake.opened_views[-1]
    assert view["callback_id"] == Callback.RETAG
    harness.submit("U1", view, {EvidenceBlock.BEHAVIOURS: _select([other])})
    assert [t.behaviour_id for t in evidence(harness, person_id)[0].tags] == [other]
    note = next(m for m in harness.fake.messages(channel) if m["ts"] == notes[0]["ts"])
    behaviour = harness.library["luko-execution"].behaviour(other)
    assert behaviour.text in message_text(note)


def test_thread_reply_is_stored_as_typed_and_shown_escaped_once(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    harness.requests.message_event("U1", "Fixed A & B for <script>", thread_ts=message["ts"])
    harness.settle()
    [saved] = evidence(harness, person_id)
    assert saved.text == "Fixed A & B for <script>"
    home = harness.home_text("U1")
    assert "Fixed A &amp; B for &lt;script&gt;" in home
    assert "&amp;amp;" not in home and "&amp;lt;" not in home


def test_a_real_mention_in_a_reply_is_kept_and_never_pings(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    # Slack's form: a picked mention is a real <@U2> token, the typed "&" arrives escaped.
    wire = "Reviewed <@U2>'s design &amp; pair-programmed"
    harness.requests.message_event("U1", wire, thread_ts=message["ts"], raw_text=True)
    harness.settle()
    [saved] = evidence(harness, person_id)
    assert saved.text == "Reviewed <@U2>'s design & pair-programmed"
    home = harness.home_text("U1")
    assert "Reviewed &lt;@U2&gt;'s design &amp; pair-programmed" in home and "<@U2>" not in home


def test_edits_bot_messages_and_plain_dms(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    channel = harness.fake.dm_channel_for("U1")
    edited = {"type": "message", "subtype": "message_changed", "channel": channel, "channel_type": "im",
              "ts": "1.1", "message": {"text": "edited", "user": "U1", "thread_ts": message["ts"]}}  # fmt: skip
    harness.event(edited)
    bot = {"type": "message", "bot_id": "B999", "user": "U999", "text": "beep", "channel": channel,
           "channel_type": "im", "ts": "1.2", "thread_ts": message["ts"]}  # fmt: skip
    harness.event(bot)
    assert evidence(harness, person_id) == []
    harness.requests.message_event("U1", "hello bot")
    harness.settle()
    assert "reply in the thread" in harness.last_ephemeral_text("U1")


def test_too_long_reply_is_echoed_back_and_not_stored(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    reply = "x" * (MAX_EVIDENCE_TEXT + 5) + " END"
    harness.requests.message_event("U1", reply, thread_ts=message["ts"])
    harness.settle()
    assert evidence(harness, person_id) == []
    channel = harness.fake.dm_channel_for("U1")
    answer = [m for m in harness.fake.thread(channel, message["ts"]) if m.get("bot_id") and m["ts"] != message["ts"]]
    text = message_text(answer[-1])
    assert "limit is 10,000" in text and "END" in text


def test_message_shortcut_saves_someone_elses_kudos(harness: Harness) -> None:
    person_id = seed(harness)
    harness.add_slack_user("U2", "pat")
    harness.fake.add_channel("C1", "general", ["U1", "U2"])
    kudos = "Huge thanks to <@U1> for untangling the deploy pipeline & estimations <3"
    # As Slack holds and sends it: the picked mention is a real token, the typed & and < are escaped.
    wire = "Huge thanks to <@U1> for untangling the deploy pipeline &amp; estimations &lt;3"
    ts = harness.fake.add_message("C1", "U2", wire)
    message = {"type": "message", "user": "U2", "text": wire, "ts": ts, "channel": "C1"}
    harness.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, message, raw_text=True)
    harness.settle()
    view = harness.fake.opened_views[-1]
    assert view["callback_id"] == Callback.SAVE_AS_EVIDENCE_CONFIRM
    shown = message_text(view)
    assert "&lt;@U1&gt;" in shown and "pipeline &amp; estimations &lt;3" in shown and "&amp;amp;" not in shown
    chosen = harness.next_behaviour_ids("U1")[:1]
    harness.submit("U1", view, {EvidenceBlock.BEHAVIOURS: _select(chosen)})
    # Re-delivered shortcut, and the modal submitted again: still one item.
    harness.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, message, raw_text=True)
    harness.settle()
    harness.submit("U1", harness.fake.opened_views[-1], {EvidenceBlock.BEHAVIOURS: _select(chosen)})
    [saved] = evidence(harness, person_id)
    assert saved.text == kudos and saved.author_slack_id == "U2" and saved.source is EvidenceSource.SHORTCUT
    harness.open_home("U1")
    assert "pipeline &amp; estimations &lt;3" in harness.home_text("U1")
    assert saved.link and "/archives/C1/p" in saved.link
    assert [t.behaviour_id for t in saved.tags] == chosen


def test_ladder_log_auto_tags_and_offers_to_change(harness: Harness) -> None:
    person_id = seed(harness)
    harness.command("U1", "log Provided accurate estimations for the billing migration tasks")
    text = harness.last_ephemeral_text("U1")
    assert "Saved as evidence for" in text and "Change tag" in text
    [saved] = evidence(harness, person_id)
    assert saved.source is EvidenceSource.COMMAND and len(saved.tags) == 1
    # No next-milestone behaviour shares a word with it; the ladder's clear match does (Milestone 1's
    # "Provides accurate estimations for simple tasks"), so it is tagged rather than a guess.
    assert saved.tags[0].behaviour_id == "delivery-1-01"
    # Change tag from the ephemeral confirmation (replaced through its response_url).
    confirmation = harness.last_ephemeral("U1")
    other = next(b for b in harness.next_behaviour_ids("U1") if b != saved.tags[0].behaviour_id)
    harness.action(
        "U1",
        EvidenceAction.RETAG,
        str(saved.id),
        message=confirmation,
        container={"type": "message", "message_ts": confirmation["ts"], "channel_id": "DU1", "is_ephemeral": True},
    )
    harness.submit("U1", harness.fake.opened_views[-1], {EvidenceBlock.BEHAVIOURS: _select([other])})
    assert [t.behaviour_id for t in evidence(harness, person_id)[0].tags] == [other]
    assert any(p.body.get("replace_original") and p.status == 200 for p in harness.fake.response_url_posts)


def test_ladder_log_without_text_opens_the_modal_and_long_text_is_echoed(harness: Harness) -> None:
    person_id = seed(harness)
    harness.command("U1", "log")
    assert harness.fake.opened_views[-1]["callback_id"] == Callback.EVIDENCE
    long_text = "y" * (MAX_EVIDENCE_TEXT + 1) + " tail"
    harness.command("U1", f"log {long_text}")
    assert evidence(harness, person_id) == []
    assert "tail" in harness.last_ephemeral_text("U1")


def test_retries_after_slack_errors_and_deactivated_people(harness: Harness) -> None:
    seed(harness, "U1")
    gone_id = seed(harness, "U2")
    harness.fake.deactivate("U2")
    harness.fake.fail_next("chat.postMessage", 503, times=20)
    first = tick(harness, SLOT_WINTER)
    assert first.get("sent", 0) == 0 and first["retry"] == 1 and first["inactive"] == 1
    harness.fake.clear_faults()
    assert tick(harness, SLOT_WINTER + timedelta(minutes=1))["sent"] == 1
    assert len(dm(harness, "U1")) == 1
    with harness.deps.uow() as uow:
        gone = uow.people.get(gone_id)
        assert gone is not None and not gone.active


def _state(text: str, *, link: str | None = None, behaviours: list[str] | None = None) -> dict[str, Any]:
    return {
        EvidenceBlock.TEXT: {EvidenceAction.TEXT: {"type": "plain_text_input", "value": text}},
        EvidenceBlock.LINK: {EvidenceAction.LINK: {"type": "url_text_input", "value": link}},
        EvidenceBlock.BEHAVIOURS: _select(behaviours or []),
    }


def _select(ids: list[str]) -> dict[str, Any]:
    return {
        EvidenceAction.BEHAVIOURS: {
            "type": "multi_static_select",
            "selected_options": [{"value": i, "text": {"type": "plain_text", "text": i}} for i in ids],
        }
    }


def test_pause_resume_and_skip_commands(harness: Harness) -> None:
    person_id = seed(harness)
    harness.set_now(SET_UP_AT)
    harness.command("U1", "skip")
    assert "next prompt comes Monday 1 April at 10:00" in harness.last_ephemeral_text("U1")
    assert tick(harness, SLOT_WINTER).get("sent", 0) == 0
    harness.set_now(SET_UP_AT)
    harness.command("U1", "pause until 2024-04-20")
    assert "paused until Saturday 20 April" in harness.last_ephemeral_text("U1")
    assert tick(harness, SLOT_SUMMER).get("sent", 0) == 0
    harness.command("U1", "pause until someday")
    assert "I need a date like" in harness.last_ephemeral_text("U1")
    harness.set_now(SLOT_SUMMER + timedelta(hours=1))
    harness.command("U1", "resume")
    assert "next one comes Monday 8 April at 10:00" in harness.last_ephemeral_text("U1")
    assert tick(harness, SLOT_SUMMER + timedelta(days=7))["sent"] == 1
    rows = prompts(harness, person_id)
    assert len([p for p in rows if p.sent_at is not None]) == 1
    # the skipped week is kept as a skipped prompt (so a later resume cannot bring it back), never sent
    assert [p.skip_reason for p in rows if p.sent_at is None] == ["skipped this week (/ladder skip)"]


def test_log_evidence_from_app_home(harness: Harness) -> None:
    person_id = seed(harness)
    harness.open_home("U1")
    home = harness.home("U1")
    harness.action("U1", "home_log_evidence", None, view=home)
    view = harness.fake.opened_views[-1]
    assert view["callback_id"] == Callback.EVIDENCE
    harness.submit("U1", view, _state("Wrote the on-call handbook"))
    [saved] = evidence(harness, person_id)
    assert saved.text == "Wrote the on-call handbook" and saved.prompt_id is None and len(saved.tags) == 1
    confirmation = dm(harness, "U1")[-1]
    assert "Saved as evidence for" in message_text(confirmation)


def test_typing_in_the_modal_reranks_suggestions_and_keeps_picks(harness: Harness) -> None:
    seed(harness)
    harness.command("U1", "log")
    view = harness.fake.opened_views[-1]
    milestone = harness.next_behaviour_ids("U1")
    framework = harness.library["luko-execution"]
    target = framework.behaviour(milestone[-1])
    picked = milestone[0]
    state = _state(f"I {target.text.lower()}", behaviours=[picked])
    harness.action("U1", EvidenceAction.TEXT, None, view=view, state_values=state)
    [updated] = harness.fake.updated_views[-1:]
    select = next(b for b in updated["blocks"] if b.get("block_id") == EvidenceBlock.BEHAVIOURS)["element"]
    suggested = [o["value"] for o in select["option_groups"][0]["options"]]
    assert suggested[0] == target.id and len(suggested) <= 5
    assert [o["value"] for o in select["initial_options"]] == [picked]


def _search(harness: Harness, view: dict[str, Any], typed: str, user_id: str = "U1") -> list[dict[str, Any]]:
    response = harness.requests.block_suggestion(user_id, EvidenceAction.SEARCH, typed, view=view)
    assert response.status == 200
    return response.json()["option_groups"]


def test_whole_ladder_search_finds_and_tags_any_behaviour_of_a_big_ladder(harness: Harness) -> None:
    # attest-engineering has ~290 behaviours: more than a static select's 100 options.
    person_id = seed(harness, framework_id="attest-engineering", level="I")
    framework = harness.library["attest-engineering"]
    assert framework.behaviour_count > 100
    harness.command("U1", "log")
    view = harness.fake.opened_views[-1]
    listed = {
        o["value"]
        for b in view["blocks"]
        if b.get("block_id") == EvidenceBlock.BEHAVIOURS
        for g in b["element"]["option_groups"]
        for o in g["options"]
    }
    search = next(b for b in view["blocks"] if b.get("block_id") == EvidenceBlock.SEARCH)["element"]
    assert search["type"] == "multi_external_select" and search["min_query_length"] == 0

    groups = _search(harness, view, "postmortem")
    found = [o for g in groups for o in g["options"]]
    assert found and all(len(o["text"]["text"]) <= 75 for o in found)
    picked = found[0]["value"]
    behaviour = framework.behaviour(picked)
    assert "post mortem" in behaviour.text.lower() and behaviour.level_id == "V"
    assert picked not in listed  # only reachable through the search
    assert groups[0]["label"]["text"] == framework.area(behaviour.area_id).name

    everything = [o for g in _search(harness, view, "") for o in g["options"]]
    assert len(everything) == 100 and len({o["value"] for o in everything}) == 100
    assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in everything)

    state = _state("Ran the post mortem of Tuesday's outage")
    state[EvidenceBlock.SEARCH] = {
        EvidenceAction.SEARCH: {"type": "multi_external_select", "selected_options": [found[0]]}
    }
    assert harness.submit("U1", view, state).status == 200
    [saved] = evidence(harness, person_id)
    assert [t.behaviour_id for t in saved.tags] == [picked]


def test_whole_ladder_search_is_empty_for_someone_not_set_up(harness: Harness) -> None:
    seed(harness)
    harness.command("U1", "log")
    view = harness.fake.opened_views[-1]
    response = harness.requests.block_suggestion("U9", EvidenceAction.SEARCH, "review", view=view)
    assert response.status == 200 and response.json() == {"options": []}


def _action_ids(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] for e in b.get("elements") or [] if "action_id" in e]


def test_pause_command_redraws_the_open_prompt_and_cancels_its_reminder(harness: Harness) -> None:
    sent_prompt(harness)
    harness.command("U1", "pause")
    paused = prompt_message(harness)
    assert "paused" in message_text(paused)
    assert PromptAction.PAUSE not in _action_ids(paused) and PromptAction.SNOOZE not in _action_ids(paused)
    assert tick(harness, SLOT_WINTER + timedelta(days=2)).get("reminded", 0) == 0
    harness.command("U1", "resume")
    assert PromptAction.PAUSE in _action_ids(prompt_message(harness))


def _notes(harness: Harness, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    return [m for m in harness.fake.thread(channel, thread_ts) if m.get("bot_id") and m["ts"] != thread_ts]


def _saved_but_not_confirmed(harness: Harness, person_id: int, prompt_id: int | None = None, **fields: Any) -> None:
    """Evidence as a capture listener commits it, before it confirms (`capture` from the service)."""
    with harness.deps.uow() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        ladder = ladder_for(uow, harness.library, person)
        assert ladder is not None
        prompt = uow.prompts.get(prompt_id) if prompt_id is not None else None
        capture(uow, ladder, now=harness.now, prompt=prompt, **fields)


def _confirmations(harness: Harness, moment: datetime) -> object:
    harness.set_now(moment)
    return scheduler_tick(harness.deps)["confirmations"]


def test_a_reply_saved_just_before_the_process_stopped_is_confirmed_by_the_tick(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    [prompt] = prompts(harness, person_id)
    channel = harness.fake.dm_channel_for("U1")
    reply_ts = harness.fake.add_message(channel, "U1", "Ran the incident review", thread_ts=message["ts"])
    # What the listener commits before confirming; the process stopped right after (Slack had its ack,
    # so no retry comes).
    _saved_but_not_confirmed(harness, person_id, text="Ran the incident review", source=EvidenceSource.PROMPT_REPLY,
                             source_key=message_key(harness.team_id, channel, reply_ts),
                             behaviour_ids=prompt.behaviour_ids, prompt_id=prompt.id)  # fmt: skip

    assert _confirmations(harness, SLOT_WINTER + timedelta(minutes=1)) == "nothing to confirm"  # may be in progress
    assert _confirmations(harness, SLOT_WINTER + timedelta(minutes=3)) == {"confirmed": 1}
    assert [(r.name, r.ts) for r in harness.fake.reactions] == [("white_check_mark", reply_ts)]
    [note] = _notes(harness, channel, message["ts"])
    assert "Saved as evidence" in message_text(note)
    assert "answered" in message_text(prompt_message(harness)).lower()  # the prompt DM redrawn
    assert _confirmations(harness, SLOT_WINTER + timedelta(minutes=4)) == "nothing to confirm"
    assert evidence(harness, person_id)[0].confirmed_at is not None


def test_a_confirmed_reply_is_not_confirmed_again(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    harness.requests.message_event("U1", "Wrote the migration plan", thread_ts=message["ts"])
    harness.settle()
    [saved] = evidence(harness, person_id)
    assert saved.confirmed_at is not None
    assert _confirmations(harness, SLOT_WINTER + timedelta(minutes=3)) == "nothing to confirm"
    assert len(_notes(harness, harness.fake.dm_channel_for("U1"), message["ts"])) == 1


def test_a_logged_item_saved_but_never_confirmed_gets_a_dm(harness: Harness) -> None:
    person_id, _ = sent_prompt(harness)
    _saved_but_not_confirmed(harness, person_id, text="Mentored <!channel> & co", source=EvidenceSource.COMMAND,
                             source_key="cmd:T1:trigger-1", auto_tag=True)  # fmt: skip
    before = len(dm(harness, "U1"))
    assert _confirmations(harness, SLOT_WINTER + timedelta(minutes=3)) == {"confirmed": 1}
    [confirmation] = dm(harness, "U1")[before:]
    assert "Saved as evidence" in message_text(confirmation)


def _reply_event(harness: Harness, text: str, thread_ts: str, **fields: Any) -> dict[str, Any]:
    channel = harness.fake.dm_channel_for("U1")
    ts = harness.fake.add_message(channel, "U1", text, thread_ts=thread_ts)
    return {"type": "message", "user": "U1", "text": text, "ts": ts, "channel": channel, "channel_type": "im",
            "thread_ts": thread_ts, "team": harness.team_id, **fields}  # fmt: skip


def test_a_reply_with_a_file_or_also_sent_to_the_dm_is_evidence(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    harness.event(_reply_event(harness, "Screenshot of the new dashboard", message["ts"], subtype="file_share",
                               files=[{"id": "F1", "name": "dash.png"}]))  # fmt: skip
    harness.event(_reply_event(harness, "Also ran the retro", message["ts"], subtype="thread_broadcast"))
    harness.settle()
    assert sorted(e.text for e in evidence(harness, person_id)) == [
        "Also ran the retro",
        "Screenshot of the new dashboard",
    ]


def test_a_file_without_words_and_a_reply_outside_a_prompt_get_a_hint(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    harness.event(_reply_event(harness, "", message["ts"], subtype="file_share", files=[{"id": "F1"}]))
    channel = harness.fake.dm_channel_for("U1")
    own = harness.fake.add_message(channel, "U1", "note to self")
    harness.event(_reply_event(harness, "Paired on the migration", own))
    harness.settle()
    assert evidence(harness, person_id) == []
    hints = [m["text"] for m in harness.fake.ephemeral_messages(channel)]
    assert any("I keep words, not files" in h for h in hints)
    assert any("reply in the thread of one of my prompts" in h for h in hints)


def test_a_modal_answer_is_confirmed_by_dm_when_the_prompt_can_not_be_redrawn(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    [prompt] = prompts(harness, person_id)
    click(harness, "U1", PromptAction.ADD_EVIDENCE, message)
    view = harness.fake.opened_views[-1]
    harness.fake.set_error("chat.update", "message_not_found")
    before = len(dm(harness, "U1"))
    response = harness.submit("U1", view, _state("Wrote the runbook", behaviours=prompt.behaviour_ids))
    harness.settle()
    assert response.status == 200
    [saved] = evidence(harness, person_id)
    assert saved.confirmed_at is not None
    [confirmation] = dm(harness, "U1")[before:]
    assert "Saved as evidence" in message_text(confirmation)
    assert not any("not completed" in m["text"] for m in harness.fake.messages(harness.fake.dm_channel_for("U1")))


def test_saving_a_message_again_with_other_tags_retags_it(harness: Harness) -> None:
    person_id = seed(harness)
    harness.add_slack_user("U2", "pat")
    harness.fake.add_channel("C1", "general", ["U1", "U2"])
    ts = harness.fake.add_message("C1", "U2", "Thanks for the design review")
    message = {"type": "message", "user": "U2", "text": "Thanks for the design review", "ts": ts, "channel": "C1"}
    first, second = harness.next_behaviour_ids("U1")[:2]
    for chosen in ([first], [second]):
        harness.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, message)
        harness.settle()
        harness.submit("U1", harness.fake.opened_views[-1], {EvidenceBlock.BEHAVIOURS: _select(chosen)})
        harness.settle()
    [saved] = evidence(harness, person_id)
    assert [t.behaviour_id for t in saved.tags] == [second]
    assert sum("Saved as evidence" in message_text(m) for m in dm(harness, "U1")) == 2


def test_a_failure_on_submit_keeps_the_typed_form_under_the_apology(harness: Harness) -> None:
    person_id, message = sent_prompt(harness)
    [prompt] = prompts(harness, person_id)
    click(harness, "U1", PromptAction.ADD_EVIDENCE, message)
    view = harness.fake.opened_views[-1]
    with harness.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE evidence_tags"))
    answer = harness.submit("U1", view, _state("Wrote the runbook", behaviours=prompt.behaviour_ids)).json()
    # Pushed on top of the form: closing the apology goes back to the typed text.
    assert answer["response_action"] == "push"
    assert "something went wrong" in json.dumps(answer["view"]).lower()


def test_a_long_message_saved_by_the_shortcut_is_not_confirmed_again_by_the_tick(harness: Harness) -> None:
    person_id = seed(harness)
    harness.add_slack_user("U2", "pat")
    harness.fake.add_channel("C1", "general", ["U1", "U2"])
    long_kudos = "Thanks for the migration write-up. " * 100  # ~3,500 characters: too long for the confirm modal
    ts = harness.fake.add_message("C1", "U2", long_kudos)
    message = {"type": "message", "user": "U2", "text": long_kudos, "ts": ts, "channel": "C1"}
    harness.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, message)
    harness.settle()
    # Saved at once; the modal that opened is the one for changing its tags.
    assert harness.fake.opened_views[-1]["callback_id"] != Callback.SAVE_AS_EVIDENCE_CONFIRM
    [saved] = evidence(harness, person_id)
    assert saved.text == long_kudos and saved.confirmed_at is not None
    before = len(dm(harness, "U1"))
    assert _confirmations(harness, SET_UP_AT + timedelta(minutes=3)) == "nothing to confirm"
    assert not any("Saved as evidence" in message_text(m) for m in dm(harness, "U1")[before:])


def test_a_dropped_connection_fails_one_confirmation_not_the_rest_of_the_sweep(harness: Harness) -> None:
    person_id, _ = sent_prompt(harness)
    for n in range(2):
        _saved_but_not_confirmed(harness, person_id, text=f"Mentored a new joiner ({n})", source=EvidenceSource.COMMAND,
                                 source_key=f"cmd:T1:trigger-{n}", auto_tag=True)  # fmt: skip
    with socket.socket() as closed:  # a port nothing listens on: every call is refused (an OSError)
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    unreachable = WebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{port}/api/", retry_handlers=[])
    harness.set_now(SLOT_WINTER + timedelta(minutes=3))
    assert confirm_unconfirmed(harness.deps, harness.now, unreachable) == {"failed": 2}
    assert all(item.confirmed_at is not None for item in evidence(harness, person_id))  # not retried every minute


def test_the_shortcut_on_a_message_over_the_limit_offers_its_start_to_trim(harness: Harness) -> None:
    person_id = seed(harness)
    harness.add_slack_user("U2", "pat")
    harness.fake.add_channel("C1", "general", ["U1", "U2"])
    long = "kudos " * 2_000
    ts = harness.fake.add_message("C1", "U2", long)
    harness.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, {"type": "message", "user": "U2",
                                      "text": long, "ts": ts, "channel": "C1"})  # fmt: skip
    harness.settle()
    assert evidence(harness, person_id) == []
    view = harness.fake.opened_views[-1]
    assert view["callback_id"] == Callback.EVIDENCE
    shown = json.dumps(view)
    assert "longer than the 10,000 characters" in shown and "keep the part that shows what you did" in shown
    [text_input] = [b for b in view["blocks"] if b.get("block_id") == EvidenceBlock.TEXT]
    prefilled = text_input["element"]["initial_value"]
    assert long.startswith(prefilled) and len(prefilled) == 3000
    harness.submit("U1", view, _state("kudos for the deploy fix"))
    [saved] = evidence(harness, person_id)
    assert saved.text == "kudos for the deploy fix"


def test_a_bot_message_is_saved_without_a_broken_author_mention(harness: Harness) -> None:
    person_id = seed(harness)
    harness.fake.add_channel("C1", "general", ["U1"])
    ts = harness.fake.add_message("C1", "U1", "Deploy 42 by Ada succeeded")
    harness.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, {"type": "message", "bot_id": "B42",
                                      "text": "Deploy 42 by Ada succeeded", "ts": ts, "channel": "C1"})  # fmt: skip
    harness.settle()
    view = harness.fake.opened_views[-1]
    assert "B42" not in json.dumps(view)
    harness.submit("U1", view, {EvidenceBlock.BEHAVIOURS: _select(harness.next_behaviour_ids("U1")[:1])})
    [saved] = evidence(harness, person_id)
    assert saved.author_slack_id is None
