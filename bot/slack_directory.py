"""The `Directory` port (bot.services.directory) over Slack: users.info, and emails resolved from one
paged users.list sweep (not a users.lookupByEmail per address).

Slack's user objects become `SlackProfile`s and its errors become the port's plain values, so the
services that look people up never import slack_sdk. It reads, it never sends: that is why it sits
beside bot.slack_client rather than in bot.delivery (outbound messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.directory import EmailLookup, Failed, Found, NotFound
from bot.services.people import SlackProfile
from bot.services.timing import is_known_zone
from storage.models import MAX_EMAIL, MAX_NAME

UNKNOWN_USER_ERRORS = ("user_not_found", "users_not_found")


def profile_from_users_info(user: Mapping[str, Any]) -> SlackProfile:
    """Read the `user` object of a users.info answer. Slack's real name ("the full name as entered in
    their profile") and display name ("the name the user has chosen to display") are kept apart, for
    storage.models.shown_name to choose from; the handle (`name`) is legacy and only stands in when Slack
    gives neither (https://rdrr.io/github/r4ds/shinyslack/man/user_info.html)."""
    profile = user.get("profile") or {}
    real_name = (profile.get("real_name") or user.get("real_name") or "").strip() or None
    display_name = (profile.get("display_name") or "").strip() or None
    if real_name is None and display_name is None:
        display_name = (user.get("name") or "").strip() or None
    email = (profile.get("email") or "").strip().lower() or None
    tz = user.get("tz")
    return SlackProfile(
        user_id=user["id"],
        real_name=real_name[:MAX_NAME] if real_name else None,
        display_name=display_name[:MAX_NAME] if display_name else None,
        tz=tz if is_known_zone(tz) else None,
        email=email if email and len(email) <= MAX_EMAIL else None,
        deleted=bool(user.get("deleted")),
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
    )


def _error_code(error: SlackApiError) -> str:
    return str(error.response.get("error", "")) if error.response is not None else ""


EMAIL_SWEEP_PAGE = 200  # docs.slack.dev/reference/methods/users.list: no more than 200 a page advised


class SlackDirectory:
    """Looks people up through a slack_sdk WebClient.

    Emails: the first lookup reads the whole directory with users.list (Tier 2, a few hundred users a
    call: a 5,000-person workspace is 25 calls, about a minute and a half at the tier floor) and every
    address is answered from it; users.lookupByEmail per address (Tier 3) would take 100 minutes for
    5,000 people. As with lookupByEmail, a deactivated user is not found by email."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._by_email: dict[str, SlackProfile] | None = None
        self._sweep_failed: str | None = None

    def profile(self, user_id: str) -> SlackProfile | None:
        try:
            answer = self._client.users_info(user=user_id)
        except SlackApiError as error:
            if _error_code(error) in UNKNOWN_USER_ERRORS:
                return None
            raise
        return profile_from_users_info(answer["user"])

    def find_by_email(self, email: str) -> EmailLookup:
        if self._by_email is None and self._sweep_failed is None:
            self._sweep_emails()
        if self._sweep_failed is not None:
            return Failed(self._sweep_failed)
        assert self._by_email is not None
        profile = self._by_email.get(email.strip().lower())
        return Found(profile) if profile is not None else NotFound()

    def _sweep_emails(self) -> None:
        by_email: dict[str, SlackProfile] = {}
        cursor: str | None = None
        try:
            while True:
                answer = self._client.users_list(limit=EMAIL_SWEEP_PAGE, **({"cursor": cursor} if cursor else {}))
                for user in answer.get("members") or []:
                    profile = profile_from_users_info(user)
                    if profile.email and not profile.deleted:
                        by_email.setdefault(profile.email, profile)
                cursor = (answer.get("response_metadata") or {}).get("next_cursor") or None
                if cursor is None:
                    break
        except SlackApiError as error:
            self._sweep_failed = _error_code(error) or str(error)
            return
        self._by_email = by_email
