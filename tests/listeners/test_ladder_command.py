"""`/ladder` end to end: signed HTTP requests to the real app, answers read back from the fake Slack."""

from __future__ import annotations

import json
import time

import pytest
from slack_bolt import Ack
from sqlalchemy import text

from bot.errors import UserFacingError
from bot.ids import Callback
from tests.conftest import Database
from tests.listeners.harness import Harness, message_text, start_harness


def test_empty_text_and_help_list_every_subcommand(harness: Harness) -> None:
    for typed in ("", "help", "HELP"):
        response = harness.command("U1", typed)
        assert response.status == 200
        assert response.body == b""  # acknowledged at once; the answer goes through response_url
        answer = harness.last_ephemeral(harness_user := "U1")
        assert answer["response_type"] == "ephemeral" if "response_type" in answer else True
        shown = harness.last_ephemeral_text(harness_user)
        for usage in ("/ladder help", "/ladder me", "/ladder next [area]", "/ladder show FRAMEWORK", "/ladder search"):
            assert usage in shown
        assert "/ladder setup" in shown
    assert all(post.body.get("response_type") == "ephemeral" for post in harness.fake.response_url_posts)


def test_me_shows_framework_level_next_milestone_and_coverage(harness: Harness) -> None:
    harness.seed_person("U1", framework_id="luko-execution", level="2")
    harness.add_evidence("U1", "Planned the Q3 migration", ["delivery-3-01"])
    harness.command("U1", "me")
    shown = harness.last_ephemeral_text("U1")
    assert "Execution growth track (Luko)" in shown
    assert "Milestone 2" in shown and "Milestone 3" in shown
    assert "1/12" in shown  # one of the twelve next-milestone behaviours has evidence
    assert "*Delivery*: Milestone 2 → *Milestone 3*" in shown and "1/3" in shown


def test_next_groups_behaviours_by_area_and_marks_covered_ones(harness: Harness) -> None:
    harness.seed_person("U1", framework_id="luko-execution", level="2", levels={"quality": "4"})
    harness.add_evidence("U1", "Ran the team's planning", ["delivery-3-02"])
    harness.command("U1", "next")
    shown = harness.last_ephemeral_text("U1")
    framework = harness.library["luko-execution"]
    for behaviour_id in harness.next_behaviour_ids("U1"):
        assert framework.behaviour(behaviour_id).text.replace("&", "&amp;") in shown
    covered = framework.behaviour("delivery-3-02").text
    assert f"✅ {covered}" in shown
    assert "*Quality*: Milestone 4 → *Milestone 5*" in shown


def test_next_for_one_area_matches_forgivingly(harness: Harness) -> None:
    harness.seed_person("U1", framework_id="attest-engineering", level="III")
    harness.command("U1", "next design")
    shown = harness.last_ephemeral_text("U1")
    assert "Design &amp; Architecture" in shown
    assert "Delivery" not in shown


def test_next_for_an_unknown_area_lists_the_areas(harness: Harness) -> None:
    harness.seed_person("U1", framework_id="luko-execution", level="2")
    harness.command("U1", "next <!channel> cooking")
    shown = harness.last_ephemeral_text("U1")
    assert "no area called “&lt;!channel&gt; cooking”" in shown
    assert "Delivery, Communication, Quality, Optimisation" in shown


@pytest.mark.parametrize("subcommand", ["me", "next", "next delivery"])
def test_a_person_not_set_up_is_pointed_at_setup(harness: Harness, subcommand: str) -> None:
    harness.command("U9", subcommand)
    assert "`/ladder setup`" in harness.last_ephemeral_text("U9")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("show luko", "*Levels:* Milestone 1, Milestone 2, Milestone 3, Milestone 4, Milestone 5"),
        ("show attest design", "Engineering Growth Framework v2 (Attest) — Design & Architecture"),
        ("show attest design iv", "*Design &amp; Architecture* at *Level IV*"),
        ("show attest iv design", "*Design &amp; Architecture* at *Level IV*"),
        ("show Attest IV", "Engineering Growth Framework v2 (Attest) — Level IV"),
        ("show flow p2", "Flow — P2"),
        ("show vio-execution communication 5", "*Communication* at *Level 5*"),
    ],
)
def test_show_any_ladder_area_or_cell(harness: Harness, typed: str, expected: str) -> None:
    harness.command("U1", typed)  # U1 was never set up: ladders are public within the workspace
    assert expected in harness.last_ephemeral_text("U1")


