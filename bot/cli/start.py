"""`growthbot start`: the one command a newcomer runs.

No SLACK_BOT_TOKEN: the offline demo (fake Slack, simulated weeks). With tokens: bring the schema
up to date, then the live bot, in Socket Mode when SLACK_APP_TOKEN is set, else over HTTP.
"""

from __future__ import annotations

import click

from bot.cli import CliContext, pass_cli
from bot.cli.checks import require


@click.command()
@click.pass_context
@pass_cli
def start(cli: CliContext, ctx: click.Context) -> None:
    """Run the demo without Slack tokens, or the live bot with them."""
    settings = cli.settings
    require(settings)
    root = ctx.find_root().command
    assert isinstance(root, click.Group)
    if not settings.has_slack_tokens and not settings.oauth_install:
        click.echo("No SLACK_BOT_TOKEN set: running the offline demo (see README to connect a real Slack).\n")
        ctx.invoke(root.commands["demo"])
        return
    ctx.invoke(root.commands["db"].commands["upgrade"])  # type: ignore[attr-defined]
    if settings.slack_app_token and not settings.oauth_install:
        ctx.invoke(root.commands["run"])
    else:
        ctx.invoke(root.commands["serve"])
