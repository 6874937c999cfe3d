"""`growthbot frameworks ...`: list, show, validate and import career ladders."""

from __future__ import annotations

import click


@click.group()
def frameworks() -> None:
    """Career ladders: list, show, validate, import from Markdown."""