def test_show_cell_lists_its_behaviours(harness: Harness) -> None:
    harness.command("U1", "show luko quality 3")
    shown = harness.last_ephemeral_text("U1")
    cell = harness.library["luko-execution"].cell("quality", "3")
    assert cell is not None
    for behaviour in cell.behaviours:
        assert behaviour.text.replace("&", "&amp;") in shown


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("show", "`/ladder show FRAMEWORK [AREA] [LEVEL]`"),
        ("show cooking", "I don't know a ladder called “cooking”"),
        ("show luko baking", "I couldn't find “baking” in *Execution growth track (Luko)*"),
        ("show execution", "could be several frameworks"),
    ],
)
def test_show_explains_what_it_could_not_find(harness: Harness, typed: str, expected: str) -> None:
    harness.command("U1", typed)
    assert expected in harness.last_ephemeral_text("U1")


def test_search_finds_behaviours_and_says_where_they_sit(harness: Harness) -> None:
    harness.command("U1", "search code reviews")
    shown = harness.last_ephemeral_text("U1")
    assert "Suggests helpful and actionable improvements in code reviews" in shown
    assert "Engineering Growth Framework v2 (Attest) › Communication › Level II" in shown


def test_search_without_words_and_without_hits(harness: Harness) -> None:
    harness.command("U1", "search")
    assert "Tell me what to look for" in harness.last_ephemeral_text("U1")
    harness.command("U1", "search zzzqqq")
    assert "No behaviour matches “zzzqqq”" in harness.last_ephemeral_text("U1")


def test_setup_opens_the_modal_with_the_trigger(harness: Harness) -> None:
    harness.add_slack_user("U1")
    harness.command("U1", "setup")
    assert harness.fake.count("views.open") == 1
    assert harness.fake.last("views.open").ok
    assert harness.fake.opened_views[-1]["callback_id"] == Callback.ONBOARDING


def test_unknown_subcommand_suggests_the_closest_and_shows_help(harness: Harness) -> None:
    harness.command("U1", "nxet delivery")
    shown = harness.last_ephemeral_text("U1")
    assert "I don't know the command “nxet”. Did you mean `/ladder next`?" in shown
    assert "/ladder search WORDS" in shown
    harness.command("U1", "zebra")
    shown = harness.last_ephemeral_text("U1")
    assert "“zebra”" in shown and "Did you mean" not in shown


STRANGE = [
    "<!channel>",
    "<!here> <!everyone> <@U2> <#C1|general>",
    "&lt;!channel&gt; &amp; &gt;",  # as Slack sends a typed "<!channel> & >"
    "*bold* _it_ ~st~ `code` ```block``` <https://evil.example|click me>",
    "🚀 ñandú 日本語 \u202e\u200b עברית",
    "x" * 4000,
    "next " + "<!channel>" * 400,
    "show " + "é" * 4000,
    "search " + "<!here> code review " * 200,
    "show luko <!channel>",
    "me <script>alert(1)</script>",
    "\n\n\t  ",
    "null",
    "help " + "%s%d{0}" * 100,
    # A valid mention, then user text where a weekday, a time and a cadence are expected.
    "1on1 <@U22222> <!channel> 10:00",
    "1on1 <@U22222> tue <@U2>",
    "1on1 <@U22222> tue 10:00 <!here>",
    "1on1 <@U22222> &lt;!everyone&gt; 10:00",  # as Slack sends a typed "<!everyone>"
    "1on1 <@U22222> " + "<!channel>" * 400 + " 10:00",
]


@pytest.mark.parametrize("typed", STRANGE, ids=range(len(STRANGE)))
def test_strange_input_never_crashes_or_echoes_unescaped(harness: Harness, typed: str) -> None:
    harness.seed_person("U1", framework_id="luko-execution", level="2")
    _assert_answered_safely(harness, "U1", typed)


# Each reaches the schedule parser (weekday, time, cadence), whose answer quotes the word typed.
SCHEDULE_ECHOES = [
    ("<!channel> 10:00", "“&lt;!channel&gt;” is not a weekday"),
    ("tue <@U2>", "“&lt;@U2&gt;” is not a time"),
    ("tue 10:00 <!here>", "“&lt;!here&gt;” is not a cadence"),
    ("&lt;!everyone&gt; 10:00", "“&lt;!everyone&gt;” is not a weekday"),
]


