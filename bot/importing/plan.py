"""What an import would do: which messages become ideas, merges, suggestions and votes.

Planning reads the store but never writes it, so a dry run is a plan printed, and a
real import is a plan handed to ``apply`` in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from bot.boards import Board, BoardSettings
from bot.core import Core
from bot.errors import InvalidIdea
from bot.importing.duplicates import Verdict, decide_batch
from bot.importing.model import (
    SKIP_ALREADY,
    SKIP_EMPTY,
    SKIP_OTHER_BOARD,
    SKIP_TOO_LONG,
    ImportedMessage,
    ImportedReaction,
    ParsedExport,
)
from bot.service import MAX_CANDIDATES
from bot.text import check_idea_text, clean_text, title_of
from dedupe.thresholds import COSINE_THRESHOLDS
from storage.rows import ExistingMessage, StoredAnonymous, StoredReaction

EMBED_CHUNK = 1024  # texts per embedder call: big enough to batch well, small for progress

# (stage, done, total): "ideas embedded" while embedding, "votes written" while writing.
ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True, kw_only=True)
class Target:
    """The board the import goes to; ``id`` is None for a board the import will create."""

    id: int | None
    name: str
    settings: BoardSettings


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannedIdea:
    message: ImportedMessage
    title: str
    text: str
    verdict: Verdict


class PlannedVote(NamedTuple):
    """A named person's vote to record (a named tuple: an import plans hundreds of
    thousands, made three times faster than a frozen dataclass)."""

    key: tuple[str, str]
    user_id: str
    name: str
    emoji: str
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannedAnonymous:
    """The anonymous votes of one reaction (its count beyond the people known), as a count.

    ``replaces`` is the stored row whose count this one takes over (it ends), ``before``
    that row's count; ``count`` 0 only ends it.
    """

    key: tuple[str, str]
    emoji: str
    count: int
    at: datetime
    replaces: int | None = None
    before: int = 0


@dataclass(frozen=True, kw_only=True)
class Plan:
    export: ParsedExport
    target: Target
    ideas: tuple[PlannedIdea, ...]
    vectors: npt.NDArray[np.float32]
    existing: dict[tuple[str, str], ExistingMessage]
    votes: tuple[PlannedVote, ...]
    anonymous: tuple[PlannedAnonymous, ...]
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def anonymous_added(self) -> int:
        return sum(max(0, a.count - a.before) for a in self.anonymous)

    @property
    def anonymous_ended(self) -> int:
        return sum(max(0, a.before - a.count) for a in self.anonymous)


async def make_plan(
    core: Core,
    export: ParsedExport,
    target: Target,
    board: Board | None,
    progress: ProgressFn | None = None,
) -> Plan:
    """Embed the new ideas and decide their duplicates and votes, writing nothing.

    Call it holding ``core.lock(board)`` when the plan is to be applied, so the
    board's canonical ideas cannot change in between.
    """
    skipped = Counter(export.skipped)
    channel_ids = sorted({m.channel_id for m in export.messages})
    existing = await core.store.imports.existing_messages(export.platform, channel_ids)
    fresh: list[tuple[ImportedMessage, str]] = []
    again: list[ImportedMessage] = []
    for message in export.messages:
        stored = existing.get(message.key)
        if stored is not None:
            skipped[SKIP_ALREADY if stored.board_id == target.id else SKIP_OTHER_BOARD] += 1
            if stored.board_id == target.id:
                again.append(message)  # a newer export may bring new votes
            continue
        text, reason = _idea_text(message.text, core.max_idea_length)
        if reason is not None:
            skipped[reason] += 1
            continue
        fresh.append((message, text))
    fresh.sort(key=lambda item: (item[0].at, item[0].channel_id, item[0].message_id))
    vectors = await _embed(core, [text for _, text in fresh], progress)
    keys: list[int] = []
    matrix = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    if board is not None:
        keys, matrix = (await core.index(board)).arrays()
    # The bulk import decides on the bare cosine (the pair score is live capture's).
    verdicts = decide_batch(keys, matrix, vectors, COSINE_THRESHOLDS, MAX_CANDIDATES)
    ideas = tuple(
        PlannedIdea(message=m, title=title_of(text), text=text, verdict=v)
        for (m, text), v in zip(fresh, verdicts, strict=True)
    )
    stored_reactions: list[StoredReaction] = []
    stored_anonymous: list[StoredAnonymous] = []
    if again and target.id is not None:
        rows = [existing[m.key].message_row for m in again]
        stored_reactions = await core.store.imports.reactions_on(target.id, rows)
        stored_anonymous = await core.store.imports.anonymous_on(target.id, rows)
    votes, anonymous = plan_votes(
        [p.message for p in ideas],
        again,
        existing,
        stored_reactions,
        target.settings.vote_emoji,
        stored_anonymous,
    )
    return Plan(
        export=export,
        target=target,
        ideas=ideas,
        vectors=vectors,
        existing=existing,
        votes=tuple(votes),
        anonymous=tuple(anonymous),
        skipped=skipped,
    )


def _idea_text(text: str, max_length: int) -> tuple[str, str | None]:
    """(the idea's cleaned text, None) or ("", why it is skipped)."""
    cleaned = clean_text(text)
    if len(cleaned) > max_length:
        return "", SKIP_TOO_LONG
    try:
        return check_idea_text(cleaned, max_length), None
    except InvalidIdea:
        return "", SKIP_EMPTY


async def _embed(
    core: Core, texts: list[str], progress: ProgressFn | None
) -> npt.NDArray[np.float32]:
    parts = []
    for start in range(0, len(texts), EMBED_CHUNK):
        parts.append(await core.embedder.embed(texts[start : start + EMBED_CHUNK]))
        if progress is not None:
            progress("ideas embedded", min(start + EMBED_CHUNK, len(texts)), len(texts))
    if not parts:
        return np.zeros((0, core.embedder.dim), dtype=np.float32)
    return np.concatenate(parts).astype(np.float32, copy=False)


def plan_votes(
    fresh: Sequence[ImportedMessage],
    again: Sequence[ImportedMessage],
    existing: dict[tuple[str, str], ExistingMessage],
    stored: Sequence[StoredReaction],
    vote_emoji: tuple[str, ...],
    stored_anonymous: Sequence[StoredAnonymous] = (),
) -> tuple[list[PlannedVote], list[PlannedAnonymous]]:
    """The named votes to add, and the anonymous counts to set, for new and stored messages.

    Per reaction: the people it names (bots left out) vote; ``count`` minus everyone
    known to have reacted (named here, or stored as named voters already) are
    anonymous votes, kept as one count. A later export that names more people lowers
    the count by as many as it explains. Memory follows the reactions in the export,
    never the numbers written in them.
    """
    by_message: dict[tuple[int, str], list[StoredReaction]] = {}
    for fact in stored:
        by_message.setdefault((fact.message_row, fact.emoji), []).append(fact)
    counts = {(a.message_row, a.emoji): a for a in stored_anonymous}
    votes: list[PlannedVote] = []
    anonymous: dict[tuple[tuple[str, str], str], PlannedAnonymous] = {}
    for message in (*fresh, *again):
        at = message.at  # exports do not say when a reaction was added
        row = existing[message.key].message_row if message.key in existing else None
        for reaction in message.reactions:
            if not any(name in vote_emoji for name in reaction.names()):
                continue
            facts = by_message.get((row, reaction.emoji), []) if row is not None else []
            votes += _named_votes(message.key, reaction, facts, at)
            had = counts.get((row, reaction.emoji)) if row is not None else None
            needed = _anonymous_needed(reaction, facts)
            before = had.count if had is not None else 0
            planned = anonymous.get((message.key, reaction.emoji))
            if planned is not None and planned.count >= needed:
                continue  # the same emoji twice on a message: the larger count holds
            if needed != before or planned is not None:
                anonymous[(message.key, reaction.emoji)] = PlannedAnonymous(
                    key=message.key,
                    emoji=reaction.emoji,
                    count=needed,
                    at=at,
                    replaces=had.id if had is not None else None,
                    before=before,
                )
    return votes, list(anonymous.values())


def _named_votes(
    key: tuple[str, str], reaction: ImportedReaction, facts: list[StoredReaction], at: datetime
) -> list[PlannedVote]:
    had = {f.user_id for f in facts}
    return [
        PlannedVote(key=key, user_id=u.user_id, name=u.name, emoji=reaction.emoji, at=at)
        for u in reaction.users
        if not u.is_bot and u.user_id not in had
    ]


def _anonymous_needed(reaction: ImportedReaction, facts: list[StoredReaction]) -> int:
    known = {u.user_id for u in reaction.users} | {f.user_id for f in facts if f.active}
    return max(0, reaction.count - len(known))
