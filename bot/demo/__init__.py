"""`growthbot demo`: the whole loop offline, on the real app, a fake Slack and a simulated clock."""
