"""The fake workspace's objects: users, channels, messages, and the records of what the bot did
(Web API calls, ephemeral messages, response_url posts, opened views).

Plain objects tests hold on to and inspect. ``FakeMessage.to_api()`` renders a message as the
Web API returns it (``conversations.history`` etc.)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Ids:
    """Slack-looking ids: ``U0000000001``, ``C0000000002``, ... (one counter for all kinds)."""

    def __init__(self) -> None:
        self._n = 0

    def next(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:010d}"


class Timestamps:
    """Message ``ts`` strings ("1700000000.000100"), strictly increasing. Without a clock they
    start at 1700000000.000100 and step 100 µs; with one they follow it (never going back)."""

    def __init__(self, clock: Callable[[], datetime] | None) -> None:
        self._clock = clock
        self._last = 1_700_000_000_000_000  # microseconds

    def next(self) -> str:
        if self._clock is None:
            self._last += 100
        else:
            self._last = max(self._last + 1, int(self._clock().timestamp() * 1_000_000))
        return micro_to_ts(self._last)

    def now_seconds(self) -> int:
        return self._last // 1_000_000


def micro_to_ts(micro: int) -> str:
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"


def ts_to_micro(ts: str | float | int) -> int:
    """ "1700000000.000100" -> 1700000000000100 (also accepts "1700000000" and floats)."""
    text = str(ts)
    seconds, _, fraction = text.partition(".")
    return int(seconds or 0) * 1_000_000 + int((fraction + "000000")[:6])


def rich_text(text: str) -> list[dict[str, Any]]:
    """The ``rich_text`` block Slack clients attach to a message typed by a person."""
    block_id = base64.b32encode(uuid.uuid4().bytes).decode()[:5]
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": block_id, "elements": [section]}]


@dataclass(eq=False)
class FakeUser:
    id: str
    name: str
    team_id: str
    real_name: str = ""
    display_name: str = ""
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    bot_id: str | None = None  # bots only
    app_id: str | None = None  # bots only
    deleted: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_api(self) -> dict[str, Any]:
        """As ``users.info`` returns it."""
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "first_name": self.real_name.split(" ")[0],
            "image_72": f"https://avatars.fake-slack.test/{self.id}_72.png",
            "team": self.team_id,
        }
        if self.bot_id:
            profile.update(bot_id=self.bot_id, api_app_id=self.app_id, always_active=True)
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "is_email_confirmed": not self.is_bot,
        }


@dataclass(eq=False)
class FakeChannel:
    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_archived: bool = False
    bot_member: bool = True  # the bot is in the channel (else not_in_channel on history etc.)
    members: set[str] = field(default_factory=set)  # user ids, the bot's included

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_api(self) -> dict[str, Any]:
        """As ``conversations.info`` returns it."""
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": self.bot_member,
            "created": self.created,
            "creator": self.creator,
            "unlinked": 0,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
            "num_members": len(self.members),
        }


@dataclass(eq=False)
class FakeMessage:
    channel: FakeChannel
    ts: str
    user: FakeUser
    text: str
    team_id: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None  # set on replies (the parent's ts) and on parents with replies
    reply_broadcast: bool = False
    client_msg_id: str | None = None  # people's messages
    reactions: dict[str, list[str]] = field(default_factory=dict)  # name -> user ids, in order
    edited: dict[str, str] | None = None  # {"user", "ts"}
    deleted: bool = False
    replies: list[FakeMessage] = field(default_factory=list)  # on a parent, oldest first
    metadata: dict[str, Any] | None = None
    parent_user_id: str = ""  # on replies

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def permalink(self) -> str:
        base = f"https://fake-slack.test/archives/{self.channel.id}/p{self.ts.replace('.', '')}"
        if self.is_reply:
            return f"{base}?thread_ts={self.thread_ts}&cid={self.channel.id}"
        return base

    def reactions_api(self, users_shown: int | None = None) -> list[dict[str, Any]]:
        """Each reaction with its full ``count``; ``users`` lists at most ``users_shown``."""
        return [
            {"name": name, "users": list(users)[:users_shown], "count": len(users)}
            for name, users in self.reactions.items()
            if users
        ]

    def to_api(
        self,
        *,
        with_reactions: bool = True,
        with_metadata: bool = True,
        reaction_users: int | None = None,
    ) -> dict[str, Any]:
        """As the Web API returns it (history, replies, postMessage's ``message``); history
        shows message metadata only when asked with ``include_all_metadata``; a reaction lists
        at most ``reaction_users`` of its people (Slack truncates the list, not the count)."""
        data: dict[str, Any] = {"type": "message", "text": self.text, "user": self.user.id}
        if self.user.bot_id:
            data["bot_id"] = self.user.bot_id
            data["app_id"] = self.user.app_id
            data["bot_profile"] = {
                "id": self.user.bot_id,
                "app_id": self.user.app_id,
                "name": self.user.name,
                "icons": {"image_36": "https://avatars.fake-slack.test/bot_36.png"},
                "deleted": False,
                "updated": 1700000000,
                "team_id": self.team_id,
            }
        if self.client_msg_id:
            data["client_msg_id"] = self.client_msg_id
        data["ts"] = self.ts
        data["team"] = self.team_id
        if self.blocks is not None:
            data["blocks"] = self.blocks
        if self.edited:
            data["edited"] = dict(self.edited)
        if self.metadata and with_metadata:
            data["metadata"] = self.metadata
        if self.thread_ts is not None:
            data["thread_ts"] = self.thread_ts
        if self.is_reply:
            data["parent_user_id"] = self.parent_user_id
            if self.reply_broadcast:
                data["subtype"] = "thread_broadcast"
        live = [r for r in self.replies if not r.deleted]
        if live:
            users = list(dict.fromkeys(r.user.id for r in live))
            data.update(
                reply_count=len(live),
                reply_users_count=len(users),
                latest_reply=live[-1].ts,
                reply_users=users,
                is_locked=False,
                subscribed=False,
            )
        if self.deleted:  # a deleted parent whose replies remain
            data.update(subtype="tombstone", text="This message was deleted.", hidden=True)
            data.pop("blocks", None)
        if with_reactions and self.reactions_api():
            data["reactions"] = self.reactions_api(reaction_users)
        return data


@dataclass
class ApiCall:
    """One Web API request: ``params`` merges query, form and JSON body (``token`` removed);
    ``token`` is the one used (Bearer header or ``token`` param); ``body`` says how the
    arguments came ("json", "form" or "query"); ``response`` is what the fake answered."""

    method: str
    params: dict[str, Any]
    token: str | None
    http_method: str
    body: str
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass
class Ephemeral:
    """A message only ``user`` sees: from ``chat.postEphemeral`` or a ``response_url`` post."""

    channel: FakeChannel
    user: FakeUser
    text: str
    blocks: list[dict[str, Any]] | None
    message_ts: str
    thread_ts: str | None = None
    via: str = "chat.postEphemeral"  # or "response_url"


@dataclass
class FakeView:
    id: str
    trigger_id: str
    view: dict[str, Any]
    user: FakeUser | None


@dataclass
class Failure:
    method: str
    status: int
    retry_after: int
    times: int
    error: str
    after: int = 0  # calls let through before failing
