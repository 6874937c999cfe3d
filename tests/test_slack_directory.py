"""The Directory port over Slack: Slack's user objects and errors become plain values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError

from bot.services.directory import Failed, Found, NotFound
from bot.services.people import SlackProfile
from bot.slack_client import make_web_client
from bot.slack_directory import SlackDirectory, profile_from_users_info
from bot.testing.fake_slack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T1") as running:
        yield running


def _directory(fake: FakeSlack) -> SlackDirectory:
    return SlackDirectory(make_web_client(fake.bot_token, fake.api_url, rate_limit_retries=0, server_error_retries=0))


def test_profile_from_users_info_keeps_both_names_and_drops_odd_time_zones() -> None:
    user = {
        "id": "U1",
        "name": "ada",
        "real_name": "Ada Lovelace",
        "tz": "Mars/Olympus_Mons",
        "deleted": True,
        "profile": {"display_name": "", "real_name": "Ada L.", "email": "Ada@Example.com"},
    }
    assert profile_from_users_info(user) == SlackProfile("U1", "Ada L.", None, "ada@example.com", deleted=True)
    assert profile_from_users_info({"id": "U2", "name": "bob", "tz": "Asia/Tokyo"}).tz == "Asia/Tokyo"
    assert profile_from_users_info({"id": "U3", "profile": {}}).display_name is None
    named = profile_from_users_info({"id": "U4", "profile": {"display_name": " Ren ", "real_name": "Renée"}})
    assert (named.real_name, named.display_name) == ("Renée", "Ren")
    handle_only = profile_from_users_info({"id": "U5", "name": "sam", "profile": {}})
    assert (handle_only.real_name, handle_only.display_name) == (None, "sam")


def test_a_profile_is_read_from_users_info_and_an_unknown_user_is_none(fake: FakeSlack) -> None:
    fake.add_user("U1", "ada", real_name="Ada Lovelace", email="ada@example.com", tz="Europe/London")
    directory = _directory(fake)
    assert directory.profile("U1") == SlackProfile("U1", "Ada Lovelace", "Europe/London", "ada@example.com")
    assert directory.profile("UNOBODY") is None


def test_other_users_info_errors_reach_the_caller(fake: FakeSlack) -> None:
    fake.add_user("U1", "ada")
    fake.set_error("users.info", "invalid_auth")
    with pytest.raises(SlackApiError):
        _directory(fake).profile("U1")


def test_an_email_lookup_is_found_not_found_or_failed(fake: FakeSlack) -> None:
    fake.add_user("U1", "ada", email="ada@example.com", tz="Asia/Tokyo")
    directory = _directory(fake)
    assert directory.find_by_email("ada@example.com") == Found(
        SlackProfile("U1", "ada", "Asia/Tokyo", "ada@example.com")
    )
    assert directory.find_by_email("nobody@example.com") == NotFound()
    fake.set_error("users.list", "ratelimited")
    assert _directory(fake).find_by_email("ada@example.com") == Failed("ratelimited")


def test_emails_are_resolved_from_one_paged_users_list_sweep(fake: FakeSlack) -> None:
    for n in range(450):
        fake.add_user(f"U{n:04d}", f"user{n}", email=f"User{n}@Example.com")
    fake.add_user("UGONE", "gone", email="gone@example.com", deleted=True)
    directory = _directory(fake)
    found = [directory.find_by_email(f"user{n}@example.com") for n in range(0, 450, 7)]
    assert all(isinstance(lookup, Found) for lookup in found)
    assert directory.find_by_email("gone@example.com") == NotFound(), "as users.lookupByEmail: deactivated"
    assert fake.count("users.list") == 3 and fake.count("users.lookupByEmail") == 0
