"""Slack events are written to the durable inbox before bolt acknowledges them; hostile
event bodies are acknowledged and change nothing."""

from __future__ import annotations

import copy
import sqlite3
from typing import Any

import pytest

from bot.app import App
from tests.adapters.slack.conftest import Workspace
from tests.adapters.slack.test_slack_app import ideas, post


def inbox_rows(app: App) -> list[tuple[str, bool]]:
    db = sqlite3.connect(app.core.store.location)
    try:
        rows = db.execute("SELECT event_id, done_at IS NOT NULL FROM inbox ORDER BY id").fetchall()
    finally:
        db.close()
    return [(r[0], bool(r[1])) for r in rows]


async def test_each_event_is_written_then_marked_done_and_a_redelivery_counts_once(
    workspace: Workspace, app: App
) -> None:
    slack = workspace.slack
    message = await post(workspace, "Dark mode for the map screen")
    body = slack.react(message, workspace.bob, "+1")
    for _ in range(3):  # Slack sends it again when our acknowledgement was late
        assert (await workspace.send(copy.deepcopy(body))).status == 200
    assert await ideas(app, slack) == {1: 1}
    assert [done for _, done in inbox_rows(app)] == [True, True]
    assert inbox_rows(app)[1][0] == body["event_id"]


def hostile_bodies(team: str, channel: str) -> list[dict[str, Any]]:
    base = {"type": "event_callback", "team_id": team, "api_app_id": "A1"}
    # (An event that is not an object at all is refused by the HTTP endpoint before bolt
    # parses it: tests/adapters/slack/test_http.py.)
    events: list[Any] = [
        {"type": "message"},
        {"type": "message", "channel": channel, "user": ["U1"], "text": "x", "ts": "1.0"},
        {"type": "message", "channel": channel, "user": "U1", "text": {"a": 1}, "ts": "5"},
        {"type": "message", "channel": channel, "user": "U1", "text": "x", "ts": "1e400"},
        {"type": "message", "channel": channel, "user": "U1", "text": "x", "ts": "nan"},
        {"type": "message", "subtype": "message_changed", "channel": channel, "message": "x"},
        {"type": "message", "subtype": "message_deleted", "channel": channel, "deleted_ts": []},
        {"type": "reaction_added", "user": "U1", "reaction": "+1", "item": "x"},
        {"type": "reaction_added", "user": "U1", "reaction": None, "item": {"type": "message"}},
        {"type": "reaction_removed", "user": "U7", "item": {"type": "message", "ts": "1.0"}},
        {
            "type": "reaction_added",
            "user": "U1",
            "reaction": "+1",
            "event_ts": "-1e300",
            "item": {"type": "message", "channel": channel, "ts": "../../etc"},
        },
    ]
    return [dict(base, event_id=f"EvHostile{n}", event=event) for n, event in enumerate(events)]


async def test_hostile_event_bodies_are_acknowledged_and_change_nothing(
    workspace: Workspace, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    slack = workspace.slack
    await post(workspace, "Dark mode for the map screen")
    before = await ideas(app, slack)
    for body in hostile_bodies(slack.team_id, workspace.ideas.id):
        response = await workspace.send(body)
        assert response.status in (200, 404), (body["event"], response.status, response.body)
    assert await ideas(app, slack) == before
    assert "Traceback" not in caplog.text
    assert all(done for _, done in inbox_rows(app))
