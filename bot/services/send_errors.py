"""What a Slack error name means for a send: the person is gone, or the bot's own token is broken.

Plain strings, so the services that decide what a failed send means (give up, back off, stop the
fan-out) read them without importing slack_sdk; bot/delivery uses the same sets.
"""

from __future__ import annotations

# Errors that mean the person is gone or unreachable by DM, so retrying never helps. Each sender adds
# what else it cannot recover from (slack-facts, "Deactivated and unknown users": conversations.open
# answers user_disabled for a deactivated person).
PERSON_GONE_ERRORS = frozenset({"user_not_found", "user_disabled"})
# Errors about the bot's own token, not the person: every call fails until an admin fixes the install
# (account_inactive: "Authentication token is for a deleted user or workspace", per Slack's method docs).
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission"}
)
# chat.update errors that mean the message can no longer be changed (deleted, its DM gone, too old to
# edit): a close that gets one has nothing left to do (docs.slack.dev/reference/methods/chat.update).
MESSAGE_GONE_ERRORS = frozenset(
    {"message_not_found", "cant_update_message", "edit_window_closed", "channel_not_found", "is_archived"}
)
