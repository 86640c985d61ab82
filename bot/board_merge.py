"""Merging one board into another: two boards that grew apart (a Discord server's and a
Slack workspace's) become one, nothing lost.

The store moves every row of the source board onto the target in one transaction
(``Boards.merge``): the source's ideas get numbers after the target's highest, in their
old order, keep their ids (so their messages, votes, merges and statuses stay theirs) and
the source board is deleted. The map from old numbers to new is kept in the target's
moderation log ("board merge") and returned for the caller to show. The target keeps
its settings; the source's moderators (users and roles) and banned users are added to
them. Then each moved canonical idea is judged against the target's own by the rules of
live capture, and the likely duplicates are stored as suggestions ("same as #12?"),
never merged by the bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import numpy as np

from bot.boards import Board
from bot.core import Core
from bot.domain import Actor
from bot.errors import InvalidMerge, NotAllowed
from bot.moderation import is_moderator
from dedupe.pair_features import words_of
from dedupe.thresholds import decide
from storage.port import Transaction

# As live capture (bot.service): the nearest few by cosine are judged as pairs, none under
# the floor, and at most the best two are offered.
CANDIDATE_POOL = 5
COSINE_FLOOR = 0.25
MAX_CANDIDATES = 2


@dataclass(frozen=True, kw_only=True)
class Suggested:
    """A moved idea (by its new number) that may be the same as one of the target's."""

    number: int
    candidate: int
    score: float


@dataclass(frozen=True, kw_only=True)
class MergePlan:
    """What a merge would do, for the operator to confirm."""

    source: Board
    into: Board
    ideas: int  # ideas of the source board, deleted ones too (they keep their history)
    first_number: int  # the number the first of them gets


@dataclass(frozen=True, kw_only=True)
class BoardMerged:
    """What a board merge did: the numbers it gave and the duplicates it offers."""

    source: str
    into: Board
    numbers: tuple[tuple[int, int], ...]  # (old number, new number), in old order
    suggestions: tuple[Suggested, ...]


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(v for v in second if v not in first)


async def plan(core: Core, source_name: str, into_name: str) -> MergePlan:
    """The boards named and what merging them would do (reads only)."""
    source = await core.board_named(source_name)
    into = await core.board_named(into_name)
    if source.id == into.id:
        raise InvalidMerge(f"Board {source.name!r} cannot be merged into itself.")
    ideas = await core.store.ideas.next_number(source.id) - 1
    return MergePlan(
        source=source,
        into=into,
        ideas=ideas,
        first_number=await core.store.ideas.next_number(into.id),
    )


async def merge_boards(
    core: Core,
    actor: Actor,
    source: Board,
    into: Board,
    *,
    invited: bool = False,
    also: Callable[[Transaction], Awaitable[None]] | None = None,
) -> BoardMerged:
    """Move board ``source`` into ``into`` as the actor: a moderator of both, or of the
    source when ``invited`` (a link code of the target's moderators). ``also`` runs first
    in the merge's transaction; what it raises rolls the merge back."""
    if source.id == into.id:
        raise InvalidMerge(f"Board {source.name!r} cannot be merged into itself.")
    if not is_moderator(source, actor) or not (invited or is_moderator(into, actor)):
        raise NotAllowed("Only a moderator of both boards can merge them.")
    first, second = sorted((source, into), key=lambda b: b.id)  # one order: no deadlock
    async with core.lock(first), core.lock(second):
        # The settings as stored now, not as cached: the union must not drop a change.
        source = await core.refresh_board(source.id)
        into = await core.refresh_board(into.id)
        keys, matrix = np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.float32)
        if await core.store.boards.idea_count(source.id):
            # dim may load the model (seconds): only when there is something to compare.
            dim = await asyncio.to_thread(lambda: core.embedder.dim)
            keys, matrix = await core.store.ideas.canonical_vectors(into.id, dim)
        settings = replace(
            into.settings,
            moderator_users=_union(into.settings.moderator_users, source.settings.moderator_users),
            moderator_roles=_union(into.settings.moderator_roles, source.settings.moderator_roles),
            banned_users=_union(into.settings.banned_users, source.settings.banned_users),
        )
        at = core.now()
        async with core.store.transaction() as tx:
            if also is not None:
                await also(tx)
            moved = await tx.boards.merge(source.id, into.id, at)
            await tx.boards.save_settings(into.id, settings.to_json())
            actor_id = await core.member_id(tx, actor.person)
            details = {
                "source": source.name,
                "source_id": source.id,
                "numbers": {str(old): new for _, old, new in moved},
            }
            await tx.log.add(into.id, actor_id, "board merge", details, at)
        core.forget_board(source.id)
        core.pairs.forget_thresholds(into.id)  # the source's decisions count here now
        into = await core.refresh_board(into.id)
        suggestions = await _offer(core, into, keys, matrix[: len(keys)], [m[0] for m in moved])
    return BoardMerged(
        source=source.name,
        into=into,
        numbers=tuple((old, new) for _, old, new in moved),
        suggestions=suggestions,
    )


async def _offer(
    core: Core,
    into: Board,
    keys: np.ndarray,
    matrix: np.ndarray,
    moved_ids: list[int],
) -> tuple[Suggested, ...]:
    """Judge each moved canonical idea against the target's own canonical ideas and store
    the likely duplicates as pending suggestions."""
    if not len(keys) or not moved_ids:
        return ()
    store = core.store
    dim = matrix.shape[1]
    moved_keys, moved_matrix = await store.ideas.canonical_vectors(into.id, dim)
    mine = set(moved_ids)
    rows = [i for i, key in enumerate(moved_keys.tolist()) if key in mine]
    if not rows:
        return ()
    cosines = moved_matrix[rows] @ matrix.T
    vocabulary = await core.pairs.vocabulary(into)
    thresholds = (await core.pairs.thresholds(into)).thresholds
    numbers = {r.id: r.number for r in (await store.ideas.by_ids(into.id, [*moved_ids])).values()}
    found: list[tuple[int, list[tuple[int, float]]]] = []
    for row, scores in zip(rows, cosines, strict=True):
        idea_id = int(moved_keys[row])
        nearest = np.argsort(-scores)[:CANDIDATE_POOL]
        pool = [(int(keys[j]), float(scores[j])) for j in nearest if scores[j] >= COSINE_FLOOR]
        if not pool:
            continue
        texts = await store.ideas.candidates(into.id, [idea_id, *(k for k, _ in pool)])
        if idea_id not in texts:
            continue
        words = words_of(texts[idea_id].body)
        hits = []
        for key, cosine in pool:
            if key not in texts:
                continue
            pair = core.pairs.score(cosine, words, words_of(texts[key].body), vocabulary)
            if decide(pair.probability, thresholds) != "new":
                hits.append((key, pair.probability))
        hits.sort(key=lambda hit: -hit[1])
        if hits:
            found.append((idea_id, hits[:MAX_CANDIDATES]))
    if not found:
        return ()
    async with store.transaction() as tx:
        for idea_id, hits in found:
            await tx.suggestions.add(into.id, idea_id, hits)
    targets = await store.ideas.by_ids(into.id, [k for _, hits in found for k, _ in hits])
    return tuple(
        Suggested(number=numbers[idea_id], candidate=targets[key].number, score=score)
        for idea_id, hits in found
        for key, score in hits
        if key in targets
    )
