"""The Slack fake's method tiers, the 2025 history limits, truncated reaction lists and
``reactions.get full=true``, through the real slack_sdk client (no ideabot code)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack
from tests.fakes.slack.tiers import SlackTiers


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server
        assert server.unhandled == []


def client_for(slack: FakeSlack) -> AsyncWebClient:
    # No retry handlers: the test sees the 429 itself.
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url, retry_handlers=[])


async def test_a_tier_refuses_calls_beyond_its_minute_budget_with_retry_after(
    slack: FakeSlack,
) -> None:
    ideas, alice = slack.add_channel("ideas"), slack.add_user("alice")
    message, _ = slack.post(ideas, alice, "Dark mode")
    slack.set_tiers(SlackTiers(per_minute={1: 1, 2: 2, 3: 3, 4: 4}))
    client = client_for(slack)
    for _ in range(3):
        await client.reactions_get(channel=ideas.id, timestamp=message.ts)
    with pytest.raises(SlackApiError) as refused:
        await client.reactions_get(channel=ideas.id, timestamp=message.ts)
    assert refused.value.response.status_code == 429
    assert refused.value.response["error"] == "ratelimited"
    assert 1 <= int(refused.value.response.headers["retry-after"]) <= 60
    await client.users_info(user=alice.id)  # another method, another budget
    assert slack.rate_limited == 1
    slack.set_tiers(None)
    await client.reactions_get(channel=ideas.id, timestamp=message.ts)


async def test_post_message_is_limited_per_channel(slack: FakeSlack) -> None:
    ideas, general = slack.add_channel("ideas"), slack.add_channel("general")
    # Two posts a minute per channel: the third is refused however slowly a busy machine
    # sends them.
    slack.set_tiers(SlackTiers(post_per_second=1 / 30, post_burst=2))
    client = client_for(slack)
    await client.chat_postMessage(channel=ideas.id, text="one")
    await client.chat_postMessage(channel=ideas.id, text="two")
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel=ideas.id, text="three")
    await client.chat_postMessage(channel=general.id, text="elsewhere")


async def test_non_marketplace_history_is_once_a_minute_and_15_a_page(slack: FakeSlack) -> None:
    ideas, alice = slack.add_channel("ideas"), slack.add_user("alice")
    for n in range(20):
        slack.post(ideas, alice, f"idea {n}")
    slack.set_tiers(SlackTiers(non_marketplace=True))
    client = client_for(slack)
    page = await client.conversations_history(channel=ideas.id, limit=100)
    assert len(page["messages"]) == 15 and page["has_more"]
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_history(channel=ideas.id, limit=100)
    assert refused.value.response.status_code == 429


async def test_reaction_lists_are_truncated_unless_reactions_get_is_asked_full(
    slack: FakeSlack,
) -> None:
    ideas, alice = slack.add_channel("ideas"), slack.add_user("alice")
    people = [slack.add_user(f"p{i}") for i in range(120)]
    message, _ = slack.post(ideas, alice, "Offline maps")
    for person in people:
        slack.react(message, person, "+1")
    client = client_for(slack)
    history = await client.conversations_history(channel=ideas.id)
    (listed,) = history["messages"][0]["reactions"]
    assert listed["count"] == 120 and len(listed["users"]) == 50
    short = await client.reactions_get(channel=ideas.id, timestamp=message.ts)
    assert len(short["message"]["reactions"][0]["users"]) == 50
    full = await client.reactions_get(channel=ideas.id, timestamp=message.ts, full=True)
    assert sorted(full["message"]["reactions"][0]["users"]) == sorted(p.id for p in people)
