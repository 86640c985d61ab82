"""The fake Discord server fixtures, for tests that use both platforms at once."""

from tests.adapters.discord.conftest import fake, world  # noqa: F401 - fixtures by name
