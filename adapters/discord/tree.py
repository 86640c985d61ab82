"""Registration of every application command on the tree, with its options and limits."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord.commands import MOD_PERMISSIONS, Commands
from bot.boards import SETTING_NAMES, WEEKDAYS
from bot.domain import Status
from bot.web_access import WEB_SETTINGS

StatusChoice = Literal["open", "under_review", "planned", "in_progress", "done", "declined"]
SettingChoice = Literal[
    "vote_emoji",
    "suggest",
    "auto_merge",
    "moderator_roles",
    "moderator_users",
    "banned_users",
    "digest_weekday",
    "digest_time",
    "timezone",
    "reconcile_days",
    "webhook_vote_thresholds",
    "public",
    "read_link",
]
WeekdayChoice = Literal[
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
]
assert set(StatusChoice.__args__) == {s.value for s in Status}  # type: ignore[attr-defined]
assert set(SettingChoice.__args__) == {*SETTING_NAMES, *WEB_SETTINGS}  # type: ignore[attr-defined]
assert WeekdayChoice.__args__ == WEEKDAYS  # type: ignore[attr-defined]


def build_tree(tree: app_commands.CommandTree[Any], commands: Commands) -> None:
    """Register every command on ``tree``."""

    @tree.command(name="idea", description="Post an idea to the board")
    @app_commands.describe(text="Your idea: a short first line, then details")
    @app_commands.guild_only()
    async def idea(
        interaction: discord.Interaction, text: app_commands.Range[str, 1, 6000]
    ) -> None:
        await commands.idea(interaction, text)

    @tree.context_menu(name="Save as idea")
    @app_commands.guild_only()
    async def save(interaction: discord.Interaction, message: discord.Message) -> None:
        await commands.save_as_idea(interaction, message)

    ideas = app_commands.Group(name="ideas", description="Browse the idea board", guild_only=True)

    @ideas.command(name="top", description="The open ideas with the most votes")
    async def top(
        interaction: discord.Interaction, count: app_commands.Range[int, 1, 25] = 10
    ) -> None:
        await commands.top(interaction, count)

    @ideas.command(name="search", description="Ideas like your words")
    async def search(
        interaction: discord.Interaction, query: app_commands.Range[str, 1, 500]
    ) -> None:
        await commands.search(interaction, query)

    @ideas.command(name="show", description="One idea by number")
    async def show(
        interaction: discord.Interaction, number: app_commands.Range[int, 1, 10**9]
    ) -> None:
        await commands.show(interaction, number)

    mod = app_commands.Group(
        name="ideabot",
        description="Moderate the idea board",
        guild_only=True,
        default_permissions=MOD_PERMISSIONS,
    )

    @mod.command(name="merge", description="Merge an idea into another")
    async def merge(
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 10**9],
        into: app_commands.Range[int, 1, 10**9],
    ) -> None:
        await commands.merge(interaction, number, into)

    @mod.command(name="unmerge", description="Undo a merge")
    async def unmerge(
        interaction: discord.Interaction, number: app_commands.Range[int, 1, 10**9]
    ) -> None:
        await commands.unmerge(interaction, number)

    @mod.command(name="status", description="Set an idea's status, with a note for its voters")
    async def status(
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 10**9],
        status: StatusChoice,
        note: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await commands.status(interaction, number, status, note)

    @mod.command(name="delete", description="Withdraw an idea (its history is kept)")
    async def delete(
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 10**9],
        reason: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        await commands.delete(interaction, number, reason)

    @mod.command(name="link", description="Get a one-time code to share this board")
    async def link(interaction: discord.Interaction) -> None:
        await commands.link(interaction)

    @mod.command(name="join", description="Share another community's board, with its code")
    @app_commands.describe(
        merge="This server's board has ideas: move them onto that board (they get new numbers)"
    )
    async def join(
        interaction: discord.Interaction,
        code: app_commands.Range[str, 1, 40],
        merge: bool = False,
    ) -> None:
        await commands.join(interaction, code, merge)

    config = app_commands.Group(name="config", description="Board settings", parent=mod)

    @config.command(name="set", description="Change a board setting")
    async def config_set(
        interaction: discord.Interaction,
        setting: SettingChoice,
        value: app_commands.Range[str, 1, 500],
    ) -> None:
        await commands.config_set(interaction, setting, value)

    @config.command(name="show", description="Show the board's settings and channels")
    async def config_show(interaction: discord.Interaction) -> None:
        await commands.config_show(interaction)

    @config.command(
        name="reset-thresholds",
        description="Forget the board's duplicate decisions; thresholds back to the defaults",
    )
    async def config_reset_thresholds(interaction: discord.Interaction) -> None:
        await commands.config_reset_thresholds(interaction)

    @config.command(name="channel", description="Make a channel an idea or digest channel")
    async def config_channel(
        interaction: discord.Interaction,
        purpose: Literal["ideas", "digest"],
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        enabled: bool = True,
    ) -> None:
        await commands.config_channel(interaction, purpose, channel, enabled)

    @config.command(name="webhook", description="Send the board's events to another system")
    @app_commands.describe(
        action="add an endpoint, list them, or remove one",
        url="add: the endpoint's https URL",
        events="add: comma-separated events (default: all)",
        webhook_id="remove: the webhook's id (from list)",
    )
    @app_commands.rename(webhook_id="id")
    async def config_webhook(
        interaction: discord.Interaction,
        action: Literal["add", "list", "remove"],
        url: app_commands.Range[str, 1, 2000] | None = None,
        events: app_commands.Range[str, 1, 1000] | None = None,
        webhook_id: app_commands.Range[int, 1, 2**31 - 1] | None = None,
    ) -> None:
        await commands.config_webhook(interaction, action, url, events, webhook_id)

    @config.command(name="digest", description="When the weekly digest is posted")
    @app_commands.describe(
        weekday="The day it is posted",
        time="Local time, 24-hour HH:MM, like 09:00",
        timezone="An IANA time zone, like Europe/Berlin (unchanged if left out)",
    )
    async def config_digest(
        interaction: discord.Interaction,
        weekday: WeekdayChoice,
        time: app_commands.Range[str, 1, 100],
        timezone: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        await commands.config_digest(interaction, weekday, time, timezone)

    digest = app_commands.Group(name="digest", description="The weekly digest", parent=mod)

    @digest.command(name="preview", description="Show the next digest to you only")
    async def preview(interaction: discord.Interaction) -> None:
        await commands.digest_preview(interaction)

    @digest.command(name="now", description="Post the latest digest where it is missing")
    async def now(interaction: discord.Interaction) -> None:
        await commands.digest_now(interaction)

    tree.add_command(ideas)
    tree.add_command(mod)
