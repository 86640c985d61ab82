"""The store's ports on SQLite around the backlog (channels, digests, the moderation log,
link codes, the inbox, reconciliation, imports, the digest's activity): each method runs
the matching ``storage`` function on the writer or a reader, or inside an open
transaction. Times cross the interface as aware datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage import activity, digests, imports, inbox, pair_labels, port, reconcile
from storage import boards as board_rows
from storage.rows import (
    ChannelRow,
    Claim,
    ExistingMessage,
    IdeaInsert,
    LinkCodeRow,
    MergeRow,
    PairLabel,
    PeriodVotes,
    PostKey,
    PostRow,
    StatusChangeRow,
    StoredAnonymous,
    StoredReaction,
    StoredVotes,
)
from storage.sqlite_runner import PortBase
from storage.times import from_db, to_db


class Channels(PortBase, port.Channels):
    async def set(
        self,
        board_id: int,
        platform: str,
        workspace_id: str,
        channel_id: str,
        purpose: str,
        enabled: bool,
        at: datetime,
    ) -> None:
        await self._run.write(
            board_rows.set_channel,
            board_id,
            platform,
            workspace_id,
            channel_id,
            purpose,
            enabled,
            to_db(at),
        )

    async def of_board(self, board_id: int, purpose: str) -> list[ChannelRow]:
        if purpose == "digest":
            rows = await self._run.read(board_rows.digest_channels, board_id)
            return [ChannelRow(p, w, c, None if a is None else from_db(a)) for p, w, c, a in rows]
        found = await self._run.read(board_rows.channels, board_id, purpose)
        return [ChannelRow(p, w, c) for p, w, c in found]

    async def board_of(self, platform: str, channel_id: str, purpose: str) -> int | None:
        return await self._run.read(board_rows.board_for_channel, platform, channel_id, purpose)

    async def cursor(self, platform: str, channel_id: str) -> str | None:
        return await self._run.read(board_rows.cursor, platform, channel_id)

    async def advance_cursor(self, platform: str, channel_id: str, message_id: str) -> None:
        await self._run.write(board_rows.advance_cursor, platform, channel_id, message_id)


class Digests(PortBase, port.Digests):
    async def claim(
        self,
        key: PostKey,
        owner: str,
        now: datetime,
        until: datetime,
        late: bool,
        *,
        ignore_backoff: bool = False,
    ) -> Claim | None:
        return await self._run.write(
            digests.claim,
            key,
            owner,
            to_db(now),
            to_db(until),
            late,
            ignore_backoff=ignore_backoff,
        )

    async def posted(self, key: PostKey, owner: str, message_id: str, now: datetime) -> bool:
        return await self._run.write(digests.posted, key, owner, message_id, to_db(now))

    async def failed(self, key: PostKey, owner: str, error: str, next_try_at: datetime) -> None:
        await self._run.write(digests.failed, key, owner, error, to_db(next_try_at))

    async def pending_times(self, now: datetime) -> list[datetime]:
        return [from_db(t) for t in await self._run.read(digests.pending_times, to_db(now))]

    async def latest(self, board_id: int) -> list[PostRow]:
        return await self._run.read(digests.latest, board_id)


class ModerationLog(PortBase, port.ModerationLog):
    async def add(
        self,
        board_id: int,
        actor_id: int | None,
        action: str,
        details: dict[str, Any],
        at: datetime,
    ) -> None:
        await self._run.write(board_rows.log_action, board_id, actor_id, action, details, to_db(at))


class LinkCodes(PortBase, port.LinkCodes):
    async def add(
        self,
        code: str,
        board_id: int,
        actor_id: int | None,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        await self._run.write(
            board_rows.add_link_code, code, board_id, actor_id, to_db(created_at), to_db(expires_at)
        )

    async def get(self, code: str) -> LinkCodeRow | None:
        found = await self._run.read(board_rows.link_code, code)
        if found is None:
            return None
        board_id, expires_at, used_at = found
        return LinkCodeRow(
            board_id, from_db(expires_at), None if used_at is None else from_db(used_at)
        )

    async def use(self, code: str, platform: str, workspace_id: str, at: datetime) -> bool:
        return await self._run.write(
            board_rows.use_link_code, code, platform, workspace_id, to_db(at)
        )


class Inbox(PortBase, port.Inbox):
    async def put(self, platform: str, event_id: str, body: str, at: datetime) -> bool:
        return await self._run.write(inbox.put, platform, event_id, body, to_db(at))

    async def done(self, platform: str, event_ids: Sequence[str], at: datetime) -> None:
        await self._run.write(inbox.done, platform, list(event_ids), to_db(at))

    async def pending(self, platform: str, after: int, limit: int) -> list[tuple[int, str, str]]:
        return await self._run.read(inbox.pending, platform, after, limit)

    async def forget_done(self, before: datetime) -> int:
        return await self._run.write(inbox.forget_done, to_db(before))


class ReconcilePlaces(PortBase, port.ReconcilePlaces):
    async def messages_to_check(
        self, board_id: int, platform: str, since: datetime, below: int | None, limit: int
    ) -> list[tuple[int, str, str]]:
        return await self._run.read(
            reconcile.messages_to_check, board_id, platform, to_db(since), below, limit
        )

    async def stored_votes(
        self, board_id: int, platform: str, channel_id: str, message_id: str, emoji: str
    ) -> StoredVotes | None:
        found = await self._run.read(
            reconcile.stored_votes, board_id, platform, channel_id, message_id, emoji
        )
        return None if found is None else StoredVotes(*found)

    async def add_votes(
        self,
        board_id: int,
        idea_id: int,
        message_row: int,
        member_ids: Sequence[int],
        emoji: str,
        at: datetime,
    ) -> int:
        return await self._run.write(
            reconcile.add_votes, board_id, idea_id, message_row, member_ids, emoji, to_db(at)
        )

    async def remove_votes(
        self, message_row: int, member_ids: Sequence[int], emoji: str, at: datetime
    ) -> int:
        return await self._run.write(
            reconcile.remove_votes, message_row, member_ids, emoji, to_db(at)
        )

    async def end_anonymous(self, message_row: int, emoji: str, at: datetime) -> int:
        return await self._run.write(reconcile.end_anonymous, message_row, emoji, to_db(at))

    async def place(self, platform: str, board_id: int) -> int | None:
        return await self._run.read(reconcile.place, platform, board_id)

    async def start(self, platform: str, board_id: int, at: datetime) -> None:
        await self._run.write(reconcile.start, platform, board_id, to_db(at))

    async def advance(self, platform: str, board_id: int, idea_id: int) -> None:
        await self._run.write(reconcile.advance, platform, board_id, idea_id)

    async def finish(self, platform: str, board_id: int, at: datetime) -> None:
        await self._run.write(reconcile.finish, platform, board_id, to_db(at))


class Imports(PortBase, port.Imports):
    async def existing_messages(
        self, platform: str, channel_ids: Sequence[str]
    ) -> dict[tuple[str, str], ExistingMessage]:
        return await self._run.read(imports.existing_messages, platform, channel_ids)

    async def reactions_on(
        self, board_id: int, message_rows: Sequence[int]
    ) -> list[StoredReaction]:
        return await self._run.read(imports.reactions_on, board_id, message_rows)

    async def anonymous_on(
        self, board_id: int, message_rows: Sequence[int]
    ) -> list[StoredAnonymous]:
        return await self._run.read(imports.anonymous_on, board_id, message_rows)

    async def reserve(self, board_id: int, count: int) -> tuple[int, int, int]:
        return await self._run.write(imports.reserve, board_id, count)

    async def insert_ideas(
        self, board_id: int, ideas: Sequence[IdeaInsert], first_row: int
    ) -> None:
        await self._run.write(imports.insert_ideas, board_id, ideas, first_row)

    async def insert_merges(
        self, board_id: int, merges: Sequence[tuple[int, int, float, datetime]]
    ) -> None:
        rows = [(idea, into, score, to_db(at)) for idea, into, score, at in merges]
        await self._run.write(imports.insert_merges, board_id, rows)

    async def insert_suggestions(
        self, board_id: int, suggestions: Sequence[tuple[int, int, float]]
    ) -> None:
        await self._run.write(imports.insert_suggestions, board_id, suggestions)

    async def insert_reactions(
        self,
        board_id: int,
        rows: Sequence[tuple[int, int, int, str, datetime]],
        *,
        unless_withdrawn: bool,
    ) -> int:
        # An import's votes on one message share its time: each is written out once.
        times: dict[datetime, str] = {}
        stored = [
            (i, m, who, emoji, times.get(at) or times.setdefault(at, to_db(at)))
            for i, m, who, emoji, at in rows
        ]
        return await self._run.write(
            imports.insert_reactions, board_id, stored, unless_withdrawn=unless_withdrawn
        )

    async def set_anonymous(
        self,
        board_id: int,
        ended: Sequence[int],
        rows: Sequence[tuple[int, int, str, int, datetime]],
    ) -> None:
        stored = [(i, m, emoji, n, to_db(at)) for i, m, emoji, n, at in rows]
        await self._run.write(imports.set_anonymous, board_id, ended, stored)


def status_changes(rows: list[dict[str, Any]]) -> list[StatusChangeRow]:
    return [
        StatusChangeRow(r["idea_id"], r["old"], r["new"], r["note"], from_db(r["at"]), r["actor"])
        for r in rows
    ]


def merges(rows: list[dict[str, Any]]) -> list[MergeRow]:
    return [
        MergeRow(
            r["idea_id"], r["into_id"], r["automatic"], r["score"], from_db(r["at"]), r["actor"]
        )
        for r in rows
    ]


class Activity(PortBase, port.Activity):
    async def merged_ideas(self, board_id: int) -> dict[int, int]:
        return await self._run.read(activity.merged_ideas, board_id)

    async def period_votes(
        self, board_id: int, start: datetime, end: datetime, since: datetime, half_life_h: float
    ) -> PeriodVotes:
        return await self._run.read(
            activity.period_votes,
            board_id,
            to_db(start),
            to_db(end),
            to_db(since),
            half_life_h,
        )

    async def vote_losses(self, board_id: int, start: datetime, end: datetime) -> dict[int, int]:
        return await self._run.read(activity.vote_losses, board_id, to_db(start), to_db(end))

    async def self_votes(self, board_id: int, start: datetime, end: datetime) -> dict[int, int]:
        return await self._run.read(activity.self_votes, board_id, to_db(start), to_db(end))

    async def exact_gains(
        self, board_id: int, canonicals: list[int], start: datetime, end: datetime
    ) -> dict[int, int]:
        return await self._run.read(
            activity.exact_gains, board_id, canonicals, to_db(start), to_db(end)
        )

    async def votes_cast(self, board_id: int, start: datetime, end: datetime) -> int:
        return await self._run.read(activity.votes_cast, board_id, to_db(start), to_db(end))

    async def created_between(
        self, board_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, int, bool]]:
        return await self._run.read(activity.created_between, board_id, to_db(start), to_db(end))

    async def status_changes(
        self, board_id: int, start: datetime, end: datetime
    ) -> list[StatusChangeRow]:
        rows = await self._run.read(activity.status_changes, board_id, to_db(start), to_db(end))
        return status_changes(rows)

    async def merges(self, board_id: int, start: datetime, end: datetime) -> list[MergeRow]:
        rows = await self._run.read(activity.merges, board_id, to_db(start), to_db(end))
        return merges(rows)

    async def open_ideas(self, board_id: int, at: datetime) -> int:
        return await self._run.read(activity.open_ideas, board_id, to_db(at))


class PairLabels(PortBase, port.PairLabels):
    async def add(
        self,
        board_id: int,
        idea_id: int,
        other_id: int,
        *,
        same: bool,
        source: str,
        features: Sequence[float],
        score: float,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        await self._run.write(
            pair_labels.add_label,
            board_id,
            idea_id,
            other_id,
            same=same,
            source=source,
            features=list(features),
            score=score,
            actor_id=actor_id,
            at=to_db(at),
        )

    async def current(self, board_id: int) -> list[PairLabel]:
        return await self._run.read(pair_labels.current_labels, board_id)

    async def retire(self, board_id: int, at: datetime) -> int:
        return await self._run.write(pair_labels.retire_labels, board_id, to_db(at))
