"""What an operator does from the shell: boards, their channels, on the core's own services.

The shell has no platform to say who is a moderator: the operator acts as a moderator
of every board (``operator``), and everything goes through the same checks and into
the same moderation log as the chat commands, the operator named as the actor.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

from bot.boards import Board
from bot.channels import PURPOSES
from bot.core import Core
from bot.domain import Actor, Person
from bot.errors import InvalidSetting, NotAllowed
from bot.moderation import is_moderator
from bot.webhooks import TEST_EVENT, body, check_url, new_secret, target

OPERATOR_PLATFORM = "cli"
PLATFORMS = ("discord", "slack")
_BOARD_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
_PLACE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def operator(user: str | None = None) -> Actor:
    """The person at the shell: the OS user, a moderator of every board."""
    name = user or _os_user()
    return Actor(
        person=Person(platform=OPERATOR_PLATFORM, user_id=name, name=name), is_moderator=True
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, no LOGNAME (a bare container)
        return "operator"


def check_board_name(name: str) -> str:
    """``name`` as a board name: lower-case letters, digits, '.', '_', '-', up to 60."""
    if not _BOARD_NAME.match(name):
        raise InvalidSetting(
            f"{name[:60]!r} is not a board name: use lower-case letters, digits, '.', '_'"
            " and '-' (up to 60, starting with a letter or digit)"
        )
    return name


@dataclass(frozen=True, kw_only=True)
class Place:
    """A channel named on the shell as ``platform:channel_id``."""

    platform: str
    channel_id: str


def parse_place(text: str) -> Place:
    """``discord:123`` or ``slack:C0123`` as a Place; InvalidSetting saying what is wrong."""
    platform, sep, channel = text.partition(":")
    if not sep or platform not in PLATFORMS or not _PLACE_ID.match(channel):
        raise InvalidSetting(
            f"{text[:60]!r} is not a channel: write PLATFORM:ID, like discord:123456789"
            " or slack:C0123ABC"
        )
    return Place(platform=platform, channel_id=channel)


@dataclass(frozen=True, kw_only=True)
class BoardSummary:
    name: str
    communities: tuple[str, ...]
    idea_channels: tuple[str, ...]
    digest_channels: tuple[str, ...]
    ideas: int


class Admin:
    """Boards and channels, for the operator."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def summaries(self) -> list[BoardSummary]:
        store = self.core.store
        listed = []
        for board in await self.core.all_boards():
            places = await store.boards.workspaces(board.id)
            chans = {
                purpose: tuple(
                    f"{c.platform}:{c.channel_id}"
                    for c in await store.channels.of_board(board.id, purpose)
                )
                for purpose in PURPOSES
            }
            listed.append(
                BoardSummary(
                    name=board.name,
                    communities=tuple(f"{p}:{w}" + (f" ({n})" if n else "") for p, w, n in places),
                    idea_channels=chans["ideas"],
                    digest_channels=chans["digest"],
                    ideas=await store.boards.idea_count(board.id),
                )
            )
        return listed

    async def create_board(self, actor: Actor, name: str) -> Board:
        core = self.core
        _operator_only(actor)
        check_board_name(name)
        at = core.now()
        async with core.store.transaction() as tx:
            row = await tx.boards.create(name, at)
            if row is None:
                raise InvalidSetting(f"a board named {name!r} exists already")
            actor_id = await core.member_id(tx, actor.person)
            await tx.log.add(row.id, actor_id, "board created", {"name": name}, at)
        return await core.refresh_board(row.id)

    async def rename_board(self, actor: Actor, old: str, new: str) -> Board:
        core = self.core
        check_board_name(new)
        board = await core.board_named(old)
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        at = core.now()
        async with core.store.transaction() as tx:
            if not await tx.boards.rename(board.id, new):
                raise InvalidSetting(f"a board named {new!r} exists already")
            actor_id = await core.member_id(tx, actor.person)
            await tx.log.add(board.id, actor_id, "board renamed", {"from": old, "to": new}, at)
        core.forget_places()
        return await core.refresh_board(board.id)

    async def set_channel(
        self,
        board: Board,
        actor: Actor,
        place: Place,
        purpose: str,
        enabled: bool,
        workspace: str | None,
    ) -> str:
        """Attach (or detach) a channel; the workspace it is in, which joins the board."""
        core = self.core
        if purpose not in PURPOSES:
            raise InvalidSetting(f"a channel is for one of: {', '.join(PURPOSES)}")
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        workspace_id = await self._workspace(board, place.platform, workspace)
        if not enabled:
            known = await core.store.channels.of_board(board.id, purpose)
            if not any(
                (c.platform, c.channel_id) == (place.platform, place.channel_id) for c in known
            ):
                raise InvalidSetting(
                    f"{place.platform}:{place.channel_id} is not a {purpose} channel"
                    f" of board {board.name!r}"
                )
        own = await core.store.boards.of_workspace(place.platform, workspace_id)
        if own is not None and own.id != board.id:
            raise InvalidSetting(
                f"{place.platform} workspace {workspace_id} belongs to board {own.name!r}"
            )
        at = core.now()
        async with core.store.transaction() as tx:
            if own is None:
                await tx.boards.attach_workspace(place.platform, workspace_id, board.id, None)
            await tx.channels.set(
                board.id, place.platform, workspace_id, place.channel_id, purpose, enabled, at
            )
            actor_id = await core.member_id(tx, actor.person)
            details = {
                "channel": f"{place.platform}:{place.channel_id}",
                "purpose": purpose,
                "enabled": enabled,
            }
            await tx.log.add(board.id, actor_id, "channel", details, at)
        core.forget_places()
        return workspace_id

    async def add_webhook(
        self, board: Board, actor: Actor, url: str, events: tuple[str, ...], allow_private: bool
    ) -> tuple[int, str]:
        """A new endpoint of the board: its id and signing secret (shown once)."""
        core = self.core
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        check_url(url, allow_private=allow_private)
        secret = new_secret()
        at = core.now()
        async with core.store.transaction() as tx:
            webhook_id = await tx.webhooks.add(board.id, url, secret, events, at)
            actor_id = await core.member_id(tx, actor.person)
            details = {"id": webhook_id, "url": url[:200], "events": list(events)}
            await tx.log.add(board.id, actor_id, "webhook added", details, at)
        core.forget_webhooks(board.id)
        return webhook_id, secret

    async def remove_webhook(self, board: Board, actor: Actor, webhook_id: int) -> None:
        core = self.core
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        at = core.now()
        async with core.store.transaction() as tx:
            if not await tx.webhooks.remove(board.id, webhook_id):
                raise InvalidSetting(f"board {board.name!r} has no webhook {webhook_id}")
            actor_id = await core.member_id(tx, actor.person)
            await tx.log.add(board.id, actor_id, "webhook removed", {"id": webhook_id}, at)
        core.forget_webhooks(board.id)

    async def test_webhook(self, board: Board, actor: Actor, webhook_id: int) -> str:
        """Queue a webhook.test delivery to the endpoint; its delivery id."""
        core = self.core
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        endpoint = await core.store.webhooks.by_id(webhook_id)
        if endpoint is None or endpoint.board_id != board.id:
            raise InvalidSetting(f"board {board.name!r} has no webhook {webhook_id}")
        at = core.now()
        payload = body(TEST_EVENT, board, None, {"webhook": webhook_id}, at)
        async with core.store.transaction() as tx:
            await tx.outbox.add(board.id, target(webhook_id), f"test:{payload['id']}", payload, at)
        return str(payload["id"])

    async def _workspace(self, board: Board, platform: str, given: str | None) -> str:
        if given is not None:
            if not _PLACE_ID.match(given):
                raise InvalidSetting(f"{given[:60]!r} is not a workspace (server) id")
            return given
        mine = [w for p, w, _ in await self.core.store.boards.workspaces(board.id) if p == platform]
        if len(mine) == 1:
            return mine[0]
        which = "no" if not mine else "several"
        raise InvalidSetting(
            f"board {board.name!r} has {which} {platform} workspaces: name the server or"
            " workspace the channel is in with --workspace ID"
        )


def _operator_only(actor: Actor) -> None:
    if actor.person.platform != OPERATOR_PLATFORM:
        raise NotAllowed("Boards are created from the shell (ideabot boards create).")
