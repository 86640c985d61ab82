"""Stateful fakes of the chat platforms the bot talks to, for offline tests."""
