"""Each board learns from its people: duplicate decisions kept as labelled pairs, thresholds
re-fitted on them within bounds, shown and reset by moderators (core and CLI).

These tests are about decisions, not similarity: a words embedder stands in for the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from bot.app import App, build_app
from bot.cli import main
from bot.domain import AnswerSuggestion, MergeIdeas, UnmergeIdea
from bot.errors import NotAllowed
from bot.pairs import threshold_lines
from bot.settings import Settings
from dedupe.board_thresholds import BOUNDS, MIN_DECISIONS
from dedupe.embedder import FloatMatrix
from dedupe.thresholds import DEFAULT_THRESHOLDS
from storage.rows import PairLabel
from tests.conftest import HERE, FakeClock, draft, member, moderator
from tests.engines import rows


class WordsVectors:
    """Bag-of-words vectors from a hash of each word: texts sharing words are close."""

    dim = 64

    async def embed(self, texts: Sequence[str]) -> FloatMatrix:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split() or [""]:
                digest = hashlib.sha256(word.encode()).digest()
                out[row, digest[0] % self.dim] += 1.0
            out[row] /= float(np.linalg.norm(out[row]))
        return out


@pytest.fixture
async def board_app(database: Path | str, clock: FakeClock) -> AsyncIterator[App]:
    built = await build_app(Settings(db=database), embedder=WordsVectors(), clock=clock)
    yield built
    await built.close()


WORDS = [
    "river",
    "summit",
    "meadow",
    "canyon",
    "glacier",
    "forest",
    "ridge",
    "valley",
]


def pair_texts(n: int, shared: int) -> tuple[str, str]:
    """Two ideas of topic n sharing `shared` of their four topic words."""
    mine = [f"{w}{n}" for w in WORDS[:4]]
    theirs = mine[:shared] + [f"{w}{n}x" for w in WORDS[4 : 8 - shared]]
    return f"Idea {n} " + " ".join(mine), f"Other {n} " + " ".join(theirs)


async def labels(app: App) -> list[PairLabel]:
    board = await app.core.board_for(HERE)
    return await app.core.store.labels.current(board.id)


async def test_every_human_decision_is_a_labelled_pair(board_app: App) -> None:
    app = board_app
    a, b = pair_texts(1, 3)
    await app.ideas.submit(draft(a, message_id="m1"))
    await app.ideas.submit(draft(b, "bob", message_id="m2"))
    await app.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=2, into=1))
    [merged] = await labels(app)
    assert (merged.same, merged.source) == (True, "merge")
    assert 0 < merged.score < 1 and len(merged.features) == 5
    await app.moderation.unmerge(UnmergeIdea(where=HERE, actor=moderator(), number=2))
    [undone] = await labels(app)  # the later decision about the pair wins
    assert (undone.same, undone.source) == (False, "unmerge")
    assert undone.features == merged.features


async def test_answers_to_questions_are_labelled(board_app: App) -> None:
    app = board_app
    await app.ideas.submit(draft("Idea one river summit meadow canyon", message_id="m1"))
    await app.ideas.submit(draft("Idea two river summit meadow canyon", "bob", message_id="m2"))
    asked = await app.ideas.submit(
        draft("Idea three river summit meadow canyon", "carol", message_id="m3")
    )
    offered = [c.idea.number for c in getattr(asked, "candidates", ())]
    assert offered, asked  # the words embedder makes these near neighbours
    await app.moderation.answer_suggestion(
        AnswerSuggestion(
            where=HERE, actor=member("carol"), number=3, candidate=offered[0], same=False
        )
    )
    kept = await labels(app)
    # "Different idea" answers for every candidate offered with the question.
    assert len(kept) == len(offered)
    assert all(not x.same and x.source == "answer" for x in kept)


async def test_a_stream_of_decisions_moves_the_board_within_bounds(board_app: App) -> None:
    """Moderators merge pairs the bot would not even ask about, and unmerge a few: the
    board's suggest threshold comes down toward their decisions, never under the floor."""
    app = board_app
    board = await app.core.board_for(HERE)
    number = 0
    seen = []
    for n in range(30):
        a, b = pair_texts(n, n % 4)
        first = await app.ideas.submit(draft(a, message_id=f"a{n}"))
        second = await app.ideas.submit(draft(b, "bob", message_id=f"b{n}"))
        number = second.idea.number
        if second.idea.merged_into is None:
            await app.moderation.merge(
                MergeIdeas(where=HERE, actor=moderator(), number=number, into=first.idea.number)
            )
        if n % 4 == 0 and n % 8 == 0:  # some merges were wrong after all
            await app.moderation.unmerge(UnmergeIdea(where=HERE, actor=moderator(), number=number))
        current = await app.core.pairs.thresholds(board)
        t = current.thresholds
        seen.append(current)
        if current.decisions < MIN_DECISIONS:
            assert t == DEFAULT_THRESHOLDS and not current.learned
        assert BOUNDS.suggest_min <= t.suggest <= BOUNDS.suggest_max
        assert t.suggest <= t.auto_merge <= max(BOUNDS.merge_max, DEFAULT_THRESHOLDS.auto_merge)
    last = seen[-1]
    assert last.learned and last.decisions == 30 and 0 < last.same < 30
    assert last.thresholds.suggest < DEFAULT_THRESHOLDS.suggest
    first_learned = next(s for s in seen if s.learned)
    assert last.thresholds.suggest <= first_learned.thresholds.suggest
    assert any("learned from 30 decisions" in line for line in threshold_lines(last))


