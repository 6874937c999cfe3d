"""The fake Slack Web API, driven by the real WebClient from ``make_web_client`` over HTTP."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from bot.slack_client import make_web_client
from bot.testing.clients import fast_retry_client
from bot.testing.fake_slack import FakeSlack


@pytest.fixture
def fake(fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    fake_slack.add_user("U1", "ada", real_name="Ada Lovelace", email="ada@example.com", tz="Europe/London")
    fake_slack.add_user("U2", "grace", email="grace@example.com")
    fake_slack.add_user("U9", "gone", email="gone@example.com", deleted=True)
    fake_slack.add_channel("C1", "growth", ["U1", "U2"])
    yield fake_slack


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return make_web_client(fake.bot_token, fake.api_url)


def slack_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return excinfo.value.response["error"]


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str = "Log evidence", **extra: Any) -> dict[str, Any]:
    view = {"type": "modal", "callback_id": "log", "title": {"type": "plain_text", "text": title}}
    view["blocks"] = [section("What did you do?")]
    view.update(extra)
    return view


# ---------------------------------------------------------------- auth and unknown methods


def test_auth_test_describes_the_bot(client: WebClient, fake: FakeSlack) -> None:
    answer = client.auth_test()
    assert (answer["user_id"], answer["bot_id"], answer["team_id"]) == (fake.bot_user_id, fake.bot_id, "T0001")


def test_wrong_token_is_invalid_auth_and_missing_token_is_not_authed(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as wrong:
        make_web_client("xoxb-wrong", fake.api_url).auth_test()
    assert slack_error(wrong) == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=fake.api_url).api_call("auth.test")
    assert slack_error(missing) == "not_authed"


def test_token_is_accepted_as_a_form_parameter(fake: FakeSlack) -> None:
    body = b"token=xoxb-test&user=U1"
    request = urllib.request.Request(fake.api_url + "users.info", data=body, method="POST")
    with urllib.request.urlopen(request) as answer:
        assert json.loads(answer.read())["user"]["id"] == "U1"
    assert fake.last("users.info").params == {"user": "U1"}


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("bots.dance")
    assert slack_error(excinfo) == "unknown_method"


def test_team_info(client: WebClient) -> None:
    assert client.team_info()["team"]["id"] == "T0001"


# ---------------------------------------------------------------- users


def test_users_info_returns_tz_and_profile(client: WebClient, fake: FakeSlack) -> None:
    fake.set_status("U1", "On holiday", ":palm_tree:")
    user = client.users_info(user="U1")["user"]
    assert user["tz"] == "Europe/London"
    assert user["tz_offset"] in (0, 3600)
    assert user["profile"]["status_text"] == "On holiday"
    assert user["profile"]["email"] == "ada@example.com"
    fake.set_tz("U1", "Asia/Tokyo")
    assert client.users_info(user="U1")["user"]["tz_offset"] == 9 * 3600


def test_users_info_still_returns_deactivated_users(client: WebClient, fake: FakeSlack) -> None:
    assert client.users_info(user="U9")["user"]["deleted"] is True
    fake.deactivate("U2")
    assert client.users_info(user="U2")["user"]["deleted"] is True


def test_users_info_unknown_user(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U404")
    assert slack_error(excinfo) == "user_not_found"


def test_users_lookup_by_email(client: WebClient) -> None:
    assert client.users_lookupByEmail(email="Grace@Example.com")["user"]["id"] == "U2"
    for email in ("nobody@example.com", "gone@example.com"):
        with pytest.raises(SlackApiError) as excinfo:
            client.users_lookupByEmail(email=email)
        assert slack_error(excinfo) == "users_not_found"


def test_users_profile_get(client: WebClient, fake: FakeSlack) -> None:
    fake.set_status("U2", "In a meeting", ":calendar:")
    profile = client.users_profile_get(user="U2")["profile"]
    assert (profile["status_text"], profile["status_emoji"]) == ("In a meeting", ":calendar:")


# ---------------------------------------------------------------- conversations


def test_conversations_open_gives_a_stable_dm(client: WebClient, fake: FakeSlack) -> None:
    first = client.conversations_open(users="U1")
    again = client.conversations_open(users=["U1"])
    assert first["channel"]["id"] == again["channel"]["id"] == fake.dm_channel_for("U1")
    assert again["already_open"] is True
    info = client.conversations_info(channel=fake.dm_channel_for("U1"))["channel"]
    assert (info["is_im"], info["user"]) == (True, "U1")
    assert client.conversations_info(channel="C1")["channel"]["name"] == "growth"


def test_conversations_open_rejects_deactivated_and_unknown_users(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as disabled:
        client.conversations_open(users="U9")
    assert slack_error(disabled) == "user_disabled"
    with pytest.raises(SlackApiError) as unknown:
        client.conversations_open(users="U404")
    assert slack_error(unknown) == "user_not_found"


def test_conversations_info_unknown_channel(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_info(channel="C404")
    assert slack_error(excinfo) == "channel_not_found"


# ---------------------------------------------------------------- chat


def test_post_message_stores_blocks_and_threads(client: WebClient, fake: FakeSlack) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    blocks = [HeaderBlock(text="Weekly check-in"), SectionBlock(text="What did you ship?"), DividerBlock()]
    parent = client.chat_postMessage(channel=dm, text="Weekly check-in", blocks=blocks)
    reply = client.chat_postMessage(channel=dm, text="Thanks!", thread_ts=parent["ts"])
    assert parent["ts"] < reply["ts"]
    messages = fake.messages(dm)
    assert [m["text"] for m in messages] == ["Weekly check-in", "Thanks!"]
    assert messages[0]["blocks"][0]["type"] == "header"
    assert messages[0]["reply_count"] == 1
    assert [m["ts"] for m in fake.thread(dm, parent["ts"])] == [parent["ts"], reply["ts"]]
    assert fake.last("chat.postMessage").params["thread_ts"] == parent["ts"]
    assert isinstance(fake.calls("chat.postMessage")[0].params["blocks"], list)


def test_post_message_to_a_user_id_opens_the_dm(client: WebClient, fake: FakeSlack) -> None:
    client.chat_postMessage(channel="U2", text="hello")
    assert fake.messages(fake.dm_channel_for("U2"))[0]["text"] == "hello"


def test_post_message_into_an_open_dm_of_a_deactivated_user_still_succeeds(client: WebClient, fake: FakeSlack) -> None:
    dm = client.conversations_open(users="U2")["channel"]["id"]
    fake.deactivate("U2")
    client.chat_postMessage(channel=dm, text="still delivered")  # python-slack-sdk #1156
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="U9", text="never opened")
    assert slack_error(excinfo) == "user_disabled"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C404", "text": "hi"}, "channel_not_found"),
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "C1", "text": "hi", "blocks": "not json"}, "invalid_blocks_format"),
    ],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_rejections(client: WebClient, kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(**kwargs)
    assert slack_error(excinfo) == error


def test_post_message_accepts_the_limits_exactly(client: WebClient) -> None:
    blocks = [section("x" * 3000)] + [DividerBlock().to_dict()] * 48
    blocks.append(ActionsBlock(elements=[ButtonElement(text="b" * 75, action_id="a" * 255, value="v")]).to_dict())
    client.chat_postMessage(channel="C1", text="x" * 40_000, blocks=blocks)


def button_block(text: str = "Log it", value: str = "v", url: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": "log"}
    button["value"] = value
    if url:
        button["url"] = url
    return {"type": "actions", "elements": [button]}


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([DividerBlock().to_dict()] * 51, "/blocks"),
        ([section("x" * 3001)], "/blocks/0/text/text"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "/blocks/0/text/text"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "/blocks/0/fields"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}], "/blocks/0/fields/0/text"),
        ([DividerBlock().to_dict(), button_block(text="b" * 76)], "/blocks/1/elements/0/text/text"),
        ([button_block(value="v" * 2001)], "/blocks/0/elements/0/value"),
        ([button_block(url="https://x.example/" + "u" * 3000)], "/blocks/0/elements/0/url"),
        ([{"type": "divider", "block_id": "b" * 256}], "/blocks/0/block_id"),
        ([{"type": "teleporter"}], "/blocks/0"),
    ],
)
def test_post_message_invalid_blocks(client: WebClient, blocks: list[Any], pointer: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    response = excinfo.value.response
    assert response["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in error for error in response["errors"])
    assert response["response_metadata"]["messages"][0].startswith("[ERROR] ")


def test_static_select_option_limit(client: WebClient) -> None:
    options = [{"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(101)]
    select = {"type": "static_select", "action_id": "pick", "options": options}
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "Pick"}, "accessory": select}
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="pick", blocks=[block])
    assert "[json-pointer:/blocks/0/accessory/options]" in excinfo.value.response["errors"][0]
    select["options"] = options[:100]
    client.chat_postMessage(channel="C1", text="pick", blocks=[block])


def test_post_ephemeral(client: WebClient, fake: FakeSlack) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert answer["message_ts"]
    assert fake.ephemeral_messages("C1")[0]["target_user"] == "U1"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postEphemeral(channel="C1", user="U9", text="not a member")
    assert slack_error(excinfo) == "user_not_in_channel"


def test_update_delete_permalink_and_reactions(client: WebClient, fake: FakeSlack) -> None:
    posted = client.chat_postMessage(channel="C1", text="draft", blocks=[section("draft")])
    client.chat_update(channel="C1", ts=posted["ts"], text="final", blocks=[section("final")])
    message = fake.messages("C1")[0]
    assert (message["text"], message["blocks"][0]["text"]["text"]) == ("final", "final")
    assert "edited" in message
    link = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])["permalink"]
    assert link.endswith("/archives/C1/p" + posted["ts"].replace(".", ""))
    client.reactions_add(channel="C1", timestamp=posted["ts"], name="white_check_mark")
    with pytest.raises(SlackApiError) as again:
        client.reactions_add(channel="C1", timestamp=posted["ts"], name="white_check_mark")
    assert slack_error(again) == "already_reacted"
    assert fake.reactions[0].name == "white_check_mark"
    client.chat_delete(channel="C1", ts=posted["ts"])
    assert fake.messages("C1") == []
    assert fake.deleted_messages[0]["ts"] == posted["ts"]


def test_update_rejections(client: WebClient, fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel="C1", ts="1.000000", text="x")
    assert slack_error(missing) == "message_not_found"
    human_ts = fake.add_message("C1", "U1", "written by Ada")
    with pytest.raises(SlackApiError) as not_ours:
        client.chat_update(channel="C1", ts=human_ts, text="x")
    assert slack_error(not_ours) == "cant_update_message"
    posted = client.chat_postMessage(channel="C1", text="ok")
    with pytest.raises(SlackApiError) as too_big:
        client.chat_update(channel="C1", ts=posted["ts"], text="x", blocks=[section("x" * 3001)])
    assert slack_error(too_big) == "invalid_blocks"


# ---------------------------------------------------------------- views


def test_views_open_consumes_a_trigger_once(client: WebClient, fake: FakeSlack) -> None:
    trigger = fake.new_trigger_id("U1")
    view = View(
        type="modal",
        callback_id="log",
        title="Log evidence",
        submit="Save",
        blocks=[InputBlock(label="What?", block_id="what", element=PlainTextInputElement(action_id="text"))],
    )
    opened = client.views_open(trigger_id=trigger, view=view)["view"]
    assert opened["id"] == fake.opened_views[0]["id"]
    assert fake.opened_views[0]["user_id"] == "U1"
    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id=trigger, view=view)
    assert slack_error(reused) == "expired_trigger_id"
    with pytest.raises(SlackApiError) as unknown:
        client.views_open(trigger_id="12.34.made-up", view=view)
    assert slack_error(unknown) == "invalid_trigger_id"


def test_views_open_rejects_an_expired_trigger(client: WebClient, fake: FakeSlack) -> None:
    trigger = fake.new_trigger_id("U1")
    fake.expire_trigger_ids()
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=trigger, view=modal())
    assert slack_error(excinfo) == "expired_trigger_id"


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title="t" * 25), "/view/title/text"),
        (modal(submit={"type": "plain_text", "text": "s" * 25}), "/view/submit/text"),
        (modal(close={"type": "plain_text", "text": "c" * 25}), "/view/close/text"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (modal(callback_id="c" * 256), "/view/callback_id"),
        (modal(blocks=[DividerBlock().to_dict()] * 101), "/view/blocks"),
        (
            modal(
                submit={"type": "plain_text", "text": "Save"},
                blocks=[InputBlock(label="x", element=PlainTextInputElement(action_id="t", max_length=3001)).to_dict()],
            ),
            "/view/blocks/0/element/max_length",
        ),
        (modal(blocks=[InputBlock(label="x", element=PlainTextInputElement(action_id="t")).to_dict()]), "/view/submit"),
    ],
)
def test_views_open_invalid_arguments(client: WebClient, fake: FakeSlack, view: dict[str, Any], pointer: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=fake.new_trigger_id("U1"), view=view)
    response = excinfo.value.response
    assert response["error"] == "invalid_arguments"
    assert any(f"[json-pointer:{pointer}]" in m for m in response["response_metadata"]["messages"])


def test_views_push_and_update(client: WebClient, fake: FakeSlack) -> None:
    opened = client.views_open(trigger_id=fake.new_trigger_id("U1"), view=modal())["view"]
    client.views_push(trigger_id=fake.new_trigger_id("U1"), view=modal(title="Step 2"))
    assert fake.pushed_views[0]["title"]["text"] == "Step 2"
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal(title="Saved"))["view"]
    assert fake.view(opened["id"])["title"]["text"] == "Saved"
    assert updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert slack_error(stale) == "hash_conflict"
    with pytest.raises(SlackApiError) as missing:
        client.views_update(view_id="V404", view=modal())
    assert slack_error(missing) == "not_found"


def test_views_publish_home(client: WebClient, fake: FakeSlack) -> None:
    home = {"type": "home", "blocks": [section("Your progress")]}
    client.views_publish(user_id="U1", view=home)
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("Updated")]})
    assert fake.views_published["U1"]["blocks"][0]["text"]["text"] == "Updated"
    assert fake.count("views.publish") == 2


def test_views_publish_rejects_too_large_and_too_many_blocks(client: WebClient) -> None:
    big = {"type": "home", "blocks": [section("x" * 2900) for _ in range(90)]}
    with pytest.raises(SlackApiError) as too_large:
        client.views_publish(user_id="U1", view=big)
    assert slack_error(too_large) == "view_too_large"
    many = {"type": "home", "blocks": [DividerBlock().to_dict()] * 101}
    with pytest.raises(SlackApiError) as too_many:
        client.views_publish(user_id="U1", view=many)
    assert slack_error(too_many) == "invalid_arguments"
    with pytest.raises(SlackApiError) as modal_as_home:
        client.views_publish(user_id="U1", view=modal())
    assert slack_error(modal_as_home) == "invalid_arguments"


# ---------------------------------------------------------------- files


def test_files_upload_v2_shares_into_the_channel(client: WebClient, fake: FakeSlack) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    client.files_upload_v2(channel=dm, content="date,evidence\n", filename="export.csv", initial_comment="Here")
    (uploaded,) = fake.uploaded_files
    assert (uploaded.filename, uploaded.content, uploaded.channel_id) == ("export.csv", b"date,evidence\n", dm)
    assert fake.messages(dm)[-1]["files"][0]["name"] == "export.csv"
    assert fake.count("files.getUploadURLExternal") == fake.count("files.completeUploadExternal") == 1


def test_files_complete_upload_unknown_file(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": "F404", "title": "x"}], channel_id="C1")
    assert slack_error(excinfo) == "file_not_found"


# ---------------------------------------------------------------- response_url


def test_response_url_records_posts_and_replaces_the_bound_message(client: WebClient, fake: FakeSlack) -> None:
    posted = client.chat_postMessage(channel="C1", text="Did you ship?", blocks=[button_block()])
    url = fake.new_response_url(channel_id="C1", message_ts=posted["ts"], user_id="U1")
    assert WebhookClient(url).send(text="Logged", replace_original=True).status_code == 200
    assert fake.messages("C1")[0]["text"] == "Logged"
    assert "blocks" not in fake.messages("C1")[0]
    WebhookClient(url).send(text="just for you")
    assert fake.ephemeral_messages("C1")[-1]["text"] == "just for you"
    assert [post.body["text"] for post in fake.response_url_posts] == ["Logged", "just for you"]
    assert WebhookClient(url).send(blocks=[section("x" * 3001)]).status_code == 400


def test_in_channel_response_posts_into_the_users_dm(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id=fake.dm_channel_for("U1"), user_id="U1")
    WebhookClient(url).send(text="Shared", response_type="in_channel")
    assert [m["text"] for m in fake.messages(fake.dm_channel_for("U1"))] == ["Shared"]


# ---------------------------------------------------------------- faults


def test_rate_limit_answers_429_with_retry_after(fake: FakeSlack) -> None:
    fake.rate_limit("users.info", per_second=0.5, burst=1)
    no_retry = make_web_client(fake.bot_token, fake.api_url, rate_limit_retries=0)
    no_retry.users_info(user="U1")
    with pytest.raises(SlackApiError) as excinfo:
        no_retry.users_info(user="U1")
    response = excinfo.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert int(response.headers["Retry-After"]) >= 1


def test_rate_limit_is_honoured_by_the_retry_handler(fake: FakeSlack) -> None:
    fake.rate_limit("chat.postMessage", per_second=1, burst=1)
    client = make_web_client(fake.bot_token, fake.api_url)
    client.chat_postMessage(channel="C1", text="one")
    assert client.chat_postMessage(channel="C1", text="two")["ok"]
    assert [call.status for call in fake.calls("chat.postMessage")] == [200, 429, 200]
    assert [m["text"] for m in fake.messages("C1")] == ["one", "two"]


def test_server_errors_are_retried(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=500, times=2)
    client = fast_retry_client(fake, server_error_retries=2)
    assert client.chat_postMessage(channel="C1", text="eventually")["ok"]
    assert [call.status for call in fake.calls("chat.postMessage")] == [500, 500, 200]
    fake.fail_next("chat.postMessage", status=503, times=3)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="gives up")
    assert excinfo.value.response.status_code == 503


def test_fail_for_a_window(fake: FakeSlack) -> None:
    fake.fail_for("users.info", seconds=60, status=503)
    with pytest.raises(SlackApiError):
        fast_retry_client(fake).users_info(user="U1")
    assert {call.status for call in fake.calls("users.info")} == {503}
    fake.clear_faults()
    assert fast_retry_client(fake).users_info(user="U1")["ok"]


def test_set_error_is_one_off(client: WebClient, fake: FakeSlack) -> None:
    fake.set_error("chat.postMessage", "is_archived")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hi")
    assert slack_error(excinfo) == "is_archived"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [call.error for call in fake.calls("chat.postMessage")] == ["is_archived", None]


# ---------------------------------------------------------------- recording and concurrency


def test_form_encoded_blocks_are_recorded_parsed(fake: FakeSlack) -> None:
    body = "channel=C1&text=hi&blocks=" + urllib.request.quote(json.dumps([section("hello")]))
    request = urllib.request.Request(
        fake.api_url + "chat.postMessage",
        data=body.encode(),
        headers={"Authorization": "Bearer xoxb-test", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request) as answer:
        assert json.loads(answer.read())["ok"]
    assert fake.last("chat.postMessage").params["blocks"][0]["type"] == "section"


def test_keep_alive_connections_serve_several_calls(fake: FakeSlack) -> None:
    host, port = fake.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        for _ in range(3):
            connection.request("POST", "/api/auth.test", body=b"", headers={"Authorization": "Bearer xoxb-test"})
            answer = connection.getresponse()
            assert (answer.status, json.loads(answer.read())["ok"]) == (200, True)
    finally:
        connection.close()
    assert fake.count("auth.test") == 3


def test_clear_forgets_calls_and_content_but_keeps_the_directory(client: WebClient, fake: FakeSlack) -> None:
    client.chat_postMessage(channel="C1", text="hi")
    fake.clear()
    assert (fake.calls(), fake.messages(), fake.counts) == ([], [], {})
    assert client.users_info(user="U1")["ok"]
    with pytest.raises(LookupError):
        fake.last("chat.postMessage")


def test_concurrent_clients_get_unique_ts(fake: FakeSlack) -> None:
    for index in range(64):
        fake.add_user(f"UC{index}", f"person{index}")
    errors: list[BaseException] = []

    def send(index: int) -> None:
        try:
            client = make_web_client(fake.bot_token, fake.api_url)
            channel = client.conversations_open(users=f"UC{index}")["channel"]["id"]
            for n in range(3):
                client.chat_postMessage(channel=channel, text=f"prompt {n}")
        except BaseException as error:  # reported after join
            errors.append(error)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    messages = fake.messages()
    assert len(messages) == len({m["ts"] for m in messages}) == 64 * 3
    assert fake.counts == {"conversations.open": 64, "chat.postMessage": 192}
    assert fake.internal_errors == []


# ---------------------------------------------------------------- conversations.history


def test_history_is_newest_first_and_hides_metadata_unless_asked(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_open(users="U1")["channel"]["id"]
    metadata = {"event_type": "growthbot_prompt", "event_payload": {"prompt_id": 7}}
    first = client.chat_postMessage(channel=channel, text="one", metadata=metadata)["ts"]
    second = client.chat_postMessage(channel=channel, text="two")["ts"]
    client.chat_postMessage(channel=channel, text="in the thread", thread_ts=first)

    plain = client.conversations_history(channel=channel)
    assert [m["ts"] for m in plain["messages"]] == [second, first]  # thread replies stay in their thread
    assert all("metadata" not in m for m in plain["messages"])
    with_metadata = client.conversations_history(channel=channel, include_all_metadata=True)
    assert with_metadata["messages"][1]["metadata"] == metadata


def test_history_pages_and_bounds(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_open(users="U1")["channel"]["id"]
    stamps = [client.chat_postMessage(channel=channel, text=str(n))["ts"] for n in range(5)]
    page = client.conversations_history(channel=channel, limit=2)
    assert [m["ts"] for m in page["messages"]] == stamps[:2:-1] and page["has_more"]
    rest = client.conversations_history(channel=channel, limit=10, cursor=page["response_metadata"]["next_cursor"])
    assert [m["ts"] for m in rest["messages"]] == stamps[2::-1] and not rest["has_more"]
    bounded = client.conversations_history(channel=channel, oldest=stamps[1], latest=stamps[3])
    assert [m["ts"] for m in bounded["messages"]] == [stamps[2]]
    inclusive = client.conversations_history(channel=channel, oldest=stamps[1], latest=stamps[3], inclusive=True)
    assert [m["ts"] for m in inclusive["messages"]] == stamps[3:0:-1]


# ---------------------------------------------------------------- conversations.replies


def test_replies_are_the_thread_oldest_first_with_metadata_when_asked(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_open(users="U1")["channel"]["id"]
    parent = client.chat_postMessage(channel=channel, text="the prompt")["ts"]
    metadata = {"event_type": "growthbot_evidence_saved", "event_payload": {"evidence_id": 3}}
    first = client.chat_postMessage(channel=channel, text="saved", thread_ts=parent, metadata=metadata)["ts"]
    second = client.chat_postMessage(channel=channel, text="again", thread_ts=parent)["ts"]
    client.chat_postMessage(channel=channel, text="not in the thread")

    plain = client.conversations_replies(channel=channel, ts=parent)
    assert [m["ts"] for m in plain["messages"]] == [parent, first, second]
    assert all("metadata" not in m for m in plain["messages"])
    from_a_reply = client.conversations_replies(channel=channel, ts=second, include_all_metadata=True)
    assert from_a_reply["messages"][1]["metadata"] == metadata
    page = client.conversations_replies(channel=channel, ts=parent, limit=2)
    assert page["has_more"]
    rest = client.conversations_replies(channel=channel, ts=parent, cursor=page["response_metadata"]["next_cursor"])
    assert [m["ts"] for m in rest["messages"]] == [second] and not rest["has_more"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"channel": "D404"}, "channel_not_found"),
        ({"channel": "C1"}, "missing_scope"),
        ({"ts": "1.000001"}, "thread_not_found"),
        ({"limit": 0}, "invalid_limit"),
        ({"cursor": "not a cursor"}, "invalid_cursor"),
    ],
)
def test_replies_reject_what_slack_rejects(
    fake: FakeSlack, client: WebClient, params: dict[str, Any], error: str
) -> None:
    channel = client.conversations_open(users="U1")["channel"]["id"]
    parent = client.chat_postMessage(channel=channel, text="the prompt")["ts"]
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_replies(**{"channel": channel, "ts": parent, **params})
    assert slack_error(excinfo) == error


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"channel": "D404"}, "channel_not_found"),
        ({"channel": "C1"}, "missing_scope"),  # the manifest asks for im:history only
        ({"limit": 0}, "invalid_limit"),
        ({"cursor": "not a cursor"}, "invalid_cursor"),
        ({"oldest": "yesterday"}, "invalid_ts_oldest"),
    ],
)
def test_history_rejects_what_slack_rejects(
    fake: FakeSlack, client: WebClient, params: dict[str, Any], error: str
) -> None:
    channel = client.conversations_open(users="U1")["channel"]["id"]
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_history(**{"channel": channel, **params})
    assert slack_error(excinfo) == error
