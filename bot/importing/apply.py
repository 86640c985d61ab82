"""Writing an import plan: the whole import is one transaction, or nothing at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.importing.duplicates import Verdict
from bot.importing.errors import ImportConflict
from bot.importing.plan import Plan, PlannedVote
from storage.port import Transaction
from storage.rows import IdeaInsert

VOTE_CHUNK = 20_000  # reaction facts per statement batch, between progress updates

# Called as votes are written: (stage, done, total).
WriteProgress = Callable[[str, int, int], None]


@dataclass(frozen=True, kw_only=True)
class Written:
    """What the import's transaction stored."""

    board_id: int
    board_name: str
    created_board: bool
    idea_ids: tuple[int, ...]
    numbers: tuple[int, ...]
    votes: int
    anonymous_votes: int
    retired: int


async def write_plan(
    tx: Transaction,
    plan: Plan,
    *,
    board_name: str,
    attach: bool,
    now: datetime,
    progress: WriteProgress | None = None,
) -> Written:
    """Store the plan inside the transaction ``tx``; ImportConflict if the board moved on."""
    export = plan.export
    board_id, created = await _board(tx, plan, board_name, attach, now)
    current = await tx.imports.existing_messages(
        export.platform, sorted({p.message.channel_id for p in plan.ideas})
    )
    if any(p.message.key in current for p in plan.ideas):
        raise ImportConflict(
            "Some of these messages were captured while the import ran; nothing was written."
            " Run the import again."
        )
    people: dict[str, str] = {}
    for idea in plan.ideas:
        people[idea.message.author.user_id] = idea.message.author.name
    for vote in plan.votes:
        people.setdefault(vote.user_id, vote.name)
    members = await tx.members.ensure_many(export.platform, list(people.items()))
    first_id, first_row, first_number = await tx.imports.reserve(board_id, len(plan.ideas))

    def resolve(key: int) -> int:
        return key if key >= 0 else first_id + (-key - 1)

    rows: list[IdeaInsert] = []
    merges: list[tuple[int, int, float, datetime]] = []
    suggestions: list[tuple[int, int, float]] = []
    for position, idea in enumerate(plan.ideas):
        message = idea.message
        idea_id = first_id + position
        created_at = message.at
        into = _merge_target(idea.verdict, resolve)
        rows.append(
            IdeaInsert(
                id=idea_id,
                number=first_number + position,
                author_id=members[message.author.user_id],
                title=idea.title,
                body=idea.text,
                platform=export.platform,
                channel_id=message.channel_id,
                message_id=message.message_id,
                permalink=message.permalink,
                embedding=plan.vectors[position].tobytes(),
                created_at=created_at,
                updated_at=message.edited_at or created_at,
                merged_into=into,
                # Only canonical ideas are candidates, so the target is its own canonical.
                canonical_id=into if into is not None else idea_id,
            )
        )
        if into is not None:
            merges.append((idea_id, into, idea.verdict.targets[0][1], created_at))
        elif idea.verdict.decision == "suggest":
            suggestions += [(idea_id, resolve(k), score) for k, score in idea.verdict.targets]
    await tx.imports.insert_ideas(board_id, rows, first_row)
    await tx.imports.insert_merges(board_id, merges)
    await tx.imports.insert_suggestions(board_id, suggestions)
    positions = {idea.message.key: n for n, idea in enumerate(plan.ideas)}
    named = await _write_votes(
        tx, plan, board_id, members, positions, first_id, first_row, progress
    )
    await _write_anonymous(tx, plan, board_id, positions, first_id, first_row)
    anonymous = plan.anonymous_added
    await tx.log.add(
        board_id,
        None,
        "import",
        {
            "source": export.kind,
            "ideas": len(rows),
            "merged": len(merges),
            "votes": named,
            "anonymous_votes": anonymous,
        },
        now,
    )
    return Written(
        board_id=board_id,
        board_name=board_name,
        created_board=created,
        idea_ids=tuple(r.id for r in rows),
        numbers=tuple(r.number for r in rows),
        votes=named,
        anonymous_votes=anonymous,
        retired=plan.anonymous_ended,
    )


async def _board(
    tx: Transaction, plan: Plan, name: str, attach: bool, now: datetime
) -> tuple[int, bool]:
    export = plan.export
    workspace = export.workspace_id
    if plan.target.id is not None:
        if attach and workspace is not None:
            if await tx.boards.of_workspace(export.platform, workspace) is not None:
                raise ImportConflict(
                    "The workspace got a board of its own while the import ran;"
                    " nothing was written. Run the import again."
                )
            await tx.boards.attach_workspace(
                export.platform, workspace, plan.target.id, export.workspace_name
            )
        return plan.target.id, False
    assert workspace is not None
    if await tx.boards.of_workspace(export.platform, workspace) is not None:
        raise ImportConflict(
            "The workspace's board was created while the import ran; nothing was written."
            " Run the import again."
        )
    row = await tx.boards.ensure_for_workspace(export.platform, workspace, name, now)
    return row.id, True


def _merge_target(verdict: Verdict, resolve: Callable[[int], int]) -> int | None:
    if verdict.decision != "merge":
        return None
    return resolve(verdict.targets[0][0])


def _place(
    plan: Plan,
    key: tuple[str, str],
    positions: dict[tuple[str, str], int],
    first_id: int,
    first_row: int,
) -> tuple[int, int]:
    """(idea id, message row) of a message: new in this import, or stored before."""
    position = positions.get(key)
    if position is not None:
        return first_id + position, first_row + position
    stored = plan.existing[key]
    return stored.idea_id, stored.message_row


async def _write_votes(
    tx: Transaction,
    plan: Plan,
    board_id: int,
    members: dict[str, int],
    positions: dict[tuple[str, str], int],
    first_id: int,
    first_row: int,
    progress: WriteProgress | None,
) -> int:
    """How many named reaction facts were added."""

    def fact(vote: PlannedVote) -> tuple[int, int, int, str, datetime]:
        idea_id, row = _place(plan, vote.key, positions, first_id, first_row)
        return (idea_id, row, members[vote.user_id], vote.emoji, vote.at)

    named = 0
    total = len(plan.votes)
    for start in range(0, total, VOTE_CHUNK):
        chunk = plan.votes[start : start + VOTE_CHUNK]
        people_new = [fact(v) for v in chunk if v.key in positions]
        people_again = [fact(v) for v in chunk if v.key not in positions]
        # On a message imported before, a vote its owner has taken back since stays
        # taken back; new messages have no such history.
        named += await tx.imports.insert_reactions(board_id, people_new, unless_withdrawn=False)
        named += await tx.imports.insert_reactions(board_id, people_again, unless_withdrawn=True)
        if progress is not None:
            progress("votes written", min(start + VOTE_CHUNK, total), total)
    return named


async def _write_anonymous(
    tx: Transaction,
    plan: Plan,
    board_id: int,
    positions: dict[tuple[str, str], int],
    first_id: int,
    first_row: int,
) -> None:
    rows = []
    for count in plan.anonymous:
        idea_id, row = _place(plan, count.key, positions, first_id, first_row)
        rows.append((idea_id, row, count.emoji, count.count, count.at))
    ended = [c.replaces for c in plan.anonymous if c.replaces is not None]
    await tx.imports.set_anonymous(board_id, ended, rows)