async def test_reset_by_a_member_is_refused_and_changes_nothing(board_app: App) -> None:
    app = board_app
    a, b = pair_texts(1, 2)
    await app.ideas.submit(draft(a, message_id="m1"))
    await app.ideas.submit(draft(b, "bob", message_id="m2"))
    await app.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=2, into=1))
    await app.moderation.configure(HERE, moderator(), "suggest", "0.7")
    with pytest.raises(NotAllowed):
        await app.moderation.reset_thresholds(HERE, member("mallory"))
    with pytest.raises(NotAllowed):
        await app.moderation.thresholds(HERE, member("mallory"))
    assert len(await labels(app)) == 1
    assert (await app.core.board_for(HERE)).settings.suggest == 0.7
    reset = await app.moderation.reset_thresholds(HERE, moderator())
    assert reset.thresholds == DEFAULT_THRESHOLDS and reset.decisions == 0
    assert await labels(app) == []
    assert (await app.core.board_for(HERE)).settings.suggest == DEFAULT_THRESHOLDS.suggest
    board = await app.core.board_for(HERE)
    logged = rows(app, f"SELECT action FROM moderation_log WHERE board_id = {board.id} ORDER BY id")
    assert logged[-1] == ("thresholds reset",)


async def test_a_moderator_setting_moves_the_base(board_app: App) -> None:
    app = board_app
    await app.moderation.configure(HERE, moderator(), "suggest", "0.7")
    _, current = await app.moderation.thresholds(HERE, moderator())
    assert current.thresholds.suggest == 0.7 and not current.learned
    assert "set by a moderator" in threshold_lines(current)[0]


# -- CLI --------------------------------------------------------------------------------------


def run(args: Sequence[str]) -> Result:
    return CliRunner(env={"IDEABOT_DB": None}).invoke(main, list(args))


@pytest.fixture
async def board_db(tmp_path: Path, clock: FakeClock) -> Path:
    path = tmp_path / "board.db"
    app = await build_app(Settings(db=path), embedder=WordsVectors(), clock=clock)
    try:
        a, b = pair_texts(1, 2)
        await app.ideas.submit(draft(a, message_id="m1"))
        await app.ideas.submit(draft(b, "bob", message_id="m2"))
        await app.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=2, into=1))
    finally:
        await app.close()
    return path


def test_cli_shows_thresholds_and_only_reads(board_db: Path) -> None:
    before = board_db.read_bytes()
    result = run(["thresholds", "--db", str(board_db), "--board", "guild-one"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Board guild-one"
    assert "suggest 0.57, auto-merge 0.95 (defaults; 1 decisions so far" in result.stdout
    assert board_db.read_bytes() == before


def test_cli_reset(board_db: Path) -> None:
    result = run(["thresholds", "--db", str(board_db), "--reset"])
    assert result.exit_code == 0, result.output
    assert "thresholds reset to the defaults" in result.stdout
    assert "0 decisions so far" in result.stdout


@pytest.mark.parametrize(
    "name", ["nope", "'; DROP TABLE boards; --", "guild-one\n", "x" * 5000, "<@everyone>"]
)
def test_cli_unknown_or_hostile_board_is_one_line(board_db: Path, name: str) -> None:
    before = board_db.read_bytes()
    for extra in ([], ["--reset"]):
        result = run(["thresholds", "--db", str(board_db), "--board", name, *extra])
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: There is no board named")
        assert "Boards: guild-one." in lines[0]
    assert board_db.read_bytes() == before


def test_cli_missing_database_is_one_line(tmp_path: Path) -> None:
    for extra in ([], ["--reset"]):
        result = run(["thresholds", "--db", str(tmp_path / "none.db"), *extra])
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("error: ")
    assert not (tmp_path / "none.db").exists()
