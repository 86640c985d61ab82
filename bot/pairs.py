"""The pair score on a board: its TF-IDF vocabulary, scoring candidates, the decisions its
people made, and the thresholds those decisions move.

Retrieval stays the embedding index (the few nearest canonical ideas by cosine); whether a
candidate is offered or merged is decided on the pair's probability (dedupe.pair_model).
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

import numpy as np

from bot.boards import Board
from dedupe.board_thresholds import MIN_DECISIONS, BoardThresholds, fit_board_thresholds
from dedupe.pair_features import Vocabulary, Words, is_repost, pair_features, words_of
from dedupe.pair_model import DEFAULT_MODEL, PairModel
from dedupe.thresholds import DEFAULT_THRESHOLDS
from storage.port import Store
from storage.rows import IdeaRow


@dataclass(frozen=True)
class PairScore:
    """One pair judged: its features (``FEATURE_NAMES`` order) and its probability."""

    features: list[float]
    probability: float
    repost: bool  # a near-verbatim repost: merged whatever the thresholds


# How many idea texts are read and counted at a time into a board's vocabulary.
VOCABULARY_CHUNK = 2000


class PairJudge:
    """Pair scores and thresholds of every board; one per process, held by the Core."""

    def __init__(self, store: Store, model: PairModel = DEFAULT_MODEL) -> None:
        self.store = store
        self.model = model
        self._vocabularies: dict[int, Vocabulary] = {}
        self._vocabulary_next: dict[int, int] = {}
        self._thresholds: dict[int, BoardThresholds] = {}

    async def vocabulary(self, board: Board, newest: int | None = None) -> Vocabulary:
        """The board's document frequencies over every idea text it has stored.

        ``newest``: the board's next idea number, when the caller has just read it (the
        submit has, for the index); otherwise it is read here."""
        known = self._vocabulary_next.get(board.id, 1)
        if newest is None:
            newest = await self.store.ideas.next_number(board.id)
        vocabulary = self._vocabularies.setdefault(board.id, Vocabulary())
        if newest > known:
            # Claimed before the read, so a concurrent caller does not count them again.
            self._vocabulary_next[board.id] = newest
            # A chunk at a time, counted off the event loop (a board of 10,000 ideas takes
            # most of a second): a 100k board's texts never sit in memory all at once,
            # nor their word lists, whose freed heap a long-running bot would keep.
            for start in range(known, newest, VOCABULARY_CHUNK):
                bodies = await self.store.ideas.bodies(
                    board.id, start, min(start + VOCABULARY_CHUNK, newest)
                )
                await asyncio.to_thread(vocabulary.count, bodies)
        return vocabulary

    def stored_here(self, board: Board, number: int, text: str) -> None:
        """This process has just stored idea ``number`` with ``text``: when the vocabulary
        counts every idea before it, the text is counted in now, not read back later."""
        vocabulary = self._vocabularies.get(board.id)
        if vocabulary is not None and self._vocabulary_next.get(board.id) == number:
            vocabulary.count([text])
            self._vocabulary_next[board.id] = number + 1

    def score(self, cosine: float, a: Words, b: Words, vocabulary: Vocabulary) -> PairScore:
        """The pair's features and probability of being one idea."""
        features = pair_features(cosine, a, b, vocabulary)
        return PairScore(
            features=features,
            probability=self.model.probability(features),
            repost=is_repost(cosine, a, b),
        )

    async def score_rows(self, board: Board, a: IdeaRow, b: IdeaRow) -> PairScore:
        """Score two stored ideas (for a decision about them) from their stored embeddings."""
        blobs = [await self.store.ideas.embedding_of(board.id, r.id) for r in (a, b)]
        first, second = blobs
        cosine = 0.0
        if first is not None and second is not None:
            cosine = float(
                np.dot(np.frombuffer(first, np.float32), np.frombuffer(second, np.float32))
            )
        vocabulary = await self.vocabulary(board)
        return self.score(cosine, words_of(a.body), words_of(b.body), vocabulary)

    async def thresholds(self, board: Board) -> BoardThresholds:
        """The thresholds the board decides with now, and the decisions they rest on."""
        cached = self._thresholds.get(board.id)
        base = board.settings.thresholds
        if cached is not None and cached.base == base:
            return cached
        labels = await self.store.labels.current(board.id)
        fitted = fit_board_thresholds(
            [self.model.probability(label.features) for label in labels],
            [label.same for label in labels],
            base,
        )
        self._thresholds[board.id] = fitted
        return fitted

    def forget_thresholds(self, board_id: int) -> None:
        """Drop the board's cached thresholds (after a decision was stored or a reset)."""
        self._thresholds.pop(board_id, None)

    def forget_board(self, board_id: int) -> None:
        """Drop all the board's cached state (a board merged into another is gone)."""
        self._thresholds.pop(board_id, None)
        self._vocabularies.pop(board_id, None)
        self._vocabulary_next.pop(board_id, None)


def _share(value: float) -> str:
    return "none scored that high" if math.isnan(value) else f"{value:.0%} were the same idea"


def threshold_lines(current: BoardThresholds) -> list[str]:
    """Plain lines saying what the board decides duplicates with and what that rests on."""
    t = current.thresholds
    if current.learned:
        origin = (
            f"learned from {current.decisions} decisions on this board"
            f" ({current.same} same, {current.decisions - current.same} different)"
        )
    else:
        origin = "defaults" if current.base == DEFAULT_THRESHOLDS else "set by a moderator"
        origin += (
            f"; {current.decisions} decisions so far, learning starts at {MIN_DECISIONS}"
            " with both kinds"
        )
    lines = [
        f"Duplicate thresholds (pair score): suggest {t.suggest:.2f},"
        f" auto-merge {t.auto_merge:.2f} ({origin})."
    ]
    if current.decisions:
        lines.append(
            f"Of the decisions scoring at or above suggest, {_share(current.suggest_precision)};"
            f" at or above auto-merge, {_share(current.merge_precision)}."
        )
    return lines
