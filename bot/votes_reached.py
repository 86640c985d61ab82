"""``idea.votes_reached``: the webhook event of an idea whose votes first reach one of the
board's thresholds (``webhook_vote_thresholds``).

Checked inside the transaction that changed the votes (a vote, a merge), and only on
boards with a live endpoint taking the event: the store records each threshold an idea
reached, so each fires once per idea, however its votes go and come afterwards. A merge
that brings its target over a threshold fires for the target (the canonical idea).
"""

from __future__ import annotations

from datetime import datetime

from bot.boards import Board
from bot.webhooks import queue_event
from storage.port import Transaction
from storage.rows import IdeaRow

EVENT = "idea.votes_reached"


async def check(tx: Transaction, board: Board, idea: IdeaRow, at: datetime) -> list[int]:
    """Queue one event per threshold the canonical idea of ``idea`` reaches for the first
    time, in ``tx``; those thresholds, lowest first."""
    thresholds = board.settings.webhook_vote_thresholds
    if not thresholds or idea.deleted_at is not None:
        return []
    votes, reached = await tx.webhooks.votes_reached(board.id, idea.canonical_id, thresholds, at)
    if not reached:
        return []
    canonical = (
        idea if idea.id == idea.canonical_id else await tx.ideas.by_id(board.id, idea.canonical_id)
    )
    if canonical is None:
        return []
    for threshold in reached:
        told = {"threshold": threshold, "votes": votes}
        await queue_event(tx, board, EVENT, canonical, told, at)
    return reached
