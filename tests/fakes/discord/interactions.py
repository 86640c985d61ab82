"""Interactions as a person triggers them (slash / context menu commands, components, modals)
and their lifecycle: one callback (``?with_response=1`` answers ``{"interaction", "resource"}``),
then followups and edits of the original response through the interaction webhook."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import (
    EPHEMERAL,
    LOADING,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
)
from .state import FakeState
from .validate import ALREADY_ACKNOWLEDGED, DiscordError, check_message, invalid_form, unknown

if TYPE_CHECKING:
    from .model import FakeAttachment

COMMAND, COMPONENT, MODAL_SUBMIT = 2, 3, 5
_ALLOWED_RESPONSES = {COMMAND: {4, 5, 9}, COMPONENT: {4, 5, 6, 7, 9}, MODAL_SUBMIT: {4, 5, 6, 7}}
_MESSAGE_TYPE = {1: 20, 2: 23, 3: 23}  # chat input / user / message command -> message type


@dataclass(eq=False)
class FakeInteraction:
    id: int
    token: str
    type: int
    payload: dict[str, Any]  # as dispatched in INTERACTION_CREATE
    guild: FakeGuild
    channel: FakeChannel
    member: FakeMember
    label: str  # "/ideabot merge", "button 'vote:1'", ... for messages
    state: FakeState = field(repr=False)
    deadline: float | None = None  # loop time by which the callback must arrive
    source: FakeMessage | None = None  # the message a component is on
    response: dict[str, Any] | None = None  # {"type": ..., "data": {...}} as the bot sent it
    original: FakeMessage | None = None  # the response message (or the component message)
    followup_messages: list[FakeMessage] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        return (self.response or {}).get("data") or {}

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def deferred(self) -> bool:
        return self.response is not None and self.response["type"] in (5, 6)

    async def responded(self, timeout: float = 120.0) -> dict[str, Any]:
        """Wait for the bot's interaction callback; returns ``{"type", "data"}``."""
        await self.state.wait_for(
            lambda: self.response is not None, timeout, f"the bot to answer {self.label}"
        )
        assert self.response is not None
        return self.response

    async def followups(self, n: int = 1, timeout: float = 120.0) -> list[FakeMessage]:
        """Wait until the bot sent ``n`` followup messages; returns them all."""
        await self.state.wait_for(
            lambda: len(self.followup_messages) >= n, timeout, f"{n} followup(s) to {self.label}"
        )
        return list(self.followup_messages)