@pytest.mark.parametrize(("typed", "expected"), SCHEDULE_ECHOES, ids=range(len(SCHEDULE_ECHOES)))
def test_one_on_one_and_admin_schedule_quote_the_typed_word_escaped(
    sqlite_db: Database, typed: str, expected: str
) -> None:
    with start_harness(sqlite_db, GROWTHBOT_ADMINS="U1") as harness:
        harness.seed_person("U1", framework_id="luko-execution", level="2")
        for command in (f"1on1 <@U22222> {typed}", f"admin schedule <@U22222> {typed}"):
            _assert_answered_safely(harness, "U1", command)
            assert expected in harness.last_ephemeral_text("U1"), command


def _assert_answered_safely(harness: Harness, user_id: str, typed: str) -> None:
    response = harness.command(user_id, typed)
    assert response.status == 200
    posts = harness.fake.response_url_posts
    assert posts and all(post.status == 200 for post in posts)  # every answer was valid Block Kit
    shown = harness.last_ephemeral_text(user_id)
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U2>", "<script>", "<https://evil"):
        assert raw not in shown
    assert "Traceback" not in shown and "Error:" not in shown
    assert all(call.ok for call in harness.fake.calls())


def test_a_bad_signature_is_refused_with_401(harness: Harness) -> None:
    response = harness.requests.slash_command("U1", "help", bad_signature=True)
    assert response.status == 401
    harness.settle()
    assert harness.fake.response_url_posts == []


def test_a_stale_timestamp_is_refused_with_401(harness: Harness) -> None:
    response = harness.requests.slash_command("U1", "help", timestamp=int(time.time()) - 6 * 60)
    assert response.status == 401
    harness.settle()
    assert harness.fake.response_url_posts == []


def test_an_unsigned_request_is_refused(harness: Harness) -> None:
    response = harness.requests.slash_command("U1", "help", sign=False)
    assert response.status == 401


def test_a_missing_ladder_is_explained(harness: Harness) -> None:
    person_id = harness.seed_person("U1", framework_id="luko-execution", level="2")
    with harness.deps.uow() as uow:
        placement = uow.placements.current_for(person_id)
        assert placement is not None
        placement.framework_id = "retired-ladder"
    harness.command("U1", "me")
    assert "Your ladder `retired-ladder` is not loaded any more" in harness.last_ephemeral_text("U1")


def test_an_unexpected_failure_answers_a_friendly_message_without_details(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.seed_person("U1", framework_id="luko-execution", level="2")
    with harness.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE placements"))
    with caplog.at_level("ERROR", logger="bot.errors"):
        response = harness.command("U1", "me")
    assert response.status == 200
    shown = harness.last_ephemeral_text("U1")
    assert "Sorry, something went wrong on our side" in shown
    assert "placements" not in shown and "Traceback" not in shown and "sqlite" not in shown.lower()
    logged = [r for r in caplog.records if r.name == "bot.errors"]
    assert logged and logged[0].exc_info is not None
    assert "command=/ladder" in logged[0].getMessage() and "user=U1" in logged[0].getMessage()
    reference = logged[0].getMessage().split("ref=")[1].split()[0]
    assert reference in shown


def test_answers_stay_within_fifty_blocks(harness: Harness) -> None:
    harness.command("U1", "show attest")
    harness.command("U1", "show attest design")
    harness.command("U1", "show attest v")
    for post in harness.fake.response_url_posts:
        assert post.status == 200
        assert len(post.body.get("blocks") or []) <= 50
        assert len(json.dumps(post.body)) < 40_000 * 2


def test_an_error_raised_right_after_ack_keeps_the_ack(harness: Harness) -> None:
    # Regression: Bolt reset the ack when a listener raised just after acking, answering 404 after 3 s.
    @harness.app.command("/boom")
    def boom(ack: Ack) -> None:
        ack()
        raise UserFacingError("That went wrong, on purpose.")

    statuses = [harness.requests.slash_command("U1", "", command="/boom").status for _ in range(30)]
    harness.settle()
    assert statuses == [200] * 30
    assert [message_text(m) for m in harness.ephemerals("U1")] == [":warning: That went wrong, on purpose."] * 30
