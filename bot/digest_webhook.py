"""``digest.posted``: the webhook event of a weekly digest posted to a channel.

Queued in the transaction that records the post as done (the claim's end), so a digest
posted once is told once: a post whose claim ran out (another process took it over and
records it itself) queues nothing here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.boards import Board
from bot.digest import Digest
from bot.domain import Where
from bot.results import idea_json
from bot.webhooks import queue_event
from storage.port import Store
from storage.rows import PostKey

EVENT = "digest.posted"


def digest_data(digest: Digest, where: Where, message_id: str) -> dict[str, Any]:
    """The event's data: the period, the channel and message, the ideas listed by section."""
    period = digest.period
    return {
        "period": {
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "channel": {
            "platform": where.platform,
            "workspace_id": where.workspace_id,
            "channel_id": where.channel_id,
            "message_id": message_id,
        },
        "late": digest.late,
        "ideas": {
            "top": [{**idea_json(r.idea), "gained": r.gained} for r in digest.top],
            "trending": [{**idea_json(r.idea), "gained": r.gained} for r in digest.trending],
            "new": [idea_json(i) for i in digest.new_ideas],
            "status_changes": [
                {**idea_json(s.idea), "from": s.old, "to": s.new, "note": s.note}
                for s in digest.status_changes
            ],
            "merges": [
                {**idea_json(m.idea), "into": m.into.number, "automatic": m.automatic}
                for m in digest.merges
            ],
        },
    }


async def record_posted(
    store: Store,
    board: Board,
    key: PostKey,
    owner: str,
    digest: Digest,
    where: Where,
    message_id: str,
    at: datetime,
) -> bool:
    """Record the post as done and queue its ``digest.posted`` event, together; False
    (and nothing queued) when the claim was no longer ``owner``'s."""
    async with store.transaction() as tx:
        recorded = await tx.digests.posted(key, owner, message_id, at)
        if recorded:
            data = digest_data(digest, where, message_id)
            # One board's digests go out in order, whatever their channels.
            await queue_event(tx, board, EVENT, None, data, at, ordering=f"digest:{board.id}")
        return recorded