class Interactions:
    def __init__(self, state: FakeState, deadline: float | None) -> None:
        self.state = state
        self.deadline = deadline

    # -- triggering -----------------------------------------------------------------------------

    def new(
        self,
        type: int,
        guild: FakeGuild,
        channel: FakeChannel,
        member: FakeMember,
        data: dict[str, Any],
        label: str,
        *,
        source: FakeMessage | None = None,
    ) -> FakeInteraction:
        state = self.state
        if member.guild is not guild or channel.guild is not guild:
            raise ValueError("member and channel must belong to the guild")
        iid = state.ids.next()
        token = f"aW50ZXJhY3Rpb246{uuid.uuid4().hex}"
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(state.application_id),
            "type": type,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": state.payloads.channel(channel),
            "member": state.payloads.member(member, permissions=True),
            "token": token,
            "version": 1,
            "app_permissions": str(guild.bot_member.permissions),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if source is not None:
            payload["message"] = state.payloads.message(source) | {"guild_id": str(guild.id)}
        loop = asyncio.get_running_loop()
        interaction = FakeInteraction(
            id=iid,
            token=token,
            type=type,
            payload=payload,
            guild=guild,
            channel=channel,
            member=member,
            label=label,
            state=state,
            deadline=None if self.deadline is None else loop.time() + self.deadline,
            source=source,
            original=source if type == COMPONENT else None,
        )
        state.interactions[iid] = interaction
        state.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # -- the bot's side -------------------------------------------------------------------------

    def callback(self, interaction: FakeInteraction, body: dict[str, Any]) -> dict[str, Any]:
        if interaction.response is not None:
            raise DiscordError(*ALREADY_ACKNOWLEDGED)
        if (
            interaction.deadline is not None
            and asyncio.get_running_loop().time() > interaction.deadline
        ):
            raise unknown("interaction")
        kind = body.get("type")
        data = body.get("data") or {}
        if kind not in _ALLOWED_RESPONSES[interaction.type]:
            raise invalid_form(
                [(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid response type")]
            )
        if kind in (4, 7):
            check_message(data, edit=kind == 7)
        if kind == 9:
            self._check_modal(data)
        state = self.state
        interaction.response = {"type": kind, "data": data}
        if kind == 4:
            interaction.original = self._post(interaction, data, int(data.get("flags") or 0))
        elif kind == 5:
            interaction.original = self._post(
                interaction, {}, LOADING | int(data.get("flags") or 0)
            )
        elif kind == 7 and interaction.source is not None:
            state.edit_message(interaction.source, **message_changes(interaction.source, data, []))
        state.bump()
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        message = interaction.original if kind in (4, 5, 7) else None
        if message is not None:
            answer["interaction"]["response_message_id"] = str(message.id)
            answer["resource"]["message"] = state.payloads.message(message)
        return answer

    def followup(
        self, interaction: FakeInteraction, body: dict[str, Any], uploads: list[FakeAttachment]
    ) -> FakeMessage:
        if interaction.response is None:
            raise unknown("Webhook")
        check_message(body, attachments=len(uploads))
        original = interaction.original
        if interaction.response["type"] == 5 and original is not None and original.flags & LOADING:
            # The first followup after a "thinking" defer replaces the loading message.
            message = self.edit(interaction, original, body, uploads)
        else:
            message = self._post(interaction, body, int(body.get("flags") or 0), uploads)
        interaction.followup_messages.append(message)
        self.state.bump()
        return message

    def edit(
        self,
        interaction: FakeInteraction,
        message: FakeMessage,
        body: dict[str, Any],
        uploads: list[FakeAttachment],
    ) -> FakeMessage:
        check_message(body, edit=True)
        changes = message_changes(message, body, uploads)
        changes["flags"] = message.flags & ~LOADING
        return self.state.edit_message(message, **changes)

    def message_of(self, interaction: FakeInteraction, message_id: str) -> FakeMessage:
        if interaction.response is None:
            raise unknown("Webhook")
        if message_id == "@original":
            if interaction.original is None:
                raise unknown("Message")
            return interaction.original
        for message in [interaction.original, *interaction.followup_messages]:
            if message is not None and str(message.id) == message_id and not message.deleted:
                return message
        raise unknown("Message")

    def _post(
        self,
        interaction: FakeInteraction,
        data: dict[str, Any],
        flags: int,
        uploads: list[FakeAttachment] | None = None,
    ) -> FakeMessage:
        state = self.state
        metadata: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": state.payloads.user(interaction.member.user),
            "authorizing_integration_owners": {"0": str(interaction.guild.id)},
        }
        if interaction.source is not None:
            metadata["interacted_message_id"] = str(interaction.source.id)
        if interaction.original is not None:
            metadata["original_response_message_id"] = str(interaction.original.id)
        command_type = interaction.payload["data"].get("type", 1)
        return state.create_message(
            interaction.channel,
            state.bot_user,
            data.get("content") or "",
            type=_MESSAGE_TYPE[command_type] if interaction.type == COMMAND else 0,
            embeds=data.get("embeds"),
            components=data.get("components"),
            attachments=uploads,
            allowed_mentions=data.get("allowed_mentions"),
            flags=flags,
            tts=bool(data.get("tts")),
            webhook_id=state.application_id,
            interaction_metadata=metadata,
            body=data,
        )

    def _check_modal(self, data: dict[str, Any]) -> None:
        problems = []
        if not 1 <= len(data.get("custom_id") or "") <= 100:
            problems.append(
                (("data", "custom_id"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100")
            )
        if not 1 <= len(data.get("title") or "") <= 45:
            problems.append((("data", "title"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45"))
        if not 1 <= len(data.get("components") or []) <= 5:
            problems.append(
                (("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5")
            )
        if problems:
            raise invalid_form(problems)


def message_changes(
    message: FakeMessage, body: dict[str, Any], uploads: list[FakeAttachment]
) -> dict[str, Any]:
    """The fields an edit-message body changes (absent keys stay; null clears)."""
    changes: dict[str, Any] = {}
    if "content" in body:
        changes["content"] = body["content"] or ""
    for key in ("embeds", "components"):
        if key in body:
            changes[key] = body[key] or []
    if "allowed_mentions" in body:
        changes["allowed_mentions"] = body["allowed_mentions"]
    if "attachments" in body:
        keep = {str(a.get("id")) for a in body["attachments"] or []}
        changes["attachments"] = [a for a in message.attachments if str(a.id) in keep] + uploads
    elif uploads:
        changes["attachments"] = message.attachments + uploads
    if "flags" in body and body["flags"] is not None:
        changes["flags"] = (message.flags & EPHEMERAL) | int(body["flags"])
    return changes
