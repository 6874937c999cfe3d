"""Block Kit payloads (message blocks, modals, App Home views) as readable terminal text.

Pure functions over the JSON Slack receives, so the demo shows exactly what a person would see,
whatever builder produced it. Unknown block or element types render as a short placeholder rather
than failing: the transcript must never crash on a payload Slack itself would accept.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

import emoji

from bot.blocks.common import unescape

Json = Mapping[str, Any]

DEFAULT_WIDTH = 78
RULE = "─"

# Emoji often used as bar segments; shortcodes would make a bar unreadable, so they become blocks.
# Every other :shortcode: Slack knows becomes its emoji (the `emoji` library's names, with Slack's aliases);
# an unknown one (a workspace's custom emoji) stays as typed, which is how Slack shows it while loading.
BAR_EMOJI = {
    ":large_green_square:": "█",
    ":large_blue_square:": "█",
    ":large_purple_square:": "█",
    ":large_orange_square:": "█",
    ":large_yellow_square:": "█",
    ":black_large_square:": "█",
    ":white_large_square:": "░",
    ":black_small_square:": "▪",
    ":white_small_square:": "▫",
}

_BOLD = ("\x1b[1m", "\x1b[22m")
_ITALIC = ("\x1b[3m", "\x1b[23m")
_STRIKE = ("\x1b[9m", "\x1b[29m")
_DIM = ("\x1b[2m", "\x1b[22m")

_ANGLE = re.compile(r"<([^<>\s][^<>]*)>")
_CODE = re.compile(r"```\n?(.*?)\n?```|`([^`\n]+)`", re.DOTALL)
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")
_QUOTE = re.compile(r"^> ?", re.MULTILINE)
_BULLET = re.compile(r"^(?:[•◦▪\-]|\d{1,2}\.) ")
QUOTE_BAR = "▎ "
# Slack's formatting markers: opened after start/space/punctuation, closed before end/space/punctuation.
_FORMAT = {
    "*": re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"),
    "_": re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"),
    "~": re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"),
}


@dataclass(frozen=True)
class RenderOptions:
    """How to render: line width, ANSI styling, and names to show for user and channel ids."""

    width: int = DEFAULT_WIDTH
    ansi: bool = False
    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)


PLAIN = RenderOptions()


def _style(text: str, pair: tuple[str, str], options: RenderOptions) -> str:
    return f"{pair[0]}{text}{pair[1]}" if options.ansi else text


def _angle(match: re.Match[str], options: RenderOptions) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return "@" + (label or options.users.get(user_id, user_id))
    if target.startswith("#"):
        channel_id = target[1:]
        return "#" + (label or options.channels.get(channel_id, channel_id))
    if target.startswith("!"):
        command = target[1:]
        if command.startswith("date^"):
            return label or command.split("^")[1]
        if command.startswith("subteam^"):
            return label or "@" + command.split("^")[1]
        return label or "@" + command
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    if label and label != target:
        return f"{label} ({target})"
    return target


def mrkdwn(text: str, options: RenderOptions = PLAIN) -> str:
    """Slack mrkdwn as terminal text: links and mentions resolved, markers styled or dropped, entities decoded.

    Entities are decoded last so that user text Slack was sent escaped (`&lt;!channel&gt;`) shows as the
    characters the person typed and is never mistaken for a mention or link.
    """
    text = _ANGLE.sub(lambda match: _angle(match, options), text)
    # Code spans show their text (Slack draws a box, not the backticks).
    text = _CODE.sub(lambda match: match.group(1) if match.group(1) is not None else match.group(2), text)
    for marker, pattern in _FORMAT.items():
        pair = {"*": _BOLD, "_": _ITALIC, "~": _STRIKE}[marker]
        text = pattern.sub(lambda match, pair=pair: _style(match.group(1), pair, options), text)
    text = emojize(text)
    # A line starting with a literal ">" is a quote in Slack; an escaped "&gt;" someone typed is not.
    text = _QUOTE.sub(QUOTE_BAR, text)
    return unescape(text)


def emojize(text: str) -> str:
    """`:tada:` as 🎉; bar segments as blocks; unknown shortcodes unchanged."""

    def one(match: re.Match[str]) -> str:
        code = match.group(0)
        if code in BAR_EMOJI:
            return BAR_EMOJI[code]
        return str(emoji.emojize(code, language="alias"))

    return _EMOJI.sub(one, text)


def shorten_to(text: str, columns: int) -> str:
    """`text` cut at a word to fit `columns` terminal columns, with an ellipsis when cut."""
    if display_width(text) <= columns:
        return text
    cut = text
    while cut and display_width(cut) > columns - 1:
        cut = cut[:-1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:·(") + "…"


def display_width(text: str) -> int:
    """Terminal columns: wide characters (most emoji, CJK) take two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\ufe0f\u200d":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def text_of(obj: Json | str | None, options: RenderOptions = PLAIN) -> str:
    """A Block Kit text object (plain_text or mrkdwn) as terminal text."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return mrkdwn(obj, options)
    raw = str(obj.get("text", ""))
    if obj.get("type") == "plain_text":
        # plain_text is shown verbatim by Slack apart from the entities and, when asked, emoji.
        return unescape(emojize(raw))
    return mrkdwn(raw, options)


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Wrap each line of `text` to `width`, keeping blank lines and never splitting URLs or words."""
    lines: list[str] = []
    usable = max(width - len(indent), 10)
    for line in text.split("\n"):
        if not line.strip():
            lines.append(indent.rstrip())
            continue
        leading = line[: len(line) - len(line.lstrip(" "))]
        bullet = _BULLET.match(line.strip(" "))
        # Continuation lines of a list item hang under its text, as Slack shows them.
        hang = " " * len(bullet.group(0)) if bullet else ""
        # Wide characters (emoji) take two columns: wrap shorter by as many as the line has.
        wide = display_width(line) - len(line)
        wrapped = textwrap.wrap(
            line.strip(" "),
            max(usable - len(leading) - max(wide, 0), 10),
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
            replace_whitespace=False,
        )
        lines.extend(indent + leading + part for part in wrapped or [""])
    return lines


