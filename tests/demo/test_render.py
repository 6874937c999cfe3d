from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.demo import render


def test_mrkdwn_links_mentions_and_markers() -> None:
    options = render.RenderOptions(users={"U1": "Amélie"}, channels={"C1": "general"})
    text = "*Hi* <@U1>, see <https://x.test/a|the doc> in <#C1> _now_ ~old~ <https://x.test/b> <!here>"
    assert render.mrkdwn(text, options) == (
        "Hi @Amélie, see the doc (https://x.test/a) in #general now old https://x.test/b @here"
    )


def test_escaped_user_text_shows_the_characters_typed_and_never_a_mention() -> None:
    escaped = "Fixed &lt;!channel&gt; spam &amp; &lt;@U1&gt; &amp;lt; stays"
    assert render.mrkdwn(escaped) == "Fixed <!channel> spam & <@U1> &lt; stays"


def test_ansi_styles_bold_only_when_asked() -> None:
    assert render.mrkdwn("*bold*", render.RenderOptions(ansi=True)) == "\x1b[1mbold\x1b[22m"
    assert render.mrkdwn("a * b * c") == "a * b * c"
    assert render.mrkdwn("snake_case_name") == "snake_case_name"


def test_bar_emoji_become_blocks_shortcodes_become_emoji_and_unknown_ones_stay() -> None:
    assert render.mrkdwn(":large_green_square::white_large_square: :palm_tree: :tada:") == "█░ 🌴 🎉"
    assert render.mrkdwn(":white_check_mark: :our_custom_logo:") == "✅ :our_custom_logo:"


def test_code_spans_show_their_text() -> None:
    assert render.mrkdwn("`▰▱ 1/2` and ```\nblock\n```") == "▰▱ 1/2 and block"


def test_display_width_counts_emoji_as_two_columns() -> None:
    assert render.display_width("✅ ok") == 5
    assert render.shorten_to("one two three four", 12) == "one two…"


def test_message_blocks() -> None:
    blocks = [
        HeaderBlock(text="Your weekly growth prompt"),
        SectionBlock(text=MarkdownTextObject(text="*Delivery* · Level III\nWrites &lt;good&gt; tests.")),
        SectionBlock(fields=[MarkdownTextObject(text="*Area*\nDelivery"), MarkdownTextObject(text="*Level*\nIII")]),
        ContextBlock(elements=[MarkdownTextObject(text="Why: it is your next milestone")]),
        DividerBlock(),
        ActionsBlock(
            elements=[
                ButtonElement(text="Add evidence", action_id="add", style="primary"),
                ButtonElement(text="Nothing this week", action_id="skip"),
            ]
        ),
    ]
    lines = render.blocks([item.to_dict() for item in blocks], render.RenderOptions(width=60))
    assert lines[0] == "Your weekly growth prompt"
    assert lines[1] == "─" * len("Your weekly growth prompt")
    assert "Delivery · Level III" in lines
    assert "Writes <good> tests." in lines
    field_rows = [line for line in lines if line.startswith("Area")]
    assert field_rows and "Level" in field_rows[0]
    assert "  Why: it is your next milestone" in lines
    assert "─" * 60 in lines
    assert lines[-1] == "[ Add evidence ]  [ Nothing this week ]"


def test_section_accessory_button_sits_beside_short_text() -> None:
    section = SectionBlock(text="Pause prompts", accessory=ButtonElement(text="Resume", action_id="r")).to_dict()
    (line,) = render.block(section, render.RenderOptions(width=40))
    assert line.startswith("Pause prompts") and line.endswith("[ Resume ]")
    assert len(line) == 40


def test_long_text_wraps_without_splitting_urls() -> None:
    url = "https://example.test/" + "x" * 80
    lines = render.wrap("word " * 30 + url, 40)
    assert all(len(line) <= 40 for line in lines if url not in line)
    assert any(line == url for line in lines)


