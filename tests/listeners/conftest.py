from tests.listeners.harness import harness  # noqa: F401  (the fixture, for every test under tests/bot)
