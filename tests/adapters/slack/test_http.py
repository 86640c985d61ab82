"""ideabot's Slack HTTP endpoint over real HTTP on loopback, in front of the real bolt app:
bad requests are refused (401 unsigned, 400 malformed) with no traceback, good ones arrive
whole, ``payload`` in a slash command's text included."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from adapters.slack.http import parse_body, web_app
from bot.app import App
from bot.domain import Where
from tests.adapters.slack.conftest import Workspace
from tests.fakes.slack import serve_app, signed_headers

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def every_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    finally:
        await runner.cleanup()


@pytest.fixture
async def url(workspace: Workspace) -> AsyncIterator[str]:
    async with serving(web_app(workspace.bolt, workspace.slack.signing_secret)) as served:
        yield served


async def post(
    url: str, body: bytes | str, headers: dict[str, str], method: str = "POST"
) -> tuple[int, str]:
    data = body.encode() if isinstance(body, str) else body
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, data=data, headers=headers) as response,
    ):
        return response.status, await response.text()


def signed(space: Workspace, body: str, content_type: str | None = None) -> dict[str, str]:
    return signed_headers(body, space.slack.signing_secret, content_type=content_type)


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def titles(app: App, space: Workspace) -> list[str]:
    board = await app.core.board_for(Where(platform="slack", workspace_id=space.slack.team_id))
    return [i.title for i in await app.queries.all(board)]


async def test_unsigned_stale_and_forged_requests_get_401(
    workspace: Workspace, app: App, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    slack = workspace.slack
    _, event = slack.post(workspace.ideas, workspace.alice, "Dark mode for the map screen")
    raw, good = slack.encode(event)
    now = int(time.time())
    refused = {
        "no signature": {"content-type": "application/json"},
        "no timestamp": {k: v for k, v in good.items() if k != "x-slack-request-timestamp"},
        "stale": signed_headers(raw, slack.signing_secret, timestamp=now - 301),
        # An hour ahead: just past Slack's five minutes would become "now" again if a busy
        # machine took a second to get there.
        "from the future": signed_headers(raw, slack.signing_secret, timestamp=now + 3600),
        "forged": dict(good, **{"x-slack-signature": "v0=" + "0" * 64}),
        "other secret": signed_headers(raw, "not-the-secret"),
        "timestamp not a number": dict(good, **{"x-slack-request-timestamp": "soon"}),
        "huge timestamp": dict(good, **{"x-slack-request-timestamp": "9" * 5000}),
        "negative timestamp": dict(good, **{"x-slack-request-timestamp": "-1"}),
        "empty signature": dict(good, **{"x-slack-signature": ""}),
        "signature too long": dict(good, **{"x-slack-signature": "v0=" + "a" * 5000}),
    }
    for why, headers in refused.items():
        status, _ = await post(url, raw, headers)
        assert status == 401, why
    # a non-ASCII signature (aiohttp sends header bytes as latin-1)
    status, _ = await post(url, raw, dict(good, **{"x-slack-signature": "v0=\u00e9" * 3}))
    assert status == 401
    # the body signed, then changed on the way
    status, _ = await post(url, raw.replace("Dark", "Evil"), good)
    assert status == 401
    assert await titles(app, workspace) == []
    status, _ = await post(url, raw, good)
    assert status == 200
    assert await titles(app, workspace) == ["Dark mode for the map screen"]
    no_traceback(caplog)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"type": "event_callback", "event": ', "application/json"),  # cut short
        ("[1, 2, 3]", "application/json"),
        ("null", "application/json"),
        ('"just a string"', "application/json"),
        ("{" * 5000 + "}" * 5000, "application/json"),
        ('{"a": NaN, ', FORM),  # starts like JSON: read as JSON, whatever the header says
        ("", FORM),
        ("   ", FORM),
        ("command=/idea&text", FORM),  # a field with no "="
        ("&&&", FORM),
        ("payload=not-json", FORM),
        ("payload=%5B1%2C2%5D", FORM),  # payload=[1,2]
        ("payload=" + "%5B" * 3000, FORM),
        ("&".join(f"f{n}=x" for n in range(500)), FORM),  # far more fields than Slack sends
        # Envelopes whose parts bolt reads without checking their type.
        ('{"type": "event_callback", "event": null}', "application/json"),
        ('{"type": "event_callback", "event": ["message"]}', "application/json"),
        ('{"type": "event_callback", "event": {"type": "message", "user": 7}}', "application/json"),
        (
            '{"type": "event_callback", "event": {"type": "message", "channel": []}}',
            "application/json",
        ),
    ],
)
async def test_signed_but_malformed_bodies_get_400(
    workspace: Workspace,
    app: App,
    url: str,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
) -> None:
    status, text = await post(url, body, signed(workspace, body, content_type))
    assert status == 400, text
    assert json.loads(text) == {"error": "malformed body"}
    no_traceback(caplog)


async def test_bytes_that_are_not_utf8_are_refused_quietly(
    workspace: Workspace, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    raw = b'{"type": "event_callback", "x": "\xff\xfe"}'
    stamp = str(int(time.time()))
    secret = workspace.slack.signing_secret.encode()
    mac = hmac.new(secret, b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    headers = {
        "content-type": "application/json",
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": f"v0={mac}",
    }
    status, _ = await post(url, raw, headers)
    assert status in (400, 401)
    no_traceback(caplog)


async def test_oversized_wrong_method_and_wrong_path(
    workspace: Workspace, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    huge = "x" * (1024 * 1024 + 1)
    assert (await post(url, huge, signed(workspace, huge, FORM)))[0] == 413
    assert (await post(url, "", {}, method="GET"))[0] == 405
    assert (await post(url.replace("/slack/events", "/other"), "", {}))[0] == 404
    no_traceback(caplog)


async def test_idea_command_with_the_word_payload_saves_the_idea(
    workspace: Workspace, app: App, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    slack = workspace.slack
    text = "Show the payload size of each upload"
    command = slack.slash_command_body("/idea", text, workspace.bob, workspace.general)
    assert (await slack.post_http(url, command)).status == 200
    assert await titles(app, workspace) == [text]
    assert "Saved as idea #1" in slack.ephemerals(workspace.bob)[-1].text
    # payload= spelled out in the text, and an interactive payload whose message says it too
    tricky = "payload={} &payload=1 payload"
    command = slack.slash_command_body("/idea", tricky, workspace.carol, workspace.general)
    assert (await slack.post_http(url, command)).status == 200
    chat, _ = slack.post(workspace.general, workspace.alice, "Compress the payload on upload")
    shortcut = slack.message_shortcut_body("save_as_idea", workspace.admin, workspace.general, chat)
    assert (await slack.post_http(url, shortcut)).status == 200
    assert await titles(app, workspace) == [text, tricky, "Compress the payload on upload"]
    no_traceback(caplog)


async def test_bolts_own_web_app_still_loses_such_commands(workspace: Workspace, app: App) -> None:
    """Why adapters/slack/http.py parses the body itself: when this starts failing, bolt
    has fixed its parser (slack_bolt/request/internals.py parse_body)."""
    slack = workspace.slack
    command = slack.slash_command_body(
        "/idea", "Show the payload size", workspace.bob, workspace.general
    )
    async with serve_app(workspace.bolt) as bolts_url:
        await slack.post_http(bolts_url, command)
    assert await titles(app, workspace) == []


async def test_url_verification_and_ssl_check_still_work(
    workspace: Workspace, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    challenge = json.dumps({"token": "t", "challenge": "c-123", "type": "url_verification"})
    status, text = await post(url, challenge, signed(workspace, challenge, "application/json"))
    assert status == 200 and json.loads(text) == {"challenge": "c-123"}
    ssl = urlencode({"ssl_check": "1", "token": "t"})
    assert (await post(url, ssl, signed(workspace, ssl, FORM)))[0] == 200
    assert (await post(url, ssl, {"content-type": FORM}))[0] == 401  # unsigned: refused
    no_traceback(caplog)


def test_parse_body_reads_what_slack_sends() -> None:
    command = urlencode({"command": "/idea", "text": "a payload=1&b"})
    assert parse_body(command, FORM)["text"] == "a payload=1&b"
    action = urlencode({"payload": json.dumps({"type": "block_actions"})})
    assert parse_body(action, FORM) == {"type": "block_actions"}
    assert parse_body('{"type": "event_callback"}', FORM) == {"type": "event_callback"}
    assert parse_body("text=&command=%2Fidea", FORM) == {"text": "", "command": "/idea"}