def test_modal_inputs_and_footer() -> None:
    option_a = Option(text="Writes tests", value="a")
    option_b = Option(text="Reviews PRs", value="b")
    modal = View(
        type="modal",
        title=PlainTextObject(text="Add evidence"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            InputBlock(
                label="What happened?",
                element=PlainTextInputElement(action_id="text", multiline=True, placeholder="A sentence or two"),
            ),
            InputBlock(label="Link", optional=True, element=PlainTextInputElement(action_id="link")),
            InputBlock(
                label="Behaviours",
                element=StaticMultiSelectElement(
                    action_id="tags", options=[option_a, option_b], initial_options=[option_a]
                ),
            ),
            InputBlock(
                label="Framework",
                element=StaticSelectElement(action_id="fw", placeholder="Pick one", options=[option_a, option_b]),
            ),
            InputBlock(label="Manager", element=UserSelectElement(action_id="mgr", initial_user="U9")),
        ],
    ).to_dict()
    options = render.RenderOptions(width=50, users={"U9": "Priya"})
    lines = render.view(modal, options)
    assert render.view_title(modal) == "Add evidence"
    assert lines[0] == "What happened?"
    assert lines[1].startswith("  ┌") and "A sentence or two" in lines[2]
    assert "Link (optional)" in lines
    assert "  [ Writes tests × ] ▾" in lines
    assert "  [ Pick one ▾ ]" in lines
    assert "  [ @Priya ▾ ]" in lines
    assert lines[-1] == "[ Cancel ]  [ Save ]".rjust(50)


def test_home_view_has_no_footer() -> None:
    home = View(type="home", blocks=[SectionBlock(text="Hello")]).to_dict()
    assert render.view(home) == ["Hello"]
    assert render.view_title(home) == "App Home"


def test_checkboxes_rich_text_and_unknown_blocks_never_crash() -> None:
    rich = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [{"type": "text", "text": "Shipped "}, {"type": "user", "user_id": "U1"}],
            },
            {
                "type": "rich_text_list",
                "style": "bullet",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]}],
            },
        ],
    }
    checkbox = {
        "type": "input",
        "label": {"type": "plain_text", "text": "Flags"},
        "element": {
            "type": "checkboxes",
            "action_id": "c",
            "options": [
                {"text": {"type": "plain_text", "text": "To discuss"}, "value": "d"},
                {"text": {"type": "plain_text", "text": "Private"}, "value": "p"},
            ],
            "initial_options": [{"text": {"type": "plain_text", "text": "To discuss"}, "value": "d"}],
        },
    }
    lines = render.blocks([rich, checkbox, {"type": "mystery"}], render.RenderOptions(users={"U1": "Kai"}))
    assert "Shipped @Kai" in lines
    assert "  • one" in lines
    assert "  [x] To discuss" in lines and "  [ ] Private" in lines
    assert lines[-1] == "[mystery block]"


def test_message_without_blocks_uses_text() -> None:
    assert render.message({"text": "Saved &amp; tagged"}) == ["Saved & tagged"]


def test_frame() -> None:
    assert render.frame("DM to Kai", ["hi", ""], "10:00") == ["┌ DM to Kai", "│ hi", "│", "└ 10:00"]


def test_quote_lines_get_a_bar_but_escaped_gt_typed_by_a_user_does_not() -> None:
    assert render.mrkdwn(">Writes tests\nplain") == "▎ Writes tests\nplain"
    assert render.mrkdwn("&gt; not a quote") == "> not a quote"


def test_list_items_wrap_with_a_hanging_indent() -> None:
    lines = render.wrap("• " + "word " * 12 + "\n1. " + "more " * 12, 30)
    assert lines[0].startswith("• ") and lines[1].startswith("  word")
    numbered = lines.index(next(line for line in lines if line.startswith("1. ")))
    assert lines[numbered + 1].startswith("   more")