def _option_label(option: Json | None, options: RenderOptions) -> str:
    if not option:
        return ""
    return text_of(option.get("text"), options)


def element(item: Json, options: RenderOptions = PLAIN) -> str:
    """One interactive element on one line: buttons as `[ Label ]`, menus as `[ Choice ▾ ]`."""
    kind = item.get("type")
    placeholder = text_of(item.get("placeholder"), options)
    if kind == "button":
        label = text_of(item.get("text"), options)
        if item.get("url"):
            return f"[ {label} ↗ ]"
        return f"[ {label} ]"
    if kind in ("static_select", "external_select"):
        chosen = _option_label(item.get("initial_option"), options)
        return f"[ {chosen or placeholder or 'Choose…'} ▾ ]"
    if kind in ("multi_static_select", "multi_external_select"):
        chosen = [_option_label(option, options) for option in item.get("initial_options") or []]
        if chosen:
            return " ".join(f"[ {label} × ]" for label in chosen) + " ▾"
        return f"[ {placeholder or 'Choose…'} ▾ ]"
    if kind in ("users_select", "conversations_select", "channels_select"):
        initial = item.get("initial_user") or item.get("initial_conversation") or item.get("initial_channel")
        if initial:
            prefix = "@" if kind == "users_select" else "#"
            name = (options.users if kind == "users_select" else options.channels).get(initial, initial)
            return f"[ {prefix}{name} ▾ ]"
        return f"[ {placeholder or 'Choose…'} ▾ ]"
    if kind in ("multi_users_select", "multi_conversations_select", "multi_channels_select"):
        initial = item.get("initial_users") or item.get("initial_conversations") or item.get("initial_channels")
        if initial:
            names = [options.users.get(user, options.channels.get(user, user)) for user in initial]
            return " ".join(f"[ {name} × ]" for name in names) + " ▾"
        return f"[ {placeholder or 'Choose…'} ▾ ]"
    if kind == "overflow":
        return "[ ⋯ ]"
    if kind == "datepicker":
        return f"[ {item.get('initial_date') or placeholder or 'YYYY-MM-DD'} ▾ ]"
    if kind == "timepicker":
        return f"[ {item.get('initial_time') or placeholder or 'HH:MM'} ▾ ]"
    if kind == "datetimepicker":
        return f"[ {item.get('initial_date_time') or placeholder or 'date and time'} ▾ ]"
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        value = item.get("initial_value") or ""
        if value:
            return f"[ {value} ]"
        return f"[ {placeholder} ]" if placeholder else "[ ______________________ ]"
    if kind in ("checkboxes", "radio_buttons"):
        return " ".join(_choices(item, options))
    if kind == "image":
        return f"[image: {item.get('alt_text', '')}]"
    return f"[{kind}]"


