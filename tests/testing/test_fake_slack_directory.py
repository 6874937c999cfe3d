"""The fake's users.list paging, its user_change / team_join events, and Slack's rate tiers."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack


def _client(fake: FakeSlack) -> WebClient:
    return make_web_client(fake.bot_token, fake.api_url, rate_limit_retries=0)


def test_users_list_pages_with_a_cursor_and_includes_deactivated_users(fake_slack: FakeSlack) -> None:
    for n in range(5):
        fake_slack.add_user(f"U{n}", f"user{n}", deleted=n == 3)
    client = _client(fake_slack)
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        answer = client.users_list(limit=2, **({"cursor": cursor} if cursor else {}))
        seen += answer["members"]
        pages += 1
        cursor = answer["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3  # 5 people and the bot user, 2 a page
    assert {user["id"] for user in seen} == {"U0", "U1", "U2", "U3", "U4", fake_slack.bot_user_id}
    assert next(user for user in seen if user["id"] == "U3")["deleted"] is True


def test_users_list_refuses_a_made_up_cursor(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        _client(fake_slack).users_list(cursor="not-a-cursor")
    assert raised.value.response["error"] == "invalid_cursor"


def test_directory_changes_become_events(fake_slack: FakeSlack) -> None:
    events: list[dict[str, Any]] = []
    fake_slack.add_user("U1", "ada")  # before anyone listens: no event
    fake_slack.send_events_to(events.append)
    fake_slack.set_status("U1", "Vacation", ":palm_tree:", expiration=1_900_000_000)
    fake_slack.set_tz("U1", "Asia/Tokyo")
    fake_slack.deactivate("U1")
    fake_slack.add_user("U2", "newcomer")
    assert [event["type"] for event in events] == ["user_change"] * 3 + ["team_join"]
    status, moved, gone, joined = (event["user"] for event in events)
    assert status["profile"]["status_text"] == "Vacation" and status["profile"]["status_expiration"] == 1_900_000_000
    assert moved["tz"] == "Asia/Tokyo" and gone["deleted"] is True and joined["id"] == "U2"
    fake_slack.send_events_to(None)
    fake_slack.set_tz("U1", "UTC")
    assert len(events) == 4


def test_rate_tiers_limit_each_method_at_its_floor(fake_slack: FakeSlack) -> None:
    fake_slack.add_user("U1", "ada")
    fake_slack.use_rate_tiers(post_per_second=2)
    client = _client(fake_slack)
    client.users_list()
    client.users_list()  # Tier 2: 20 a minute, a burst of 2
    with pytest.raises(SlackApiError) as raised:
        client.users_list()
    assert raised.value.response.status_code == 429
    assert int(raised.value.response.headers["Retry-After"]) >= 1
    for _ in range(10):  # Tier 4 goes on: users.list's limit is its own
        client.users_info(user="U1")


def test_chat_post_message_one_a_second_per_channel_and_a_workspace_cap(fake_slack: FakeSlack) -> None:
    for n in range(4):
        fake_slack.add_user(f"U{n}", f"user{n}")
    fake_slack.use_rate_tiers(post_per_second=3)
    client = _client(fake_slack)
    client.chat_postMessage(channel="U0", text="one")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U0", text="same channel, same second")
    client.chat_postMessage(channel="U1", text="another channel")
    client.chat_postMessage(channel="U2", text="a third")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="U3", text="over the workspace cap")
    assert raised.value.response.status_code == 429
    assert fake_slack.count("chat.postMessage") == 5 and len(fake_slack.messages()) == 3


def test_several_teams_on_one_server_each_see_only_their_own_users_and_limits() -> None:
    with FakeSlack(team_id="T0AAA") as fake:
        other = fake.add_team("T0BBB")
        fake.add_user("UA", "ada")
        other.add_user("UB", "bob")
        other.rate_limit("chat.postMessage", 1.0)
        mine, theirs = _client(fake), make_web_client(other.bot_token, fake.api_url, rate_limit_retries=0)
        assert {user["id"] for user in mine.users_list()["members"]} == {"UA", fake.bot_user_id}
        assert {user["id"] for user in theirs.users_list()["members"]} == {"UB", other.bot_user_id}
        with pytest.raises(SlackApiError) as raised:
            theirs.users_info(user="UA")
        assert raised.value.response["error"] == "user_not_found"
        theirs.chat_postMessage(channel="UB", text="one")
        with pytest.raises(SlackApiError) as limited:  # team B's limit: its second post within the second
            theirs.chat_postMessage(channel="UB", text="two")
        assert limited.value.response.status_code == 429
        for n in range(3):  # team A's posts are not limited by team B's
            mine.chat_postMessage(channel="UA", text=str(n))
        assert fake.count("chat.postMessage") == 3 and other.count("chat.postMessage") == 2
        assert [m["text"] for m in other.messages()] == ["one"]
