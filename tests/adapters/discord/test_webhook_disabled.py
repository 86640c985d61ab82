"""An endpoint that fails for a day is switched off, and the board's moderators are told
once, in the board's digest channel, by the connected bot through the outbox (the path
of the shell's announcements), on both engines."""

from __future__ import annotations

from adapters.discord.bot import IdeaBot
from adapters.webhook_http import WebhookSender
from bot.admin import Admin, operator
from bot.app import App
from bot.channels import Channels
from bot.domain import Actor, Person
from bot.outbox import GIVE_UP_AFTER
from bot.webhooks import PREFIX
from tests.adapters.discord.conftest import World
from tests.conftest import FakeClock, draft
from tests.fakes.discord import FakeDiscord

# Nobody listens on the discard port; the path holds a token that must not be shown.
DOWN = "http://127.0.0.1:9/hook/T0KEN-SECRET"


async def test_a_day_of_failures_switches_the_endpoint_off_and_tells_the_digest_channel_once(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    owner = Actor(
        person=Person(platform="discord", user_id=str(world.owner.id), name="owner"),
        is_moderator=True,
    )
    await Channels(app.core).set_channel(world.where(world.general), owner, "digest", True)
    board = await app.core.board_for(world.where())
    webhook_id, _ = await Admin(app.core).add_webhook(
        board, operator(), DOWN, ("idea.created",), allow_private=True
    )
    sender = WebhookSender(app.core.store, allow_private=True, timeout=5)
    app.outbox.register_family(PREFIX, sender.targets, sender.deliver)
    where = world.where(world.ideas)
    try:
        # Two deliveries waiting on the endpoint: the moderators hear once.
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="1", where=where))
        await app.ideas.submit(draft("Offline maps", "bob", message_id="2", where=where))
        started = clock()
        while clock() - started <= GIVE_UP_AFTER + GIVE_UP_AFTER / 12:
            await app.outbox.tick()
            clock.advance(minutes=30)
        while await app.outbox.tick():
            pass
    finally:
        await sender.close()
    [endpoint] = await app.core.store.webhooks.of_board(board.id)
    assert endpoint.id == webhook_id and endpoint.disabled_at is not None
    said = [m for m in fake.messages(world.general) if "Webhook" in m.content]
    [notice] = said
    assert f"Webhook {webhook_id} (to 127.0.0.1)" in notice.content
    assert "switched off" in notice.content and "T0KEN" not in notice.content
    assert notice.allowed_mentions is not None and notice.allowed_mentions.get("parse") == []
    assert not [m for m in fake.messages(world.ideas) if "Webhook" in m.content]
    records = await app.core.store.outbox.recent(board.id, PREFIX, 5)
    # The first to give up switched the endpoint off; the other is dropped unsent (or
    # waits, no longer claimed): either way, one notice.
    assert any(r.done_at is not None and r.last_error for r in records)
    # Nothing is left to post, and nothing more is said.
    assert await app.outbox.tick() == 0
    assert len([m for m in fake.messages(world.general) if "Webhook" in m.content]) == 1
