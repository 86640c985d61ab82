"""What every part of the core shares: the store, the embedder, the similarity indexes
and the board cache, built once by the CLI."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import numpy as np

from bot.boards import Board, BoardSettings
from bot.clock import Clock, system_clock
from bot.domain import Person, Where
from bot.errors import UnknownBoard, UnknownIdea
from bot.pairs import PairJudge
from bot.results import IdeaView
from bot.runtime import release_free_memory
from dedupe.embedder import Embedder
from dedupe.index import SimilarityIndex
from storage.port import Store, Transaction
from storage.rows import BoardRow, IdeaRow

DEFAULT_MAX_IDEA_LENGTH = 4000
# How long a process trusts the boards and idea channels it read: changes made through
# another process sharing the database apply here within this many seconds.
CACHE_SECONDS = 5.0


def view(row: IdeaRow) -> IdeaView:
    """The user-facing view of a stored idea."""
    return IdeaView(
        board_id=row.board_id,
        number=row.number,
        title=row.title,
        body=row.body,
        author=Person(
            platform=row.author.platform, user_id=row.author.user_id, name=row.author.name
        ),
        status=row.status,
        status_note=row.status_note,
        votes=row.votes,
        created_at=row.created_at,
        permalink=row.permalink,
        merged_into=row.merged_into_number,
        deleted=row.deleted_at is not None,
        anonymous_votes=row.anonymous_votes,
    )


def _board(row: BoardRow) -> Board:
    return Board(id=row.id, name=row.name, settings=BoardSettings.from_json(row.settings))


class Core:
    """What every part of the service shares; built once by the CLI."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        clock: Clock = system_clock,
        max_idea_length: int = DEFAULT_MAX_IDEA_LENGTH,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self._cache_until = 0.0
        self.embedder = embedder
        self.clock = clock
        self.max_idea_length = max_idea_length
        self._boards_by_place: dict[tuple[str, str], Board] = {}
        # One read of a place's board at a time: the events of a burst that find the cache
        # empty (at start, or after it expired) wait for that read instead of each making
        # its own (a burst of 100,000 votes made thousands, a write each).
        # Each read's waiters get a future of their own: one that is cancelled cancels
        # neither the read nor the others (as asyncio.shield would, at twice the cost).
        self._board_loads: dict[tuple[str, str], list[asyncio.Future[Board]]] = {}
        self._boards_by_id: dict[int, Board] = {}
        # board id -> the read of which events the board's live webhooks take, kept like
        # the boards: a vote asks it synchronously once the read is done (see webhook_events).
        self._webhook_events: dict[int, asyncio.Future[frozenset[str]]] = {}
        self._indexes: dict[int, SimilarityIndex] = {}
        # The board's index version (``Ideas.index_version``) its index follows.
        self._index_versions: dict[int, tuple[int, int]] = {}
        self._index_locks: dict[int, asyncio.Lock] = {}
        # (platform, channel id) -> board id of an idea channel, None when it is none.
        self.idea_channels: dict[tuple[str, str], int | None] = {}
        # Messages whose votes are being read back from the platform -> the people whose
        # vote on them a live event changed meanwhile (see bot.reconcile).
        self._watched: dict[tuple[str, str, str], list[set[str]]] = {}
        # Pair scores, each board's TF-IDF vocabulary and its learned thresholds.
        self.pairs = PairJudge(store)

    def now(self) -> datetime:
        return self.clock()

    # -- boards -------------------------------------------------------------

    def expire_caches(self) -> None:
        """Forget boards and idea channels read more than ``cache_seconds`` ago: another
        process on the same database may have changed them (settings, moderators,
        channels, a workspace joining another board)."""
        now = time.monotonic()
        if now >= self._cache_until:
            self._boards_by_place.clear()
            self._boards_by_id.clear()
            self.idea_channels.clear()
            self._webhook_events.clear()
            self._cache_until = now + self.cache_seconds

    async def board_for(self, where: Where) -> Board:
        """The board of a guild or workspace, created on first use."""
        self.expire_caches()
        key = (where.platform, where.workspace_id)
        board = self._boards_by_place.get(key)
        if board is not None:
            return board
        waiters = self._board_loads.get(key)
        if waiters is None:
            waiters = self._board_loads[key] = []
            read = asyncio.ensure_future(self._load_board(where))
            read.add_done_callback(lambda done: self._answer(key, done))
        waiter: asyncio.Future[Board] = asyncio.get_running_loop().create_future()
        waiters.append(waiter)
        return await waiter

    def _answer(self, key: tuple[str, str], read: asyncio.Future[Board]) -> None:
        """Give a place's read to everyone who waits for it."""
        waiters = self._board_loads.pop(key, [])
        failed = None if read.cancelled() else read.exception()
        for waiter in waiters:
            if waiter.done():  # its caller was cancelled
                continue
            if read.cancelled():
                waiter.cancel()
            elif failed is not None:
                waiter.set_exception(failed)
            else:
                waiter.set_result(read.result())

    async def _load_board(self, where: Where) -> Board:
        row = await self.store.boards.ensure_for_workspace(
            where.platform,
            where.workspace_id,
            workspace_board_name(where.platform, where.workspace_id, where.workspace_name),
            self.now(),
        )
        board = self._remember(_board(row))
        if board.id not in self._webhook_events:
            # Read with the board, once per expiry: a burst of votes waiting for the board
            # then finds the answer at hand instead of each waiting for a read of its own.
            read = asyncio.get_running_loop().create_future()
            read.set_result(await self._read_webhook_events(board.id))
            self._webhook_events.setdefault(board.id, read)
        self._boards_by_place[(where.platform, where.workspace_id)] = board
        return board

    async def board_named(self, name: str) -> Board:
        row = await self.store.boards.by_name(name)
        if row is None:
            known = [b.name for b in await self.store.boards.all()]
            hint = f" Boards: {', '.join(known)}." if known else " There are no boards yet."
            raise UnknownBoard(f"There is no board named {name[:60]!r}.{hint}")
        return self._remember(_board(row))

    async def board_by_id(self, board_id: int) -> Board:
        self.expire_caches()
        if board_id in self._boards_by_id:
            return self._boards_by_id[board_id]
        row = await self.store.boards.by_id(board_id)
        if row is None:
            raise UnknownBoard(f"There is no board {board_id}.")
        return self._remember(_board(row))

    async def all_boards(self) -> list[Board]:
        return [self._remember(_board(r)) for r in await self.store.boards.all()]

    def _remember(self, board: Board) -> Board:
        self._boards_by_id[board.id] = board
        for key, cached in list(self._boards_by_place.items()):
            if cached.id == board.id:
                self._boards_by_place[key] = board
        return board

    async def refresh_board(self, board_id: int) -> Board:
        """The board as stored now, with the caches brought up to date."""
        row = await self.store.boards.by_id(board_id)
        if row is None:
            raise UnknownBoard(f"There is no board {board_id}.")
        return self._remember(_board(row))

    def forget_board(self, board_id: int) -> None:
        """Drop everything cached of a board that is gone (merged into another)."""
        self.forget_places()
        self._boards_by_id.pop(board_id, None)
        self._indexes.pop(board_id, None)
        self._index_versions.pop(board_id, None)
        self.pairs.forget_board(board_id)

    def forget_places(self) -> None:
        """Drop the place-to-board caches (after a workspace moved to another board)."""
        self._boards_by_place.clear()
        self.idea_channels.clear()

    # -- webhooks -----------------------------------------------------------

    def webhook_events_known(self, board_id: int) -> frozenset[str] | None:
        """The events the board's live webhooks take, when read and still fresh; None
        otherwise (then ``webhook_events``). No await: a vote pays a dict lookup."""
        read = self._webhook_events.get(board_id)
        if read is None or not read.done() or read.cancelled() or read.exception() is not None:
            return None
        return read.result()

    async def webhook_events(self, board_id: int) -> frozenset[str]:
        """The events some live webhook endpoint of the board takes, read once per cache
        expiry however many events ask at the same time."""
        self.expire_caches()
        known = self.webhook_events_known(board_id)
        if known is not None:
            return known
        read = self._webhook_events.get(board_id)
        if read is None or read.done():  # none yet, or the last read failed
            read = asyncio.ensure_future(self._read_webhook_events(board_id))
            self._webhook_events[board_id] = read
        # Shielded: a cancelled caller must not cancel the read the others wait for.
        return await asyncio.shield(read)

    async def _read_webhook_events(self, board_id: int) -> frozenset[str]:
        endpoints = await self.store.webhooks.of_board(board_id)
        return frozenset(e for w in endpoints if w.disabled_at is None for e in w.events)

    def forget_webhooks(self, board_id: int) -> None:
        """This process changed the board's endpoints: read them again on next use."""
        self._webhook_events.pop(board_id, None)

    # -- ideas --------------------------------------------------------------

    async def idea(self, board: Board, number: int) -> IdeaRow:
        """The stored idea ``#number`` of the board; UnknownIdea when there is none."""
        row = await self.store.ideas.by_number(board.id, number)
        if row is None or row.deleted_at is not None:
            raise UnknownIdea(f"There is no idea #{number} on this board.")
        return row

    async def index(self, board: Board) -> SimilarityIndex:
        """The board's similarity index over its canonical ideas, loaded on first use and
        brought up to date with what another process changed: ideas it stored (added
        here), ideas it merged, unmerged or deleted (the index is loaded again)."""
        index = self._indexes.get(board.id)
        version = await self.store.ideas.index_version(board.id)
        known = self._index_versions.get(board.id)
        if index is not None and known is not None and version[1] == known[1]:
            if version[0] > known[0]:
                # Also ideas this process stored since: adding one again changes nothing.
                rows = await self.store.ideas.canonical_embeddings(board.id, known[0])
                for key, blob in rows:
                    index.add(key, np.frombuffer(blob, dtype=np.float32))
                self._index_versions[board.id] = version
            return index
        # The version is read before the ideas, so a change in between is seen next time.
        # dim may load the model (seconds): never on the event loop.
        dim = await asyncio.to_thread(lambda: self.embedder.dim)
        # Read straight into the matrix the index keeps: no list of 100k blobs, no copy.
        keys, matrix = await self.store.ideas.canonical_vectors(board.id, dim)
        index = SimilarityIndex.adopt(keys, matrix)
        self._indexes[board.id] = index
        self._index_versions[board.id] = version
        # The rows' scratch is freed by now: give its pages back (about 20 MB at 100k).
        release_free_memory()
        return index

    async def index_followed(self, board: Board) -> None:
        """This process has just changed the board's canonical set and its index with it
        (holding ``lock(board)``): take the store's version as the index's own, so the
        change is not taken for another process's and the index not loaded again."""
        if board.id in self._indexes:
            self._index_versions[board.id] = await self.store.ideas.index_version(board.id)

    def next_number_seen(self, board: Board) -> int | None:
        """The board's next idea number as the index last read it (None before it has)."""
        version = self._index_versions.get(board.id)
        return None if version is None else version[0]

    def stored_here(self, board: Board, number: int, text: str) -> None:
        """This process has just stored idea ``number`` (holding ``lock(board)``) and put
        it in the index: when the index knew every idea before it, the version moves
        past it, so the next use does not read back what this process wrote; so does the
        pair score's vocabulary."""
        version = self._index_versions.get(board.id)
        if version is not None and version[0] == number:
            self._index_versions[board.id] = (number + 1, version[1])
        self.pairs.stored_here(board, number, text)

    def lock(self, board: Board) -> asyncio.Lock:
        """Held around every change of a board's canonical set, so the index follows the store."""
        return self._index_locks.setdefault(board.id, asyncio.Lock())

    async def reindex(self, board: Board, idea_ids: list[int]) -> None:
        """Put ideas back into the index from their stored embeddings (after an unmerge)."""
        index = await self.index(board)
        for idea_id in idea_ids:
            blob = await self.store.ideas.embedding_of(board.id, idea_id)
            if blob is not None:
                index.add(idea_id, np.frombuffer(blob, dtype=np.float32))

    async def embed(self, text: str) -> np.ndarray:
        vectors = await self.embedder.embed([text])
        return np.asarray(vectors[0], dtype=np.float32)

    @contextmanager
    def watch_votes(self, platform: str, channel_id: str, message_id: str) -> Iterator[set[str]]:
        """The user ids whose vote on the message live events change while this is open."""
        moved: set[str] = set()
        key = (platform, channel_id, message_id)
        self._watched.setdefault(key, []).append(moved)
        try:
            yield moved
        finally:
            watchers = self._watched[key]
            watchers.remove(moved)
            if not watchers:
                del self._watched[key]

    def vote_moved(self, platform: str, channel_id: str, message_id: str, user_id: str) -> None:
        """A live event changed someone's vote on a message (see ``watch_votes``)."""
        for moved in self._watched.get((platform, channel_id, message_id), ()):
            moved.add(user_id)

    async def member_id(self, tx: Transaction, person: Person) -> int:
        """The member's id, stored on first sight (inside the caller's transaction)."""
        return await tx.members.ensure(person.platform, person.user_id, person.name)


def workspace_board_name(platform: str, workspace_id: str, workspace_name: str | None) -> str:
    """The name a workspace's own board gets when it is made: its name as a slug."""
    return _slug(workspace_name or f"{platform}-{workspace_id}")


def _slug(name: str) -> str:
    keep = "".join(ch.lower() if ch.isalnum() else "-" for ch in name.strip())
    slug = "-".join(part for part in keep.split("-") if part)
    return slug[:60] or "board"
