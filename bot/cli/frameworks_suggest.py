"""`growthbot frameworks suggest FRAMEWORK "TEXT" [--level L] [--top N]`: a ladder's behaviours ranked
against evidence text, with scores, the way captured evidence is ranked (frameworks.evidence_rank)."""

from __future__ import annotations

import click

from bot.cli import CliContext, pass_cli
from frameworks import FrameworkError, load_library, match_framework, match_level
from frameworks.evidence_rank import CLEAR_SCORE, rank_behaviours
from frameworks.lookups import AmbiguousMatch


@click.command("suggest")
@click.argument("framework_id", metavar="FRAMEWORK")
@click.argument("text")
@click.option("--level", "-l", help="Only behaviours of this level (id, name or number).")
@click.option("--top", "-n", type=click.IntRange(1, 100), default=5, show_default=True, help="How many to print.")
@pass_cli
def suggest_command(cli: CliContext, framework_id: str, text: str, level: str | None, top: int) -> None:
    """Rank a ladder's behaviours against evidence TEXT and print them with their scores."""
    if not text.strip():
        raise click.ClickException('TEXT is empty: give the evidence to rank, e.g. "Led the interview loop".')
    directory = cli.settings.frameworks_dir
    try:
        library = load_library([directory] if directory else [])
        framework = match_framework(library, framework_id)
        if framework is None:
            raise click.ClickException(
                f"No ladder matches {framework_id!r}; `growthbot frameworks list` shows them all."
            )
        chosen = match_level(framework, level) if level else None
        if level and chosen is None:
            names = ", ".join(lv.id for lv in framework.levels)
            raise click.ClickException(f"{framework.name} has no level matching {level!r}; levels: {names}.")
    except (FrameworkError, AmbiguousMatch) as error:
        raise click.ClickException(str(error)) from None
    pool = [b for b in framework.behaviours if chosen is None or b.level_id == chosen.id]
    ranked = rank_behaviours(framework, text, pool, limit=top)
    click.echo(f"{framework.name} ({framework.id}){f', level {chosen.name}' if chosen else ''}: {len(pool)} behaviours")
    for position, item in enumerate(ranked, 1):
        behaviour = item.behaviour
        click.echo(f"{position:>3}. {item.score:6.2f}  {behaviour.id}  {behaviour.text}")
    if not ranked or ranked[0].score < CLEAR_SCORE:
        click.echo(f"(no behaviour matches clearly: the best score is under {CLEAR_SCORE})")
