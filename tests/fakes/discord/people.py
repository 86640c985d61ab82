"""The facade's half that acts as people do: post, edit, delete, react, start threads and forum
posts, use slash / context-menu commands, press buttons, submit modals. Each call stores the
change, dispatches it to connected bot sessions and returns once the events are written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .commands import check_can_use, component_data, find_command, modal_data, slash_data
from .gateway import GatewayHub
from .interactions import COMMAND, COMPONENT, MODAL_SUBMIT, FakeInteraction, Interactions
from .model import (
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeUser,
    normalize_emoji,
)
from .state import FakeState

Person = FakeMember | FakeUser


class People:
    state: FakeState
    gateway: GatewayHub
    _interactions: Interactions

    # -- acting as people -----------------------------------------------------------------------

    async def post_message(
        self,
        channel: FakeChannel,
        author: Person,
        content: str = "",
        *,
        embeds: Sequence[dict[str, Any]] = (),
        reply_to: FakeMessage | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
    ) -> FakeMessage:
        if channel.is_forum:
            raise ValueError("post in a forum with create_forum_post()")
        files = [FakeAttachment(self.state.ids.next(), name, data) for name, data in attachments]
        message = self.state.create_message(
            channel,
            self._user(author, channel),
            content,
            embeds=list(embeds),
            attachments=files,
            reference=reply_to,
        )
        await self.gateway.flush()
        return message

    async def edit_message(self, message: FakeMessage, content: str) -> FakeMessage:
        self.state.edit_message(message, content=content)
        await self.gateway.flush()
        return message

    async def delete_message(self, message: FakeMessage) -> None:
        self.state.delete_message(message)
        await self.gateway.flush()

    async def react(
        self, message: FakeMessage, user: Person, emoji: str, *, burst: bool = False
    ) -> bool:
        """Add a reaction ("👍", or "name:id" for a custom emoji); False if it was there already."""
        added = self.state.add_reaction(
            message, self._user(user, message.channel), normalize_emoji(emoji), burst=burst
        )
        await self.gateway.flush()
        return added

    async def react_many(
        self, message: FakeMessage, users: Sequence[Person], emoji: str
    ) -> list[dict[str, Any]]:
        """Many people react at once: every event is queued, then all are written together
        (a storm). Returns the MESSAGE_REACTION_ADD payloads dispatched, in order."""
        key = normalize_emoji(emoji)
        before = len(self.state.dispatched)
        for user in users:
            self.state.add_reaction(message, self._user(user, message.channel), key)
        await self.gateway.flush()
        return [d for e, d in self.state.dispatched[before:] if e == "MESSAGE_REACTION_ADD"]

    async def unreact(self, message: FakeMessage, user: Person, emoji: str) -> bool:
        removed = self.state.remove_reaction(
            message, self._user(user, message.channel), normalize_emoji(emoji)
        )
        await self.gateway.flush()
        return removed

    async def create_thread(
        self,
        channel: FakeChannel,
        owner: Person,
        name: str,
        *,
        message: FakeMessage | None = None,
        private: bool = False,
    ) -> FakeChannel:
        """A thread in a text channel, from ``message`` (same id as the message) or not."""
        if channel.type != TEXT:
            raise ValueError("threads start in text channels; use create_forum_post() for forums")
        thread = self.state.create_thread(
            channel,
            self._user(owner, channel),
            name,
            message=message,
            type=PRIVATE_THREAD if private else PUBLIC_THREAD,
        )
        await self.gateway.flush()
        return thread

    async def create_forum_post(
        self,
        forum: FakeChannel,
        author: Person,
        name: str,
        content: str,
        *,
        tags: Sequence[int] = (),
    ) -> tuple[FakeChannel, FakeMessage]:
        """A forum post: a thread plus its starter message (sharing the thread's id)."""
        if not forum.is_forum:
            raise ValueError(f"{forum.name!r} is not a forum")
        user = self._user(author, forum)
        thread = self.state.create_thread(forum, user, name, applied_tags=list(tags))
        starter = self.state.create_message(thread, user, content, id=thread.id)
        await self.gateway.flush()
        return thread, starter

    async def slash(
        self,
        guild: FakeGuild,
        channel: FakeChannel,
        member: FakeMember,
        name: str,
        subcommands: Sequence[str] = (),
        options: Mapping[str, Any] | None = None,
    ) -> FakeInteraction:
        """Use a registered chat-input command, e.g. ``slash(g, ch, m, "ideabot", ["merge"],
        {"number": 3})``. Option types come from the synced definition; users/members,
        channels and roles are passed as Fake objects and land in ``data.resolved``."""
        command = find_command(self.state, guild, name, 1)
        check_can_use(command, member, self.state.command_overrides)
        data = slash_data(self.state, command, subcommands, options or {})
        label = "/" + " ".join([name, *subcommands])
        return await self._trigger(COMMAND, guild, channel, member, data, label)

    async def message_command(
        self,
        guild: FakeGuild,
        channel: FakeChannel,
        member: FakeMember,
        name: str,
        *,
        target: FakeMessage,
    ) -> FakeInteraction:
        command = find_command(self.state, guild, name, 3)
        check_can_use(command, member, self.state.command_overrides)
        target_payload = self.state.payloads.message(target) | {"guild_id": str(guild.id)}
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): target_payload}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._trigger(
            COMMAND, guild, channel, member, data, f"message command {name!r}"
        )

    async def user_command(
        self,
        guild: FakeGuild,
        channel: FakeChannel,
        member: FakeMember,
        name: str,
        *,
        target: FakeMember,
    ) -> FakeInteraction:
        command = find_command(self.state, guild, name, 2)
        check_can_use(command, member, self.state.command_overrides)
        payloads = self.state.payloads
        data = {
            "id": command["id"],
            "name": name,
            "type": 2,
            "target_id": str(target.id),
            "resolved": {
                "users": {str(target.id): payloads.user(target.user)},
                "members": {str(target.id): payloads.member(target, user=False, permissions=True)},
            },
        }
        return await self._trigger(COMMAND, guild, channel, member, data, f"user command {name!r}")

    async def click(
        self,
        guild: FakeGuild,
        message: FakeMessage,
        member: FakeMember,
        custom_id: str,
        *,
        values: Sequence[str] | None = None,
    ) -> FakeInteraction:
        """Press a button (or pick ``values`` in a select) present on ``message``."""
        data = component_data(message, custom_id, values)
        label = f"component {custom_id!r}"
        return await self._trigger(
            COMPONENT, guild, message.channel, member, data, label, source=message
        )

    async def submit_modal(
        self, interaction: FakeInteraction, values: Mapping[str, Any]
    ) -> FakeInteraction:
        """Submit the modal the bot answered ``interaction`` with; ``values`` by input custom_id."""
        data = modal_data(interaction, values)
        label = f"modal {data['custom_id']!r}"
        return await self._trigger(
            MODAL_SUBMIT,
            interaction.guild,
            interaction.channel,
            interaction.member,
            data,
            label,
            source=interaction.source,
        )

    async def _trigger(
        self,
        kind: int,
        guild: FakeGuild,
        channel: FakeChannel,
        member: FakeMember,
        data: dict[str, Any],
        label: str,
        *,
        source: FakeMessage | None = None,
    ) -> FakeInteraction:
        interaction = self._interactions.new(
            kind, guild, channel, member, data, label, source=source
        )
        await self.gateway.flush()
        return interaction

    def _user(self, person: Person, channel: FakeChannel) -> FakeUser:
        if isinstance(person, FakeMember):
            if person.guild is not channel.guild:
                raise ValueError(f"{person.name} is not a member of {channel.guild.name}")
            return person.user
        return person
