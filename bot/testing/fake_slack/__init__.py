"""A fake Slack Web API served over real HTTP, for the real ``slack_sdk.WebClient`` to talk to.

No machine here reaches Slack, so every Slack feature is proven against this server. It enforces the
rules in /work/shared/slack-facts.md ("facts" below); each rule is cited where it is applied.

    with FakeSlack() as fake:
        fake.add_user("U1", "ada", email="ada@example.com")
        client = make_web_client(fake.bot_token, fake.api_url)
        client.chat_postMessage(channel=client.conversations_open(users="U1")["channel"]["id"], text="hi")
        assert fake.messages(fake.dm_channel_for("U1"))[0]["text"] == "hi"

State is per instance and guarded by one lock; the server is a ``ThreadingHTTPServer`` on 127.0.0.1,
port 0, so tests can run side by side (unlike bolt-python's fixed-port mock server).

The package: ``fake`` (``FakeSlack``, the API tests use), ``state`` (the workspace), ``faults``,
``records`` (what tests assert on), ``protocol`` (errors, replies, argument parsing), ``transport``
(HTTP server and the path a call takes) and ``methods`` (one module per Slack method family).
"""

from bot.testing.fake_slack.fake import FakeSlack
from bot.testing.fake_slack.methods.chat import MESSAGE_TEXT_MAX
from bot.testing.fake_slack.methods.response_url import RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_S
from bot.testing.fake_slack.protocol import SlackError
from bot.testing.fake_slack.records import Call, Reaction, ResponseUrlPost, UploadedFile
from bot.testing.fake_slack.state import TRIGGER_TTL_S

__all__ = [
    "MESSAGE_TEXT_MAX",
    "RESPONSE_URL_MAX_USES",
    "RESPONSE_URL_TTL_S",
    "TRIGGER_TTL_S",
    "Call",
    "FakeSlack",
    "Reaction",
    "ResponseUrlPost",
    "SlackError",
    "UploadedFile",
]
