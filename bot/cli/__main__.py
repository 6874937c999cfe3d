"""`python -m bot.cli ...`, the same as the `growthbot` script."""

from bot.cli import main

main(prog_name="growthbot")
