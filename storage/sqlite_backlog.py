"""The store's ports on SQLite, for the backlog itself (boards, members, event ids, ideas,
suggestions, votes): each method runs the matching ``storage`` function on the writer
(writes) or a reader (reads), or inside an open transaction.

Times cross the interface as aware datetimes and are stored as UTC ISO text
(``storage.times``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlite_utils import Database

from storage import activity, imports, port, vectors
from storage import boards as board_rows
from storage import ideas as idea_rows
from storage.board_merge import merge_boards
from storage.rows import (
    BoardRow,
    CandidateRow,
    IdeaRow,
    MemberRow,
    MessageTarget,
    NewIdea,
)
from storage.sqlite_runner import PortBase
from storage.times import from_db, to_db


class Boards(PortBase, port.Boards):
    async def by_id(self, board_id: int) -> BoardRow | None:
        return await self._run.read(board_rows.board_by_id, board_id)

    async def by_name(self, name: str) -> BoardRow | None:
        return await self._run.read(board_rows.board_by_name, name)

    async def all(self) -> list[BoardRow]:
        return await self._run.read(board_rows.all_boards)

    async def of_workspace(self, platform: str, workspace_id: str) -> BoardRow | None:
        return await self._run.read(board_rows.board_for_workspace, platform, workspace_id)

    async def ensure_for_workspace(
        self, platform: str, workspace_id: str, name: str, at: datetime
    ) -> BoardRow:
        return await self._run.write(
            board_rows.ensure_workspace_board, platform, workspace_id, name, to_db(at)
        )

    async def save_settings(self, board_id: int, settings: dict[str, Any]) -> None:
        await self._run.write(board_rows.save_settings, board_id, settings)

    async def idea_count(self, board_id: int) -> int:
        return await self._run.read(board_rows.idea_count, board_id)

    async def move_workspace(self, platform: str, workspace_id: str, board_id: int) -> None:
        await self._run.write(board_rows.move_workspace, platform, workspace_id, board_id)

    async def attach_workspace(
        self, platform: str, workspace_id: str, board_id: int, name: str | None
    ) -> None:
        await self._run.write(imports.attach_workspace, platform, workspace_id, board_id, name)

    async def create(self, name: str, at: datetime) -> BoardRow | None:
        return await self._run.write(board_rows.create_named_board, name, to_db(at))

    async def rename(self, board_id: int, name: str) -> bool:
        return await self._run.write(board_rows.rename_board, board_id, name)

    async def workspaces(self, board_id: int) -> list[tuple[str, str, str | None]]:
        return await self._run.read(board_rows.board_workspaces, board_id)

    async def merge(self, source_id: int, into_id: int, at: datetime) -> list[tuple[int, int, int]]:
        return await self._run.write(merge_boards, source_id, into_id, to_db(at))


class Members(PortBase, port.Members):
    async def ensure(self, platform: str, user_id: str, name: str) -> int:
        return await self._run.write(self._members.ensure, platform, user_id, name)

    async def ensure_many(self, platform: str, people: Sequence[tuple[str, str]]) -> dict[str, int]:
        return await self._run.write(imports.ensure_members, platform, people)

    async def names(self, ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        return await self._run.read(activity.member_names, list(ids))


class Events(PortBase, port.Events):
    async def first_seen(self, platform: str, event_id: str, at: datetime) -> bool:
        return await self._run.write(board_rows.first_event, platform, event_id, to_db(at))


class Ideas(PortBase, port.Ideas):
    async def by_number(self, board_id: int, number: int) -> IdeaRow | None:
        return await self._run.read(idea_rows.idea_by_number, board_id, number)

    async def by_id(self, board_id: int, idea_id: int) -> IdeaRow | None:
        return await self._run.read(idea_rows.idea_by_id, board_id, idea_id)

    async def by_ids(self, board_id: int, ids: Sequence[int]) -> dict[int, IdeaRow]:
        return await self._run.read(activity.ideas_by_ids, board_id, list(ids))

    async def listing(self, board_id: int, *, include_deleted: bool) -> list[IdeaRow]:
        where = "1" if include_deleted else "i.deleted_at IS NULL"
        return await self._run.read(idea_rows.ideas_where, board_id, where)

    async def top_ids(self, board_id: int, limit: int, statuses: list[str] | None) -> list[int]:
        return await self._run.read(idea_rows.top_ids, board_id, limit, statuses)

    async def insert(self, idea: NewIdea) -> tuple[int, int]:
        return await self._run.write(
            idea_rows.insert_idea,
            board_id=idea.board_id,
            author_id=idea.author_id,
            title=idea.title,
            body=idea.body,
            platform=idea.platform,
            channel_id=idea.channel_id,
            message_id=idea.message_id,
            permalink=idea.permalink,
            embedding=idea.embedding,
            created_at=to_db(idea.created_at),
        )

    async def link_message(
        self,
        board_id: int,
        idea_id: int,
        platform: str,
        channel_id: str,
        message_id: str,
        kind: str,
    ) -> bool:
        return await self._run.write(
            idea_rows.link_message, board_id, idea_id, platform, channel_id, message_id, kind
        )

    async def message_target(
        self, platform: str, channel_id: str, message_id: str
    ) -> MessageTarget | None:
        return await self._run.read(idea_rows.message_target, platform, channel_id, message_id)

    async def messages_of(self, board_id: int, idea_id: int) -> list[tuple[str, str, str, str]]:
        return await self._run.read(idea_rows.messages_of, board_id, idea_id)

    async def update_text(
        self, board_id: int, idea_id: int, title: str, body: str, embedding: bytes, at: datetime
    ) -> None:
        await self._run.write(
            idea_rows.update_text, board_id, idea_id, title, body, embedding, to_db(at)
        )

    async def set_status(
        self,
        board_id: int,
        idea_id: int,
        old: str,
        new: str,
        note: str | None,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        await self._run.write(
            idea_rows.set_status, board_id, idea_id, old, new, note, actor_id, to_db(at)
        )

    async def merge(
        self,
        board_id: int,
        idea_id: int,
        into_id: int,
        into_canonical: int,
        score: float | None,
        automatic: bool,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        await self._run.write(
            idea_rows.merge,
            board_id,
            idea_id,
            into_id,
            into_canonical,
            score,
            automatic,
            actor_id,
            to_db(at),
        )

    async def unmerge(self, board_id: int, idea_id: int, at: datetime) -> None:
        await self._run.write(idea_rows.unmerge, board_id, idea_id, to_db(at))

    async def mark_deleted(self, board_id: int, idea_id: int, at: datetime) -> list[int]:
        return await self._run.write(idea_rows.mark_deleted, board_id, idea_id, to_db(at))

    async def canonical_vectors(
        self, board_id: int, dim: int, from_number: int = 1
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        return await self._run.read(vectors.canonical_vectors, board_id, dim, from_number)

    async def canonical_embeddings(
        self, board_id: int, from_number: int = 1
    ) -> list[tuple[int, bytes]]:
        return await self._run.read(idea_rows.canonical_embeddings, board_id, from_number)

    async def next_number(self, board_id: int) -> int:
        return await self._run.read(idea_rows.next_number, board_id)

    async def candidates(self, board_id: int, idea_ids: Sequence[int]) -> dict[int, CandidateRow]:
        return await self._run.read(_candidates, board_id, list(idea_ids))

    async def bodies(self, board_id: int, start: int, stop: int) -> list[str]:
        return await self._run.read(_bodies, board_id, start, stop)

    async def index_version(self, board_id: int) -> tuple[int, int]:
        return await self._run.read(_index_version, board_id)

    async def embedding_of(self, board_id: int, idea_id: int) -> bytes | None:
        return await self._run.read(idea_rows.embedding_of, board_id, idea_id)

    async def voters(self, board_id: int, canonical_id: int) -> list[MemberRow]:
        return await self._run.read(idea_rows.voters, board_id, canonical_id)


class Suggestions(PortBase, port.Suggestions):
    async def add(self, board_id: int, idea_id: int, candidates: list[tuple[int, float]]) -> None:
        await self._run.write(idea_rows.add_suggestions, board_id, idea_id, candidates)

    async def state(self, board_id: int, idea_id: int, candidate_id: int) -> str | None:
        return await self._run.read(idea_rows.suggestion_state, board_id, idea_id, candidate_id)

    async def pending(self, board_id: int, idea_id: int) -> list[int]:
        return await self._run.read(idea_rows.pending_candidates, board_id, idea_id)

    async def decide(
        self,
        board_id: int,
        idea_id: int,
        candidate_id: int | None,
        state: str,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        await self._run.write(
            idea_rows.decide_suggestions,
            board_id,
            idea_id,
            candidate_id,
            state,
            actor_id,
            to_db(at),
        )


# Moderation-log actions that change a board's set of canonical ideas.
INDEX_ACTIONS = ("merge", "unmerge", "delete", "import", "board merge")


def _index_version(db: Database, board_id: int) -> tuple[int, int]:
    row = db.execute(
        "SELECT (SELECT next_number FROM boards WHERE id = ?1), COALESCE((SELECT id"
        " FROM moderation_log WHERE board_id = ?1 AND action IN (?2, ?3, ?4, ?5, ?6)"
        " ORDER BY at DESC, id DESC LIMIT 1), 0)",
        [board_id, *INDEX_ACTIONS],
    ).fetchone()
    return int(row[0] or 1), int(row[1])


def _candidates(db: Database, board_id: int, idea_ids: list[int]) -> dict[int, CandidateRow]:
    if not idea_ids:
        return {}
    marks = ", ".join("?" for _ in idea_ids)
    rows = db.execute(
        "SELECT i.id, i.body, m.platform, m.user_id, i.created_at FROM ideas i"
        " JOIN members m ON m.id = i.author_id"
        f" WHERE i.board_id = ? AND i.deleted_at IS NULL AND i.id IN ({marks})",
        [board_id, *idea_ids],
    ).fetchall()
    return {r[0]: CandidateRow(r[1], r[2], r[3], from_db(r[4])) for r in rows}


def _bodies(db: Database, board_id: int, start: int, stop: int) -> list[str]:
    rows = db.execute(
        "SELECT body FROM ideas WHERE board_id = ? AND number >= ? AND number < ?",
        [board_id, start, stop],
    ).fetchall()
    return [r[0] for r in rows]
