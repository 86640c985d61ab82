"""Reading a board: one idea, the top ideas, semantic search, everything for export."""

from __future__ import annotations

from bot.boards import Board
from bot.core import Core, view
from bot.errors import InvalidIdea
from bot.results import Candidate, IdeaView
from bot.text import clean_text

SEARCH_MAX = 500
OPEN_STATUSES = ("open", "under_review", "planned", "in_progress")


class Queries:
    """Read-only questions about a board."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def show(self, board: Board, number: int) -> IdeaView:
        return view(await self.core.idea(board, number))

    async def top(
        self, board: Board, limit: int = 10, *, include_closed: bool = False
    ) -> list[IdeaView]:
        """Canonical ideas by votes, most first; ties go to the older idea."""
        if limit < 1:
            raise InvalidIdea("Ask for at least one idea.")
        statuses = None if include_closed else list(OPEN_STATUSES)
        ids = await self.core.store.ideas.top_ids(board.id, limit, statuses)
        rows = await self.core.store.ideas.by_ids(board.id, ids)
        return [view(rows[i]) for i in ids if i in rows]

    async def all(self, board: Board, *, include_deleted: bool = False) -> list[IdeaView]:
        """Every idea of the board in number order, merged ones included."""
        rows = await self.core.store.ideas.listing(board.id, include_deleted=include_deleted)
        return [view(r) for r in rows]

    async def search(self, board: Board, query: str, limit: int = 5) -> list[Candidate]:
        """Ideas closest in meaning to ``query``, best first."""
        text = clean_text(query)
        if not text:
            raise InvalidIdea("Search for some words, e.g. `dark mode`.")
        if len(text) > SEARCH_MAX:
            raise InvalidIdea(f"Keep the search under {SEARCH_MAX} characters.")
        vector = await self.core.embed(text)
        index = await self.core.index(board)
        hits = index.search(vector, k=limit)
        rows = await self.core.store.ideas.by_ids(board.id, [idea_id for idea_id, _ in hits])
        return [Candidate(idea=view(rows[i]), score=s) for i, s in hits if i in rows]
