"""What a `/ladder` subcommand is: a name, a usage line, a summary and a handler taking `LadderContext`.

A feature adds a subcommand by writing a module with a `SUBCOMMAND = Subcommand(...)` and adding one
line to the table in `bot.listeners.commands.ladder`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.deps import Deps
from bot.services.actor import Actor

# facts, "Block Kit limits": 50 blocks per message.
MESSAGE_MAX_BLOCKS = 50


@dataclass(frozen=True, slots=True)
class LadderContext:
    """One `/ladder` invocation, parsed. `args` is the text after the subcommand, unescaped, never shown raw."""

    deps: Deps
    actor: Actor
    client: WebClient
    respond: Respond
    team_id: str
    user_id: str
    channel_id: str | None
    trigger_id: str | None
    name: str
    args: str

    @property
    def words(self) -> list[str]:
        return self.args.split()

    def reply(self, blocks: Sequence[Block], text: str) -> bool:
        """An ephemeral answer only the caller sees; more than 50 blocks go out as several messages.
        False when Slack did not take every part (the response_url answers with an HTTP status)."""
        dicts = [block.to_dict() for block in blocks]
        delivered = True
        for start in range(0, max(len(dicts), 1), MESSAGE_MAX_BLOCKS):
            answer = self.respond(
                text=text,
                blocks=dicts[start : start + MESSAGE_MAX_BLOCKS],
                response_type="ephemeral",
                replace_original=False,
            )
            delivered = delivered and getattr(answer, "status_code", 200) == 200
        return delivered


@dataclass(frozen=True, slots=True)
class Subcommand:
    name: str
    usage: str  # e.g. "/ladder next [area]"
    summary: str  # one line for help
    handler: Callable[[LadderContext], None]
    aliases: tuple[str, ...] = ()
    # True: run on `deps.followups` after the ack, so a burst of answers never delays other acks.
    # Leave False for handlers that open a modal: a trigger_id expires about 3 s after the command.
    background: bool = False
    # True: listed in help, and suggested for typos, only to admins (the handler still checks).
    admin_only: bool = False