def _choices(item: Json, options: RenderOptions) -> list[str]:
    kind = item.get("type")
    chosen: list[Json] = list(item.get("initial_options") or [])
    if item.get("initial_option"):
        chosen.append(item["initial_option"])
    chosen_values = {option.get("value") for option in chosen}
    marks = ("[x]", "[ ]") if kind == "checkboxes" else ("(•)", "( )")
    return [
        f"{marks[0] if option.get('value') in chosen_values else marks[1]} {_option_label(option, options)}"
        for option in item.get("options") or []
    ]


def _inline(items: Iterable[str], width: int, indent: str = "") -> list[str]:
    """Lay out short pieces left to right, wrapping to the next line when the width runs out."""
    lines: list[str] = []
    current = ""
    for piece in items:
        candidate = f"{current}  {piece}" if current else piece
        if current and len(indent) + len(candidate) > width:
            lines.append(indent + current)
            current = piece
        else:
            current = candidate
    if current:
        lines.append(indent + current)
    return lines


def _fields(fields: Sequence[Json], options: RenderOptions) -> list[str]:
    column = (options.width - 2) // 2
    lines: list[str] = []
    for index in range(0, len(fields), 2):
        left = wrap(text_of(fields[index], options), column)
        right = wrap(text_of(fields[index + 1], options), column) if index + 1 < len(fields) else []
        for left_line, right_line in zip_longest(left, right, fillvalue=""):
            lines.append(f"{left_line:<{column}}  {right_line}".rstrip() if right_line else left_line)
    return lines


def _rich_text(block: Json, options: RenderOptions) -> list[str]:
    lines: list[str] = []
    for section in block.get("elements") or []:
        kind = section.get("type")
        if kind == "rich_text_list":
            for number, item in enumerate(section.get("elements") or [], start=1):
                bullet = f"{number}." if section.get("style") == "ordered" else "•"
                item_lines = wrap(_rich_inline(item, options), options.width, indent=" " * (len(bullet) + 3))
                if item_lines:
                    item_lines[0] = f"  {bullet} " + item_lines[0].lstrip()
                lines += item_lines
        elif kind == "rich_text_quote":
            lines += wrap(_rich_inline(section, options), options.width, indent="│ ")
        elif kind == "rich_text_preformatted":
            lines += ["    " + line for line in _rich_inline(section, options).split("\n")]
        else:
            lines += wrap(_rich_inline(section, options), options.width)
    return lines


def _rich_inline(section: Json, options: RenderOptions) -> str:
    parts: list[str] = []
    for item in section.get("elements") or []:
        kind = item.get("type")
        if kind == "text":
            parts.append(str(item.get("text", "")))
        elif kind == "link":
            parts.append(str(item.get("text") or item.get("url", "")))
        elif kind == "user":
            parts.append("@" + options.users.get(item.get("user_id", ""), item.get("user_id", "")))
        elif kind == "channel":
            parts.append("#" + options.channels.get(item.get("channel_id", ""), item.get("channel_id", "")))
        elif kind == "emoji":
            parts.append(f":{item.get('name', '')}:")
        elif kind == "broadcast":
            parts.append("@" + str(item.get("range", "")))
        elif kind in ("rich_text_section", "rich_text_quote", "rich_text_preformatted"):
            parts.append(_rich_inline(item, options))
    return "".join(parts)


