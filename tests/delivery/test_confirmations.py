"""Confirming saved evidence in Slack: the thread reply's reaction and note, or a DM."""

from __future__ import annotations

from bot.delivery.confirmations import SAVED_REACTION, confirm_by_dm, confirm_thread_reply
from bot.delivery.prompt_redraw import redraw_prompt
from tests.conftest import Database
from tests.services.digest_data import fake_slack_deps, load_ladder

LIBRARY = load_ladder()


def test_a_thread_reply_confirmed_twice_keeps_one_reaction_and_gets_each_note(db: Database) -> None:
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        channel = fake.dm_channel_for("UREPORT")
        prompt_ts = fake.add_message(channel, "UREPORT", "the prompt")
        reply_ts = fake.add_message(channel, "UREPORT", "Ran the incident review", thread_ts=prompt_ts)
        for _ in range(2):  # the listener, then the tick's sweep: already_reacted is no failure
            confirm_thread_reply(deps.client, channel, reply_ts, prompt_ts, 7, ["Runs incident reviews"])
        assert [(r.name, r.ts) for r in fake.reactions] == [(SAVED_REACTION, reply_ts)]
        notes = [m for m in fake.thread(channel, prompt_ts) if m["ts"] not in (prompt_ts, reply_ts)]
        assert len(notes) == 2


def test_a_dm_confirmation_and_a_redraw_of_an_unknown_prompt(db: Database) -> None:
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        confirm_by_dm(deps.client, "UREPORT", 7, ["Runs incident reviews"])
        [dm] = fake.messages(fake.dm_channel_for("UREPORT"))
        assert "Runs incident reviews" in str(dm["blocks"])
        assert redraw_prompt(deps.client, deps, 999_999) is False  # nothing to redraw, nothing sent
        assert fake.count("chat.update") == 0
