"""How much of each thing shown the transcript prints: in full, as a one-line stand-in, or not at all.

The default (brief) transcript shows each kind of message and modal once, and later ones of the same
kind in one line or not at all; `--full` shows every message, but a modal only the first time and an
App Home tab only when the script asks (the bot republishes it after every change).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot.demo import render
from bot.demo.shown import Shown
from bot.testing.fake_slack import FakeSlack

# The default (brief) transcript shows each kind of message and modal in full once, at most this many
# lines of it; later ones of the same kind get one line. `--full` shows everything.
BRIEF_MAX_LINES = 8
_NAME_WORDS = re.compile(r"\b\d+\b")
# After this many one-liners of a kind the brief transcript stops listing it (prompts excepted: each
# story is told to a prompt, so every prompt is listed).
BRIEF_REPEATS = 2
_ALWAYS_LISTED = ("growth prompt",)


class Condenser:
    """Decides, thing by thing, what the transcript prints; remembers what the reader has seen so far."""

    def __init__(self, fake: FakeSlack, names: Mapping[str, str], options: render.RenderOptions, *, full: bool) -> None:
        self.fake = fake
        self.names = names
        self.options = options
        self.full = full
        self._families: set[str] = set()
        self._repeats: dict[str, int] = {}
        self._sent_lines: dict[tuple[str, str], list[str]] = {}  # (channel, ts) -> lines shown
        self._titles_shown: set[str] = set()
        self._expand: set[tuple[str, str]] = set()
        self._shrink: set[tuple[str, str]] = set()
        # Extra one-line stand-ins the script asks for (e.g. repeated digest previews): Shown -> line or None.
        self.compactors: list[Callable[[Shown], str | None]] = []

    def expand_next(self, kind: str, user_id: str) -> None:
        """Show the next `kind` ("home" or "modal") for `user_id` in full, even if one like it was shown."""
        self._expand.add((kind, user_id))

    def compact_next(self, kind: str, user_id: str) -> None:
        """Show the next `kind` ("home" or "modal") for `user_id` as one line, even if it is new."""
        self._shrink.add((kind, user_id))

    def condense(self, shown: Shown) -> str | list[str]:
        """What to print of `shown`: "" for nothing, a one-line stand-in, or the lines to frame in full."""
        if shown.kind in ("reaction", "delete", "error"):
            line = " ".join(shown.lines) if shown.kind == "reaction" else f"{shown.audience}: {' '.join(shown.lines)}"
            if not self.full and shown.kind == "reaction":
                if "reaction" in self._families:
                    return ""
                self._families.add("reaction")
            return line
        if (
            not self.full
            and shown.kind == "home"
            and ("home", shown.user_ids[0] if shown.user_ids else "") not in self._expand
        ):
            return ""
        compact = self._compact(shown)
        if compact is None and not self.full:
            compact = self._brief(shown)
        self._remember(shown)
        if compact is not None:
            return compact
        lines = shown.lines
        body = [line.strip() for line in lines if line.strip() and not line.strip().startswith("[")]
        if not self.full and len(body) <= 2 and len(body) == len([line for line in lines if line.strip()]):
            # A short message or notice with no buttons reads as well on one line.
            return f"{shown.audience}: {' '.join(body)}"
        if not self.full and len(lines) > BRIEF_MAX_LINES:
            more = len(lines) - BRIEF_MAX_LINES + 1
            lines = [*lines[: BRIEF_MAX_LINES - 1], f"… {more} more lines (growthbot demo --full shows them all)"]
        return lines

    def _compact(self, shown: Shown) -> str | None:
        """A one-line stand-in for a view the reader has already seen in full, or None to show it whole.

        Each modal is shown in full the first time; App Home tabs only when the script asks, since the
        bot republishes them after every change.
        """
        for compactor in self.compactors:
            line = compactor(shown)
            if line is not None:
                return line
        if shown.kind not in ("modal", "modal-update", "home"):
            return None
        user = shown.user_ids[0] if shown.user_ids else ""
        kind = "home" if shown.kind == "home" else "modal"
        verb = "updated" if shown.kind == "modal-update" else "opened"
        if (kind, user) in self._shrink:
            self._shrink.discard((kind, user))
            return f"{shown.audience} {verb}"
        if (kind, user) in self._expand:
            self._expand.discard((kind, user))
            self._titles_shown.add(shown.title)
            return None
        if kind == "home":
            return f"{shown.audience} refreshed"
        if shown.title not in self._titles_shown:
            self._titles_shown.add(shown.title)
            return None
        return f"{shown.audience} {verb} (as above)"

    def _family(self, shown: Shown) -> str:
        """What kind of message this is, whoever it is for: its notification text up to the first colon,
        with names and numbers left out ("Before your 1:1 with", "Saved as evidence for")."""
        text = str(shown.params.get("text") or "") or (shown.lines[0] if shown.lines else "")
        head = text.split(": ", 1)[0]
        for name in self.names.values():
            head = head.replace(name, "").replace(name.split()[0], "")
        head = re.sub(r"<@[A-Z0-9]+>", "", head)
        head = re.sub(r"\byour\b", "", head, flags=re.IGNORECASE)
        return " ".join(_NAME_WORDS.sub("#", head).lower().split())

    def _summary(self, shown: Shown) -> str:
        text = render.mrkdwn(str(shown.params.get("text") or ""), self.options) or " ".join(shown.lines[:1])
        text = text.replace("Your growth prompt this week:", "🌱 prompt:")
        return " ".join(text.split())

    def _brief(self, shown: Shown) -> str | None:
        """In the brief transcript: "" to leave a line out, a one-line stand-in, or None to show it whole."""
        if shown.kind == "home":
            return ""  # an App Home refresh: shown only when the script asks for it
        if shown.kind == "update":
            before = self._sent_lines.get(self._message_key(shown), [])
            changed = [line.strip() for line in shown.lines if line not in before and line.strip()]
            what = " ".join(changed) if changed else "no visible change"
            family = "update:" + " ".join(_NAME_WORDS.sub("#", changed[-1] if changed else "").split()[:4])
            if family in self._families:
                return ""  # the same change as one already shown (an answered prompt, a closed one)
            self._families.add(family)
            return f"{shown.audience}: {what}"
        if shown.kind in ("message", "thread-reply", "ephemeral"):
            user = shown.user_ids[0] if shown.user_ids else ""
            if ("message", user) in self._expand:
                self._expand.discard(("message", user))
                self._families.add(self._family(shown))
                return None
            family = self._family(shown)
            if family in self._families:
                self._repeats[family] = self._repeats.get(family, 0) + 1
                if self._repeats[family] > BRIEF_REPEATS and not any(w in family for w in _ALWAYS_LISTED):
                    return ""
                return f"{shown.audience}: {self._summary(shown)}"
            self._families.add(family)
        return None

    @staticmethod
    def _message_key(shown: Shown) -> tuple[str, str]:
        return (str(shown.params.get("channel") or ""), str(shown.params.get("ts") or ""))

    def _remember(self, shown: Shown) -> None:
        """The lines of each message, so a later chat.update shows only what changed."""
        if shown.method == "chat.postMessage":
            for message in reversed(self.fake.messages(str(shown.params.get("channel") or ""))):
                if message.get("text") == shown.params.get("text"):
                    self._sent_lines[(str(shown.params.get("channel")), str(message.get("ts")))] = shown.lines
                    break
        elif shown.method == "chat.update":
            self._sent_lines[self._message_key(shown)] = shown.lines
