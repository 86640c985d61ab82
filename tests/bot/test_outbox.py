"""The outbox worker on both engines: a shell's status change is queued with the change and
delivered once through the registered platform; a failed delivery is retried with backoff
and nothing else is lost; a change made in chat (announced there) queues nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.admin import operator
from bot.app import App
from bot.domain import SetStatus
from bot.outbox import FIRST_RETRY, backoff
from bot.results import StatusChanged
from storage.rows import OutboxItem
from tests.conftest import HERE, FakeClock, draft, moderator, vote


class Platform:
    """A delivery target that records what it was asked to announce; fails when told."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.said: list[StatusChanged] = []
        self.failures = 0

    async def __call__(self, item: OutboxItem) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Slack is unreachable")
        changed = await self.app.outbox.status_of(item)
        assert changed is not None
        self.said.append(changed)


async def test_a_shell_status_change_is_delivered_once(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    await app.ideas.react(vote("m1", "bob"))
    board = await app.core.board_for(HERE)
    platform = Platform(app)
    app.outbox.register("discord", platform)
    assert await app.outbox.tick() == 0
    await app.moderation.set_status_on(
        board, operator("ops"), 1, "planned", "Soon", announce_later=True
    )
    assert await app.outbox.tick() == 1
    [said] = platform.said
    assert (said.idea.number, said.old, said.new, said.note) == (1, "open", "planned", "Soon")
    assert [p.name for p in said.notify] == ["bob"] and said.announce
    assert said.messages[0][:2] == ("discord", "c-ideas")
    assert await app.outbox.tick() == 0
    assert len(platform.said) == 1


async def test_a_failed_delivery_is_retried_with_backoff(app: App, clock: FakeClock) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    board = await app.core.board_for(HERE)
    platform = Platform(app)
    platform.failures = 2
    app.outbox.register("discord", platform)
    await app.moderation.set_status_on(board, operator(), 1, "done", None, announce_later=True)
    assert await app.outbox.tick() == 1 and platform.said == []
    [record] = await app.core.store.outbox.recent(board.id, "discord", 5)
    assert record.last_error == "ConnectionError: Slack is unreachable"
    assert await app.outbox.tick() == 0  # not due yet
    clock.advance(seconds=FIRST_RETRY.total_seconds())
    assert await app.outbox.tick() == 1 and platform.said == []
    clock.advance(seconds=backoff(2).total_seconds())
    assert await app.outbox.tick() == 1
    assert [s.new for s in platform.said] == ["done"]
    [record] = await app.core.store.outbox.recent(board.id, "discord", 5)
    assert (record.attempts, record.last_error) == (3, None) and record.done_at is not None


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [
        timedelta(seconds=10),
        timedelta(seconds=20),
        timedelta(seconds=40),
    ]
    assert backoff(40) == timedelta(hours=1)


async def test_chat_and_statuses_that_tell_nobody_queue_nothing(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    board = await app.core.board_for(HERE)
    # In chat the adapter announces it itself: nothing for the outbox.
    await app.moderation.set_status(
        SetStatus(where=HERE, actor=moderator(), number=1, status="planned")
    )
    # From the shell, a status that closes no loop is not announced in chat either.
    await app.moderation.set_status_on(
        board, operator(), 1, "under_review", None, announce_later=True
    )
    assert await app.core.store.outbox.recent(board.id, "", 10) == []
