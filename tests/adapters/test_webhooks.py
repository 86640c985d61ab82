"""Webhooks delivered for real: a live aiohttp receiver on 127.0.0.1 that checks every
signature with the README's own verification code; every event type, retries after a 500,
a receiver that is down or too slow, a redirect, and addresses that must be refused."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.webhook_http import WebhookSender
from bot.admin import Admin, operator
from bot.app import App
from bot.domain import MergeIdeas, UnmergeIdea
from bot.errors import InvalidSetting
from bot.outbox import FIRST_RETRY
from bot.webhooks import EVENTS, PREFIX, SIGNATURE_HEADER, blocked_address, check_url, sign
from tests.conftest import HERE, FakeClock, draft, moderator
from tests.fakes.embedder import TestEmbedder

README = Path(__file__).parents[2] / "README.md"


def readme_verify() -> Callable[..., bool]:
    """The `verify` function of the README's Webhooks section, exactly as printed there."""
    text = README.read_text()
    section = text.split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "the README's Webhooks section has no Python example"
    assert len(code.group(1).strip().splitlines()) <= 12
    scope: dict[str, Any] = {}
    exec(code.group(1), scope)
    verify: Callable[..., bool] = scope["verify"]
    return verify


@dataclass
class Receiver:
    """An HTTP endpoint on loopback; answers with ``answers`` in turn, then 200."""

    secret: str = ""
    answers: list[int] = field(default_factory=list)
    hang: bool = False
    got: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    url: str = ""
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when the test ends: a hanging answer then ends (else the server's shutdown
    # waits a minute for it).
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        if self.hang:
            await self.closing.wait()  # no answer: the sender's timeout must end it
        if not readme_verify()(self.secret, request.headers.get(SIGNATURE_HEADER, ""), raw):
            self.bad_signatures += 1
            return web.Response(status=400)
        status = self.answers.pop(0) if self.answers else 200
        if status == 302:
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")
        if status == 200:
            self.got.append(json.loads(raw))
        self.changed.set()
        return web.Response(status=status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    server = web.Application()
    server.router.add_post("/hook", found.handle)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    found.url = f"http://127.0.0.1:{port}/hook"
    yield found
    found.closing.set()
    await runner.cleanup()


async def endpoint(app: App, url: str, events: tuple[str, ...] = EVENTS) -> tuple[int, str]:
    board = await app.core.board_for(HERE)
    return await Admin(app.core).add_webhook(board, operator(), url, events, allow_private=True)


def sender_for(app: App, *, timeout: float = 10.0) -> WebhookSender:
    sender = WebhookSender(app.core.store, allow_private=True, timeout=timeout)
    app.outbox.register_family(PREFIX, sender.targets, sender.deliver)
    return sender


async def test_every_event_is_delivered_signed_once_in_order(
    app: App, receiver: Receiver, embedder: TestEmbedder
) -> None:
    _, receiver.secret = await endpoint(app, receiver.url)
    sender = sender_for(app)
    try:
        embedder.related("Dark mode for the map screen", "A dark theme for maps", 0.99)
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        await app.ideas.submit(draft("Offline maps", "bob", message_id="m2"))
        await app.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=2, into=1))
        await app.moderation.unmerge(UnmergeIdea(where=HERE, actor=moderator(), number=2))
        board = await app.core.board_for(HERE)
        await app.moderation.set_status_on(board, operator(), 1, "planned", "In March")
        await app.moderation.delete_on(board, operator(), 2)
        while await app.outbox.tick():
            pass
    finally:
        await sender.close()
    assert receiver.bad_signatures == 0
    # In order per idea (ideas do not wait for each other).
    per_idea = {n: [b["event"] for b in receiver.got if b["idea"]["number"] == n] for n in (1, 2)}
    assert per_idea == {
        1: ["idea.created", "idea.status_changed"],
        2: ["idea.created", "idea.merged", "idea.unmerged", "idea.deleted"],
    }
    by_event = {b["event"]: b for b in receiver.got if b["event"] != "idea.created"}
    status = by_event["idea.status_changed"]
    assert status["version"] == 1 and status["board"]["name"] == "guild-one"
    assert status["data"] == {"from": "open", "to": "planned", "note": "In March"}
    assert status["idea"]["status"] == "planned" and status["idea"]["title"].startswith("Dark")
    assert set(status["idea"]) >= {"number", "title", "votes", "author", "created_at"}
    assert by_event["idea.merged"]["data"] == {"into": 1, "automatic": False}
    assert by_event["idea.merged"]["idea"]["merged_into"] == 1
    assert by_event["idea.unmerged"]["data"] == {"from": 1}
    assert by_event["idea.deleted"]["idea"]["deleted"] is True
    assert len({b["id"] for b in receiver.got}) == 6


