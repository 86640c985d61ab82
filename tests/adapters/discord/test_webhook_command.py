"""`/ideabot config webhook` on Discord through the real client: a moderator adds (the
secret only in the ephemeral reply), lists and removes endpoints with the shell's checks;
others are refused; hostile input is one clear line and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.discord.bot import IdeaBot
from bot.app import App
from bot.webhooks import EVENTS
from tests.adapters.discord.conftest import World
from tests.fakes.discord import FakeDiscord, FakeMember


async def webhook(
    fake: FakeDiscord, world: World, who: FakeMember, options: dict[str, Any]
) -> tuple[bool, str]:
    interaction = await fake.slash(
        world.guild, world.general, who, "ideabot", ["config", "webhook"], options
    )
    response = await interaction.responded()
    return interaction.ephemeral, response.get("data", {}).get("content") or ""


async def endpoints(app: App, world: World) -> list[tuple[int, str, tuple[str, ...]]]:
    board = await app.core.board_for(world.where())
    return [(e.id, e.url, e.events) for e in await app.core.store.webhooks.of_board(board.id)]


async def test_a_moderator_adds_lists_and_removes_an_endpoint(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    url = "https://hooks.example.com/ideabot?x=1&y=_2_"
    ephemeral, text = await webhook(
        fake,
        world,
        world.maya,
        {"action": "add", "url": url, "events": "idea.created, idea.votes_reached"},
    )
    assert ephemeral, text
    [(webhook_id, stored, events)] = await endpoints(app, world)
    assert (stored, events) == (url, ("idea.created", "idea.votes_reached"))
    assert f"Webhook {webhook_id} sends idea.created, idea.votes_reached" in text
    secret = text.split("only to you: `", 1)[1].split("`", 1)[0]
    board = await app.core.board_for(world.where())
    [row] = await app.core.store.webhooks.of_board(board.id)
    assert secret == row.secret and secret.startswith("whsec_")
    # The secret went out in that one ephemeral reply and in no other message.
    public = [m for c in (world.general, world.ideas) for m in fake.messages(c)]
    assert not any(secret in m.content for m in public)

    ephemeral, listed = await webhook(fake, world, world.maya, {"action": "list"})
    assert ephemeral and f"{webhook_id}: active, `{url}`" in listed and secret not in listed

    ephemeral, removed = await webhook(
        fake, world, world.maya, {"action": "remove", "id": webhook_id}
    )
    assert ephemeral and removed == f"Removed webhook {webhook_id}."
    assert await endpoints(app, world) == []
    _, listed = await webhook(fake, world, world.maya, {"action": "list"})
    assert listed == "This board has no webhooks."


async def test_all_events_by_default(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    _, text = await webhook(
        fake, world, world.maya, {"action": "add", "url": "https://hooks.example.com/h"}
    )
    [(_, _, events)] = await endpoints(app, world)
    assert events == EVENTS and ", ".join(EVENTS) in text


HOSTILE = [
    ({"action": "add", "url": "http://hooks.example.com/h"}, "https:// URLs only"),
    ({"action": "add", "url": "https://127.0.0.1/h"}, "loopback, private"),
    ({"action": "add", "url": "https://169.254.169.254/latest/meta-data/"}, "link-local"),
    ({"action": "add", "url": "https://10.1.2.3/h"}, "private"),
    ({"action": "add", "url": "https://localhost/h"}, "private"),
    ({"action": "add", "url": "javascript:alert(1)"}, "URLs only"),
    ({"action": "add", "url": "https://user:pw@example.com/h"}, "user name or password"),
    ({"action": "add", "url": "https://exa mple.com/h"}, "spaces or control characters"),
    ({"action": "add", "url": "https://example.com/h", "events": "idea.exploded"}, "not an event"),
    ({"action": "add", "url": "https://example.com/h", "events": "x" * 1000}, "not an event"),
    ({"action": "add", "url": "https://example.com/h", "events": " , "}, "not an event"),
    ({"action": "add"}, "action:add url:"),
    ({"action": "remove"}, "action:remove id:"),
    ({"action": "remove", "id": 99}, "has no webhook 99"),
]


@pytest.mark.parametrize(("options", "message"), HOSTILE, ids=[m for _, m in HOSTILE])
async def test_hostile_input_is_one_line_and_changes_nothing(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, options: dict[str, Any], message: str
) -> None:
    ephemeral, text = await webhook(fake, world, world.maya, options)
    assert ephemeral and message in text and "\n" not in text, text
    assert await endpoints(app, world) == []


async def test_members_are_refused(fake: FakeDiscord, world: World, bot: IdeaBot, app: App) -> None:
    # A server admin let everyone see /ideabot: the bot itself must still refuse.
    fake.allow_command(world.guild, "ideabot", world.guild)
    url = "https://hooks.example.com/h"
    for options in ({"action": "add", "url": url}, {"action": "list"}, {"action": "remove"}):
        ephemeral, text = await webhook(fake, world, world.alice, options)
        assert ephemeral and text == "Only moderators can do that.", text
    assert await endpoints(app, world) == []
