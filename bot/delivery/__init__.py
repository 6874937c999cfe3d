"""Outbound Slack: renders what services decided with bot.blocks and makes the Slack calls."""
