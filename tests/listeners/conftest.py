from tests.listeners.harness import harness, harness_any  # noqa: F401  (the fixture, for every test under tests/bot)
