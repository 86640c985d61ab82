"""Builders of what Slack sends an app, in Slack's shapes: Events API bodies, slash command
form fields, and interactive payloads (message shortcuts, block actions, view submissions).

They return dicts. ``delivery.encode_body`` turns them into what Slack POSTs over HTTP (JSON
for events, form fields for commands, ``payload=<json>`` for interactions); Socket Mode
sends the same dicts as the envelope ``payload``. Builders do not change the fake's state
(see ``people.People`` for that), except that response URLs and trigger ids are registered
so the fake knows them."""

from __future__ import annotations

import secrets
from typing import Any

from .model import FakeChannel, FakeMessage, FakeUser, FakeView, ts_to_micro
from .state import SlackState

UserRef = FakeUser | str
ChannelRef = FakeChannel | str


class Builders:
    state: SlackState
    base_url: str

    # -- refs -----------------------------------------------------------------------------------

    def _u(self, user: UserRef) -> FakeUser:
        return user if isinstance(user, FakeUser) else self.state.user(user)

    def _c(self, channel: ChannelRef) -> FakeChannel:
        return channel if isinstance(channel, FakeChannel) else self.state.channel(channel)

    def _channel_type(self, channel: FakeChannel) -> str:
        return "group" if channel.is_private else "channel"

    # -- Events API -----------------------------------------------------------------------------

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """The ``event_callback`` envelope Slack POSTs (and sends as a Socket Mode payload)."""
        s = self.state
        stamp = event.get("event_ts") or event.get("ts")
        event_time = ts_to_micro(stamp) // 1_000_000 if stamp else s.ts.now_seconds()
        return {
            "token": s.verification_token,
            "team_id": s.team_id,
            "context_team_id": s.team_id,
            "context_enterprise_id": s.enterprise_id,
            "api_app_id": s.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": event_time,
            "authorizations": [
                {
                    "enterprise_id": s.enterprise_id,
                    "team_id": s.team_id,
                    "user_id": s.bot.id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_urlsafe(40)}",
        }

    def event_for(self, message: FakeMessage) -> dict[str, Any]:
        """The ``message`` event of a stored message (a person's, another bot's, or the bot's
        own echo, which Bolt ignores by default)."""
        event = message.to_api(with_reactions=False)
        event.pop("reply_count", None)
        for key in ("reply_users_count", "latest_reply", "reply_users", "is_locked", "subscribed"):
            event.pop(key, None)
        if not message.is_reply:
            event.pop("thread_ts", None)
        event.update(
            channel=message.channel.id,
            event_ts=message.ts,
            channel_type=self._channel_type(message.channel),
        )
        return event

    def message_event(
        self,
        channel: ChannelRef,
        user: UserRef,
        text: str,
        *,
        ts: str | None = None,
        thread_ts: str | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
    ) -> dict[str, Any]:
        """A ``message`` event that is not stored (see ``People.post`` for one that is)."""
        c, u = self._c(channel), self._u(user)
        ts = ts or self.state.ts.next()
        event: dict[str, Any] = {"type": "message"}
        if subtype:
            event["subtype"] = subtype
        event.update(text=text, user=u.id, ts=ts, team=self.state.team_id)
        if bot_id or u.bot_id:
            event.update(bot_id=bot_id or u.bot_id, app_id=u.app_id)
        else:
            event["client_msg_id"] = secrets.token_hex(16)
        if thread_ts:
            event["thread_ts"] = thread_ts
        event.update(channel=c.id, event_ts=ts, channel_type=self._channel_type(c))
        return event

    def message_changed(
        self, channel: ChannelRef, message: dict[str, Any], previous: dict[str, Any]
    ) -> dict[str, Any]:
        """``message`` / ``previous_message`` as the Web API renders them (``to_api()``)."""
        c = self._c(channel)
        ts = self.state.ts.next()
        return {
            "type": "message",
            "subtype": "message_changed",
            "message": message,
            "previous_message": previous,
            "channel": c.id,
            "hidden": True,
            "ts": ts,
            "event_ts": ts,
            "channel_type": self._channel_type(c),
        }

    def message_deleted(self, channel: ChannelRef, previous: dict[str, Any]) -> dict[str, Any]:
        c = self._c(channel)
        ts = self.state.ts.next()
        return {
            "type": "message",
            "subtype": "message_deleted",
            "previous_message": previous,
            "channel": c.id,
            "hidden": True,
            "deleted_ts": previous["ts"],
            "event_ts": ts,
            "ts": ts,
            "channel_type": self._channel_type(c),
        }

    def reaction_event(
        self,
        added: bool,
        user: UserRef,
        channel: ChannelRef,
        ts: str,
        name: str,
        *,
        item_user: UserRef | None = None,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": "reaction_added" if added else "reaction_removed",
            "user": self._u(user).id,
            "reaction": name,
            "item": {"type": "message", "channel": self._c(channel).id, "ts": ts},
        }
        if item_user is not None:
            event["item_user"] = self._u(item_user).id
        event["event_ts"] = self.state.ts.next()
        return event

    def member_joined(
        self, user: UserRef, channel: ChannelRef, *, inviter: UserRef | None = None
    ) -> dict[str, Any]:
        c = self._c(channel)
        event: dict[str, Any] = {
            "type": "member_joined_channel",
            "user": self._u(user).id,
            "channel": c.id,
            "channel_type": "G" if c.is_private else "C",
            "team": self.state.team_id,
        }
        if inviter is not None:
            event["inviter"] = self._u(inviter).id
        event["event_ts"] = self.state.ts.next()
        return event

    # -- commands and interactions --------------------------------------------------------------

    def _response_url(
        self, kind: str, user: FakeUser, channel: FakeChannel | None, **kw: Any
    ) -> str:
        interaction = self.state.new_interaction(kind, user, channel, **kw)
        return f"{self.base_url}/response/{interaction.id}"

    def _team(self) -> dict[str, Any]:
        return {"id": self.state.team_id, "domain": self.state.team_domain}

    def _user_obj(self, u: FakeUser) -> dict[str, Any]:
        return {"id": u.id, "username": u.name, "name": u.name, "team_id": u.team_id}

    def slash_command_body(
        self,
        command: str,
        text: str,
        user: UserRef,
        channel: ChannelRef,
        *,
        response_url: str | None = None,
    ) -> dict[str, str]:
        """The form fields Slack POSTs for a slash command (all strings)."""
        u, c = self._u(user), self._c(channel)
        return {
            "token": self.state.verification_token,
            "team_id": self.state.team_id,
            "team_domain": self.state.team_domain,
            "channel_id": c.id,
            "channel_name": c.name,
            "user_id": u.id,
            "user_name": u.name,
            "command": command,
            "text": text,
            "api_app_id": self.state.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url("command", u, c),
            "trigger_id": self.state.new_trigger_id(),
        }

    def message_shortcut_body(
        self,
        callback_id: str,
        user: UserRef,
        channel: ChannelRef,
        message: FakeMessage | str,
        *,
        response_url: str | None = None,
    ) -> dict[str, Any]:
        """A ``message_action`` payload (``message`` may be a stored message or its ts)."""
        u, c = self._u(user), self._c(channel)
        m = message if isinstance(message, FakeMessage) else self.state.find(c, message)
        return {
            "type": "message_action",
            "token": self.state.verification_token,
            "action_ts": self.state.ts.next(),
            "team": self._team(),
            "user": self._user_obj(u),
            "channel": {"id": c.id, "name": c.name},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.state.new_trigger_id(),
            "response_url": response_url or self._response_url("shortcut", u, c, message=m),
            "message_ts": m.ts,
            "message": m.to_api(),
        }

    def global_shortcut_body(self, callback_id: str, user: UserRef) -> dict[str, Any]:
        u = self._u(user)
        return {
            "type": "shortcut",
            "token": self.state.verification_token,
            "action_ts": self.state.ts.next(),
            "team": self._team(),
            "user": self._user_obj(u),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.state.new_trigger_id(),
        }

    def block_action_body(
        self,
        action_id: str,
        value: str,
        user: UserRef,
        channel: ChannelRef,
        message_ts: str,
        *,
        response_url: str | None = None,
        block_id: str | None = None,
    ) -> dict[str, Any]:
        """A button click on a message (or on an ephemeral message: then, as in Slack, the
        payload has no ``message`` and ``container.is_ephemeral`` is true)."""
        u, c = self._u(user), self._c(channel)
        stored = next((m for m in self.state.channel_messages[c.id] if m.ts == message_ts), None)
        ephemeral = stored is None and any(
            e.message_ts == message_ts for e in self.state.ephemerals
        )
        if stored is None and not ephemeral:
            raise KeyError(f"no message or ephemeral message {message_ts} in #{c.name}")
        block, element = _find_element(stored.blocks if stored else None, action_id)
        text = (element or {}).get("text") or {"type": "plain_text", "text": "Button"}
        url = response_url or self._response_url("block_actions", u, c, message=stored)
        body: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_obj(u),
            "api_app_id": self.state.api_app_id,
            "token": self.state.verification_token,
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": c.id,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": self.state.new_trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": c.id, "name": c.name},
        }
        if stored is not None:
            body["message"] = stored.to_api()
        body["state"] = {"values": {}}
        body["response_url"] = url
        body["actions"] = [
            {
                "action_id": action_id,
                "block_id": block_id or (block or {}).get("block_id") or secrets.token_hex(3),
                "text": text,
                "value": value,
                "type": "button",
                "action_ts": self.state.ts.next(),
            }
        ]
        return body

    def view_submission_body(
        self, view: FakeView, user: UserRef, values: dict[str, dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """``values``: ``{block_id: {action_id: {"type": ..., "value": ...}}}`` as Slack sends."""
        u = self._u(user)
        rendered = {
            "id": view.id,
            "team_id": self.state.team_id,
            "app_id": self.state.api_app_id,
            "bot_id": self.state.bot.bot_id,
            "state": {"values": values or {}},
            "hash": f"{self.state.ts.now_seconds()}.fake",
            **view.view,
        }
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user_obj(u),
            "api_app_id": self.state.api_app_id,
            "token": self.state.verification_token,
            "trigger_id": self.state.new_trigger_id(),
            "view": rendered,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }


def _find_element(
    blocks: list[dict[str, Any]] | None, action_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    for block in blocks or []:
        elements = list(block.get("elements") or [])
        if "accessory" in block:
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block, element
    return None, None


def kind_of(body: dict[str, Any]) -> str:
    """The Socket Mode envelope type for a body built here."""
    if body.get("type") in ("event_callback", "url_verification", "app_rate_limited"):
        return "events_api"
    if "command" in body:
        return "slash_commands"
    return "interactive"