def block(item: Json, options: RenderOptions = PLAIN) -> list[str]:
    """One block as terminal lines."""
    kind = item.get("type")
    width = options.width
    if kind == "header":
        title = text_of(item.get("text"), options)
        return [_style(title, _BOLD, options), RULE * min(len(title), width)]
    if kind == "divider":
        return [RULE * width]
    if kind == "section":
        lines: list[str] = []
        accessory = item.get("accessory")
        accessory_text = element(accessory, options) if accessory else ""
        text = text_of(item.get("text"), options)
        if text:
            text_width = width - len(accessory_text) - 2 if accessory_text and "\n" not in text else width
            if accessory_text and len(accessory_text) < width // 2 and "\n" not in text:
                wrapped = wrap(text, text_width)
                first = wrapped[0] if wrapped else ""
                lines += [f"{first:<{text_width}}  {accessory_text}", *wrapped[1:]]
                accessory_text = ""
            else:
                lines += wrap(text, width)
        if item.get("fields"):
            lines += _fields(item["fields"], options)
        if accessory_text:
            if accessory and accessory.get("type") in ("checkboxes", "radio_buttons"):
                lines += ["  " + choice for choice in _choices(accessory, options)]
            else:
                lines.append("  " + accessory_text)
        return lines
    if kind == "context":
        pieces = []
        for part in item.get("elements") or []:
            if part.get("type") == "image":
                pieces.append(f"[{part.get('alt_text', 'image')}]")
            else:
                pieces.append(text_of(part, options))
        return [_style(line, _DIM, options) for line in wrap("  ".join(pieces), width, indent="  ")]
    if kind == "actions":
        return _inline((element(part, options) for part in item.get("elements") or []), width)
    if kind == "input":
        label = text_of(item.get("label"), options)
        if item.get("optional"):
            label += " (optional)"
        lines = [_style(line, _BOLD, options) for line in wrap(label, width)]
        control = item.get("element") or {}
        if control.get("type") in ("checkboxes", "radio_buttons"):
            lines += ["  " + choice for choice in _choices(control, options)]
        elif control.get("type") == "plain_text_input" and control.get("multiline"):
            value = str(control.get("initial_value") or text_of(control.get("placeholder"), options) or "")
            inner = width - 6
            lines.append("  ┌" + "─" * (inner + 2) + "┐")
            for line in wrap(value, inner) or [""]:
                lines.append(f"  │ {line:<{inner}} │")
            lines.append("  └" + "─" * (inner + 2) + "┘")
        else:
            lines += wrap(element(control, options), width, indent="  ")
        if item.get("hint"):
            lines += [_style(line, _DIM, options) for line in wrap(text_of(item["hint"], options), width, "  ")]
        return lines
    if kind == "image":
        title = text_of(item.get("title"), options)
        return [f"[image: {title or item.get('alt_text', '')}]"]
    if kind == "rich_text":
        return _rich_text(item, options)
    if kind == "markdown":
        return wrap(str(item.get("text", "")), width)
    if kind == "file":
        return [f"[file {item.get('external_id', '')}]"]
    return [f"[{kind} block]"]


def blocks(items: Iterable[Json], options: RenderOptions = PLAIN) -> list[str]:
    """A list of blocks as terminal lines, one blank line between blocks except around dividers."""
    lines: list[str] = []
    previous: str | None = None
    for item in items:
        kind = item.get("type")
        # Context and actions hug the block above them, as they do in Slack.
        hugs = kind in ("context", "actions", "divider") or previous == "divider"
        if previous is not None and not hugs and lines and lines[-1]:
            lines.append("")
        lines += block(item, options)
        previous = kind
    return lines


def message(payload: Json, options: RenderOptions = PLAIN) -> list[str]:
    """A chat message (postMessage / update / ephemeral / response_url body): its blocks, else its text."""
    lines: list[str] = []
    if payload.get("blocks"):
        lines += blocks(payload["blocks"], options)
    elif payload.get("text"):
        lines += wrap(mrkdwn(str(payload["text"]), options), options.width)
    for attachment in payload.get("attachments") or []:
        lines += ["│ " + line for line in message(attachment, options)]
    return lines


def view(payload: Json, options: RenderOptions = PLAIN) -> list[str]:
    """A modal or Home view: its blocks, and for a modal its footer buttons `[ Close ]  [ Submit ]`."""
    lines = blocks(payload.get("blocks") or [], options)
    if payload.get("type") == "modal":
        footer = []
        if payload.get("close"):
            footer.append(f"[ {text_of(payload['close'], options)} ]")
        elif payload.get("submit"):
            footer.append("[ Cancel ]")
        else:
            footer.append("[ Close ]")
        if payload.get("submit"):
            footer.append(f"[ {text_of(payload['submit'], options)} ]")
        lines += ["", "  ".join(footer).rjust(options.width)]
    return lines


def view_title(payload: Json, options: RenderOptions = PLAIN) -> str:
    if payload.get("type") == "home":
        return "App Home"
    return text_of(payload.get("title"), options) or "modal"


def frame(title: str, body: Sequence[str], footer: str = "", width: int | None = None) -> list[str]:
    """A titled box with a left rule only, so wide characters never misalign a right edge; a title
    wider than `width` wraps onto the box's first lines."""
    heads = wrap(title, width - 2) if width else [title]
    lines = [f"┌ {heads[0]}", *(f"│ {head}" for head in heads[1:])]
    lines += [f"│ {line}".rstrip() for line in body]
    lines.append(f"└ {footer}".rstrip())
    return lines
