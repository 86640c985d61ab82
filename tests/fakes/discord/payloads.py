"""JSON payloads in Discord's API v10 shapes, shared by REST responses and gateway dispatches."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .model import (
    FORUM,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    emoji_payload,
)

if TYPE_CHECKING:
    from .state import FakeState


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="microseconds")


class Payloads:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def user(self, user: FakeUser) -> dict[str, Any]:
        return {
            "id": str(user.id),
            "username": user.name,
            "discriminator": "0",
            "global_name": user.global_name,
            "avatar": None,
            "bot": user.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }

    def me(self) -> dict[str, Any]:
        return self.user(self.state.bot_user) | {
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
        }

    def role(self, role: FakeRole) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(role.id),
            "name": role.name,
            "permissions": str(role.permissions),
            "position": role.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": role.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if role.bot_id is not None:
            payload["tags"] = {"bot_id": str(role.bot_id)}
        return payload

    def member(
        self, member: FakeMember, *, user: bool = True, permissions: bool = False
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "roles": [str(r.id) for r in member.roles],
            "nick": member.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(member.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if user:
            payload["user"] = self.user(member.user)
        if permissions:
            payload["permissions"] = str(member.permissions)
        return payload

    def channel(self, channel: FakeChannel) -> dict[str, Any]:
        if channel.is_thread:
            return self.thread(channel)
        payload: dict[str, Any] = {
            "id": str(channel.id),
            "type": channel.type,
            "guild_id": str(channel.guild.id),
            "name": channel.name,
            "position": channel.position,
            "parent_id": None,
            "topic": channel.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": _opt_id(channel.last_message_id),
            "permission_overwrites": [],
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
            "flags": 0,
        }
        if channel.type == FORUM:
            payload |= {
                "available_tags": [],
                "default_reaction_emoji": None,
                "default_sort_order": None,
                "default_forum_layout": 0,
            }
        return payload

    def thread(self, thread: FakeChannel) -> dict[str, Any]:
        assert thread.parent is not None and thread.created_at is not None
        return {
            "id": str(thread.id),
            "type": thread.type,
            "guild_id": str(thread.guild.id),
            "parent_id": str(thread.parent.id),
            "owner_id": _opt_id(thread.owner_id),
            "name": thread.name,
            "last_message_id": _opt_id(thread.last_message_id),
            "rate_limit_per_user": 0,
            "message_count": thread.message_count,
            "member_count": len(thread.member_ids),
            "total_message_sent": thread.total_message_sent,
            "flags": 0,
            "applied_tags": [str(t) for t in thread.applied_tags],
            "thread_metadata": {
                "archived": thread.archived,
                "auto_archive_duration": thread.auto_archive_duration,
                "archive_timestamp": iso(thread.created_at),
                "locked": thread.locked,
                "invitable": True,
                "create_timestamp": iso(thread.created_at),
            },
        }

    def guild(self, guild: FakeGuild) -> dict[str, Any]:
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [self.role(r) for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def guild_create(self, guild: FakeGuild) -> dict[str, Any]:
        """GUILD_CREATE with every member: ``member_count == len(members)``, no chunking."""
        bot_member = guild.bot_member
        return self.guild(guild) | {
            "joined_at": iso(bot_member.joined_at),
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": [self.member(m) for m in guild.members.values()],
            "channels": [self.channel(c) for c in guild.text_channels],
            "threads": [self.thread(t) for t in guild.threads if not t.archived],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def attachment(self, attachment: FakeAttachment) -> dict[str, Any]:
        url = f"{self.state.cdn_base}/attachments/{attachment.id}/{attachment.filename}"
        return {
            "id": str(attachment.id),
            "filename": attachment.filename,
            "size": len(attachment.data),
            "url": url,
            "proxy_url": url,
            "content_type": attachment.content_type,
        }

    def reactions(self, message: FakeMessage) -> list[dict[str, Any]]:
        me = self.state.bot_user.id
        out = []
        for key, users in message.reactions.items():
            if not users:
                continue
            burst = sum(1 for u in users if (key, u) in message.burst)
            out.append(
                {
                    "emoji": emoji_payload(key),
                    "count": len(users),
                    "count_details": {"burst": burst, "normal": len(users) - burst},
                    "me": me in users and (key, me) not in message.burst,
                    "me_burst": (key, me) in message.burst,
                    "burst_colors": [],
                }
            )
        return out

    def message(
        self, message: FakeMessage, *, gateway: bool = False, referenced: bool = True
    ) -> dict[str, Any]:
        guild = message.guild
        payload: dict[str, Any] = {
            "id": str(message.id),
            "channel_id": str(message.channel.id),
            "author": self.user(message.author),
            "content": message.content,
            "timestamp": iso(message.created_at),
            "edited_timestamp": iso(message.edited_at),
            "tts": message.tts,
            "mention_everyone": message.mention_everyone,
            "mentions": [self._mentioned(guild, uid) for uid in message.mentions],
            "mention_roles": [str(r) for r in message.mention_roles],
            "attachments": [self.attachment(a) for a in message.attachments],
            "embeds": message.embeds,
            "pinned": message.pinned,
            "type": message.type,
            "flags": message.flags,
            "components": message.components,
        }
        if message.channel.is_thread:
            payload["position"] = max(0, message.channel.total_message_sent - 1)
        if not gateway:
            payload["reactions"] = self.reactions(message)
        else:
            payload["guild_id"] = str(guild.id)
            member = guild.member(message.author.id)
            if member is not None and message.webhook_id is None:
                payload["member"] = self.member(member, user=False)
        if message.webhook_id is not None:
            payload["webhook_id"] = str(message.webhook_id)
        if message.application_id is not None:
            payload["application_id"] = str(message.application_id)
        if message.interaction_metadata is not None:
            payload["interaction_metadata"] = message.interaction_metadata
        if message.thread is not None:
            payload["thread"] = self.thread(message.thread)
        if message.reference is not None:
            ref = message.reference
            payload["message_reference"] = {
                "type": 0,
                "message_id": str(ref.id),
                "channel_id": str(ref.channel.id),
                "guild_id": str(ref.guild.id),
            }
            if referenced:
                payload["referenced_message"] = (
                    None if ref.deleted else self.message(ref, referenced=False)
                )
        return payload

    def _mentioned(self, guild: FakeGuild, user_id: int) -> dict[str, Any]:
        member = guild.member(user_id)
        if member is not None:
            return self.user(member.user) | {"member": self.member(member, user=False)}
        return self.user(self.state.users[user_id])

    def application(self) -> dict[str, Any]:
        owner = self.state.app_owner
        return {
            "id": str(self.state.application_id),
            "name": self.state.bot_user.name,
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": self.user(self.state.bot_user),
            "owner": self.user(owner),
            "team": None,
            "verify_key": "0" * 64,
            "flags": self.state.application_flags,
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.state.guilds),
        }


def _opt_id(value: int | None) -> str | None:
    return None if value is None else str(value)
