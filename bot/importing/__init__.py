"""Importing chat history: Slack workspace exports and DiscordChatExporter JSON files.

``reader`` opens what the user points at and hands it to the parser of its format
(``slack_export``, ``dce``); both produce the platform-free values of ``model``.
``plan`` embeds and de-duplicates them the way live capture does, in batches;
``apply`` writes the plan in one transaction; ``importer`` runs the whole thing.
"""
