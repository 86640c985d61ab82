"""Moderator commands about the board itself: settings, channels, the digest, sharing."""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters import digest_text
from adapters.discord import convert, render
from adapters.discord.command_base import CommandBase
from adapters.discord.events import NO_PINGS
from bot.boards import SETTING_NAMES
from bot.errors import InvalidSetting
from bot.linking import CODE_LIFETIME
from bot.pairs import threshold_lines
from bot.web_access import WEB_SETTINGS

_ROLE_MENTION = re.compile(r"<@&(\d+)>")
WEBHOOK_USAGE = (
    "Use `/ideabot config webhook action:add url:<https URL> [events:a,b]`,"
    " `action:list`, or `action:remove id:<id>`."
)


class BoardCommands(CommandBase):
    """Handlers of /ideabot config, digest, link and join."""

    async def config_set(self, interaction: discord.Interaction, setting: str, value: str) -> None:
        async def work() -> None:
            if setting in WEB_SETTINGS:
                # Who may read the board on the web; a new read link is shown only here,
                # privately, to the moderator who made it.
                changed = await self.app.web_access.configure(
                    self._where(interaction), await self._actor(interaction), setting, value
                )
                await self._say(interaction, changed.message(), ephemeral=True)
                return
            parsed: Any = value
            if setting == "moderator_roles":
                parsed = " ".join(_ROLE_MENTION.sub(r"\1", value).split())
            board = await self.app.moderation.configure(
                self._where(interaction), await self._actor(interaction), setting, parsed
            )
            shown = board.settings.to_json()[setting]
            await self._say(interaction, f"`{setting}` is now `{shown}`.", ephemeral=True)

        await self.run(interaction, work)

    async def config_channel(
        self,
        interaction: discord.Interaction,
        purpose: str,
        channel: discord.TextChannel | discord.ForumChannel | None,
        enabled: bool,
    ) -> None:
        async def work() -> None:
            target_id = channel.id if channel is not None else interaction.channel_id
            where = convert.where(interaction.guild, target_id)
            await self.channels.set_channel(where, await self._actor(interaction), purpose, enabled)
            if purpose == "digest":
                self.app.digests.poke()
            last = getattr(channel or interaction.channel, "last_message_id", None)
            if enabled and purpose == "ideas" and last:
                # Only what comes after this counts: old chatter is not imported.
                await self.channels.advance(where, str(last))
            state = "is now" if enabled else "is no longer"
            await self._say(
                interaction, f"<#{target_id}> {state} an {purpose} channel.", ephemeral=True
            )

        await self.run(interaction, work)

    async def config_show(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            board = await self.app.moderation.moderator_board(
                self._where(interaction), await self._actor(interaction)
            )
            data = board.settings.to_json()
            lines = [f"**Board** `{board.name}`"]
            lines += [f"`{k}`: `{data[k]}`" for k in SETTING_NAMES]
            lines.append(f"web board: {await self.app.pages.visibility(board)}")
            for purpose in ("ideas", "digest"):
                places = await self.channels.channels(board, purpose)
                mentions = (
                    ", ".join(
                        f"<#{p.channel_id}>" for p in places if p.platform == convert.PLATFORM
                    )
                    or "none"
                )
                lines.append(f"{purpose} channels: {mentions}")
            _, current = await self.app.moderation.thresholds(
                self._where(interaction), await self._actor(interaction)
            )
            lines += threshold_lines(current)
            status = await self.app.digests.status(board)
            lines += digest_text.status_lines(status, render.channel_name, render.escape_md)
            await self._say(interaction, "\n".join(lines), ephemeral=True)

        await self.run(interaction, work)

    async def config_reset_thresholds(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            reset = await self.app.moderation.reset_thresholds(
                self._where(interaction), await self._actor(interaction)
            )
            lines = ["Duplicate thresholds are back to the defaults; past decisions are set aside."]
            await self._say(interaction, "\n".join(lines + threshold_lines(reset)), ephemeral=True)

        await self.run(interaction, work)

    async def config_webhook(
        self,
        interaction: discord.Interaction,
        action: str,
        url: str | None,
        events: str | None,
        webhook_id: int | None,
    ) -> None:
        async def work() -> None:
            where, actor = self._where(interaction), await self._actor(interaction)
            hooks = self.app.webhooks
            if action == "add" and url is not None:
                text = await hooks.add(where, actor, url, events)
            elif action == "list":
                text = await hooks.listing(where, actor)
            elif action == "remove" and webhook_id is not None:
                text = await hooks.remove(where, actor, str(webhook_id))
            else:
                await self.app.moderation.moderator_board(where, actor)  # refuse others first
                raise InvalidSetting(WEBHOOK_USAGE)
            # Only the moderator sees it: the reply to add holds the signing secret.
            await self._say(interaction, text, ephemeral=True)

        await self.run(interaction, work)

    async def config_digest(
        self, interaction: discord.Interaction, weekday: str, time: str, timezone: str | None
    ) -> None:
        async def work() -> None:
            changes = {"digest_weekday": weekday, "digest_time": time}
            if timezone is not None:
                changes["timezone"] = timezone
            board = await self.app.moderation.configure_many(
                self._where(interaction), await self._actor(interaction), changes
            )
            self.app.digests.poke()  # the scheduler's nap may end sooner now
            status = await self.app.digests.status(board)
            text = f"The digest is posted {digest_text.schedule(status)}."
            await self._say(interaction, text, ephemeral=True)

        await self.run(interaction, work)

    async def digest_now(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            where = self._where(interaction)
            deliveries = await self.app.digests.post_now(where, await self._actor(interaction))
            zone = (await self.app.core.board_for(where)).settings.zone
            lines = digest_text.delivery_lines(
                deliveries, zone, render.channel_name, render.escape_md
            )
            await self._say(interaction, "\n".join(lines), ephemeral=True)

        await self.run(interaction, work)

    async def digest_preview(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            digest = await self.app.digests.preview(
                self._where(interaction), await self._actor(interaction)
            )
            for embeds in render.digest_embeds(digest):
                await interaction.followup.send(
                    embeds=embeds, ephemeral=True, allowed_mentions=NO_PINGS
                )

        await self.run(interaction, work)

    async def link(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            made = await self.linking.make_code(
                self._where(interaction), await self._actor(interaction)
            )
            minutes = int(CODE_LIFETIME.total_seconds() // 60)
            await self._say(
                interaction,
                f"Link code for board `{made.board.name}`: **{made.code}**\n"
                f"A moderator of the other community runs `/ideabot join code:{made.code}` "
                f"within {minutes} minutes; the code works once.",
                ephemeral=True,
            )

        await self.run(interaction, work)

    async def join(self, interaction: discord.Interaction, code: str, merge: bool = False) -> None:
        async def work() -> None:
            joined = await self.linking.join(
                self._where(interaction), await self._actor(interaction), code, merge=merge
            )
            await self._say(interaction, joined.message("server"), ephemeral=True)

        await self.run(interaction, work)
