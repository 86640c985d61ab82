"""What people do in the workspace: each action changes the fake's state the way Slack would
and returns the Events API body Slack would send the app for it (deliver it with
``FakeSlack.dispatch`` / ``post_http`` / ``socket_send``)."""

from __future__ import annotations

from typing import Any

from .model import FakeMessage, FakeUser, rich_text
from .payloads import Builders, ChannelRef, UserRef
from .validate import check_message


class People(Builders):
    def post(
        self,
        channel: ChannelRef,
        user: UserRef,
        text: str,
        *,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        blocks: list[dict[str, Any]] | None = None,
    ) -> tuple[FakeMessage, dict[str, Any]]:
        """A person (or another bot: a user added with ``bot=True``) posts. Slack clients
        attach a ``rich_text`` block to typed messages; pass ``blocks`` to override."""
        c, u = self._c(channel), self._u(user)
        text, blocks = check_message(text, blocks)
        if blocks is None and not u.is_bot:
            blocks = rich_text(text)
        message = self.state.add_message(
            c,
            u,
            text,
            blocks=blocks,
            thread_ts=thread_ts,
            reply_broadcast=reply_broadcast,
            person=not u.is_bot,
        )
        return message, self.event_body(self.event_for(message))

    def edit(
        self, message: FakeMessage, text: str, *, user: UserRef | None = None
    ) -> dict[str, Any]:
        """Edit a message (by its author unless ``user``); returns the message_changed body."""
        editor = self._u(user) if user is not None else message.user
        blocks = None if message.user.is_bot else rich_text(text)
        previous = self.state.edit_message(message, editor, text, blocks)
        new = message.to_api(with_reactions=False)
        return self.event_body(self.message_changed(message.channel, new, previous))

    def delete(self, message: FakeMessage) -> dict[str, Any]:
        """Delete a message; returns the message_deleted body."""
        previous = self.state.delete_message(message)
        return self.event_body(self.message_deleted(message.channel, previous))

    def react(self, message: FakeMessage, user: UserRef, name: str) -> dict[str, Any]:
        """Add reaction ``name`` (no colons, e.g. "thumbsup"); returns the reaction_added body.
        Raises SlackError("already_reacted") on a repeat, as Slack would refuse it."""
        u = self._u(user)
        self.state.react(message, u, name)
        event = self.reaction_event(
            True, u, message.channel, message.ts, name, item_user=message.user
        )
        return self.event_body(event)

    def unreact(self, message: FakeMessage, user: UserRef, name: str) -> dict[str, Any]:
        u = self._u(user)
        self.state.unreact(message, u, name)
        event = self.reaction_event(
            False, u, message.channel, message.ts, name, item_user=message.user
        )
        return self.event_body(event)

    def join(
        self, user: UserRef, channel: ChannelRef, *, inviter: UserRef | None = None
    ) -> dict[str, Any]:
        """``user`` joins ``channel`` (the bot too: pass ``slack.bot``); returns the
        member_joined_channel body."""
        u, c = self._u(user), self._c(channel)
        c.members.add(u.id)
        if u is self.state.bot:
            c.bot_member = True
        self.state.bump()
        return self.event_body(self.member_joined(u, c, inviter=inviter))

    @property
    def bot(self) -> FakeUser:
        return self.state.bot