async def test_a_500_is_retried_with_the_same_delivery_id(
    app: App, receiver: Receiver, clock: FakeClock
) -> None:
    _, receiver.secret = await endpoint(app, receiver.url, ("idea.created",))
    receiver.answers = [500, 503]
    sender = sender_for(app)
    try:
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        assert await app.outbox.tick() == 1 and receiver.got == []
        board = await app.core.board_for(HERE)
        [first] = await app.core.store.outbox.recent(board.id, PREFIX, 5)
        assert first.last_error == "WebhookFailed: HTTP 500"
        assert await app.outbox.tick() == 0  # backing off
        clock.advance(seconds=FIRST_RETRY.total_seconds())
        assert await app.outbox.tick() == 1 and receiver.got == []
        clock.advance(seconds=2 * FIRST_RETRY.total_seconds())
        assert await app.outbox.tick() == 1
    finally:
        await sender.close()
    [delivered] = receiver.got
    assert delivered["id"] == first.payload["id"]
    [record] = await app.core.store.outbox.recent(board.id, PREFIX, 5)
    assert (record.attempts, record.last_error, record.done_at is not None) == (3, None, True)


@pytest.mark.parametrize("trouble", ["down", "slow", "redirect"])
async def test_a_receiver_down_slow_or_redirecting_gets_a_retry(
    app: App, receiver: Receiver, clock: FakeClock, trouble: str
) -> None:
    url = receiver.url
    if trouble == "down":
        url = url.rsplit(":", 1)[0] + ":9/hook"  # the discard port: nobody listens
    receiver.hang = trouble == "slow"
    receiver.answers = [302] if trouble == "redirect" else []
    _, receiver.secret = await endpoint(app, url, ("idea.created",))
    sender = sender_for(app, timeout=0.5)
    try:
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        assert await app.outbox.tick() == 1
        board = await app.core.board_for(HERE)
        [record] = await app.core.store.outbox.recent(board.id, PREFIX, 5)
        assert record.done_at is None and record.last_error
        expected = {"down": "WebhookFailed: ", "slow": "no answer in time", "redirect": "302"}
        assert expected[trouble] in record.last_error
        if trouble != "down":
            receiver.hang, receiver.answers = False, []
            clock.advance(seconds=FIRST_RETRY.total_seconds())
            assert await app.outbox.tick() == 1
            assert [b["event"] for b in receiver.got] == ["idea.created"]
    finally:
        await sender.close()


async def test_a_hostname_resolving_to_loopback_is_refused_when_connecting(
    app: App, receiver: Receiver
) -> None:
    port = receiver.url.rsplit(":", 1)[1].split("/")[0]
    # The machine's own name passes the URL check (a name, not an address); the address it
    # resolves to (loopback in /etc/hosts, or the machine's private address) does not.
    name = socket.gethostname()
    addresses = {a[4][0] for a in socket.getaddrinfo(name, None)}
    assert all(blocked_address(a) for a in addresses), f"{name} resolves to {addresses}"
    board = await app.core.board_for(HERE)
    webhook_id, receiver.secret = await endpoint(app, f"https://{name}:{port}/hook")
    sender = WebhookSender(app.core.store, allow_private=False)
    app.outbox.register_family(PREFIX, sender.targets, sender.deliver)
    try:
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        assert await app.outbox.tick() == 1
    finally:
        await sender.close()
    assert receiver.got == []
    [record] = await app.core.store.outbox.recent(board.id, PREFIX, 5)
    assert record.last_error and "resolves only to private or reserved" in record.last_error
    assert webhook_id > 0


HOSTILE_URLS = [
    "http://example.com/hook",
    "ftp://example.com/hook",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://127.0.0.1/hook",
    "https://10.0.0.5/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://localhost/hook",
    "https://user:pass@example.com/hook",
    "https:///nohost",
    "https://example.com:99999/hook",
    "https://exa mple.com/hook",
    "https://example.com/\r\nX-Injected: 1",
    "https://example.com/" + "a" * 3000,
    "",
]


@pytest.mark.parametrize("url", HOSTILE_URLS, ids=lambda u: u[:40] or "empty")
def test_hostile_urls_are_refused_in_one_line(url: str) -> None:
    with pytest.raises(InvalidSetting) as refused:
        check_url(url, allow_private=False)
    assert "\n" not in str(refused.value)


def test_a_public_https_url_is_taken() -> None:
    assert check_url("https://hooks.example.com:8443/x?y=1", allow_private=False)
    assert check_url("http://127.0.0.1:8080/hook", allow_private=True)


def test_a_stale_or_altered_signature_fails_the_readme_verification() -> None:
    import time

    verify = readme_verify()
    body = b'{"event":"idea.created"}'
    now = int(time.time())
    assert verify("whsec_x", sign("whsec_x", now, body), body)
    assert not verify("whsec_x", sign("whsec_x", now, body), body + b" ")
    assert not verify("whsec_y", sign("whsec_x", now, body), body)
    assert not verify("whsec_x", sign("whsec_x", now - 3600, body), body)
    assert not verify("whsec_x", "garbage", body)
    assert not verify("whsec_x", f"t={now},v1=00", body)
