"""`ideabot webhooks` through the real CLI on both engines: the secret shown once, the
endpoints listed without it, test deliveries queued and listed, and every malformed or
hostile input refused in one line with the database unchanged."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.bot.test_cli_admin import cli, fill, log_of, ok, one_line_error, place
from tests.engines import snapshot


def test_add_list_test_deliveries_remove(database: Path | str) -> None:
    fill(database)
    added = ok(
        database,
        "webhooks",
        "add",
        "https://hooks.example.com/ideabot",
        "--events",
        "idea.created,idea.status_changed",
    )
    assert "webhook 1 sends idea.created, idea.status_changed" in added
    secret = added.split("signing secret (shown once; keep it with the receiver): ")[1].strip()
    assert secret.startswith("whsec_") and len(secret) > 30
    listed = json.loads(ok(database, "webhooks", "list", "--format", "json"))
    assert [(w["id"], w["url"], w["events"], w["disabled_at"]) for w in listed] == [
        (1, "https://hooks.example.com/ideabot", ["idea.created", "idea.status_changed"], None)
    ]
    assert secret not in ok(database, "webhooks", "list") + json.dumps(listed)

    # Changes after the endpoint was added are queued for it; a test delivery too.
    ok(database, "idea", "status", "1", "planned")
    ok(database, "idea", "status", "2", "under_review")
    assert "queued test delivery" in ok(database, "webhooks", "test", "1")
    deliveries = json.loads(ok(database, "webhooks", "deliveries", "--format", "json"))
    assert [(d["event"], d["state"], d["webhook"]) for d in deliveries] == [
        ("webhook.test", "pending", 1),
        ("idea.status_changed", "pending", 1),
        ("idea.status_changed", "pending", 1),
    ]
    assert "webhook.test" in ok(database, "webhooks", "deliveries")

    assert "removed webhook 1" in ok(database, "webhooks", "remove", "1")
    assert json.loads(ok(database, "webhooks", "list", "--format", "json")) == []
    assert "No webhooks." in ok(database, "webhooks", "list")
    actions = [a for a, *_ in log_of(database)]
    assert actions == ["webhook added", "status", "status", "webhook removed"]


HOSTILE: list[tuple[Sequence[str], str]] = [
    (["webhooks", "add", "http://hooks.example.com/x"], "https:// URLs only"),
    (["webhooks", "add", "https://169.254.169.254/latest/meta-data/"], "link-local"),
    (["webhooks", "add", "https://127.0.0.1:8080/x"], "loopback"),
    (["webhooks", "add", "https://localhost/x"], "loopback"),
    (["webhooks", "add", "javascript:alert(1)"], "https:// URLs only"),
    (["webhooks", "add", "https://a:b@hooks.example.com/x"], "user name or password"),
    (["webhooks", "add", "https://hooks.example.com/x", "--events", "idea.voted"], "not an event"),
    (["webhooks", "add", "https://hooks.example.com/x", "--events", ","], "not an event"),
    (["webhooks", "add", "https://hooks.example.com/\x00"], "control characters"),
    (["webhooks", "remove", "7"], "has no webhook 7"),
    (["webhooks", "remove", "0"], "Invalid value for 'ID'"),
    (["webhooks", "test", "7"], "has no webhook 7"),
    (["webhooks", "test", "x"], "Invalid value for 'ID'"),
    (["webhooks", "deliveries", "--limit", "0"], "Invalid value for '--limit'"),
    (["webhooks", "list", "--board", "nope"], "no board named"),
]


@pytest.mark.parametrize(("args", "message"), HOSTILE, ids=[" ".join(a)[:50] for a, _ in HOSTILE])
def test_bad_input_is_one_line_and_changes_nothing(
    database: Path | str, args: Sequence[str], message: str
) -> None:
    fill(database)
    before = snapshot(place(database))
    one_line_error(cli(database, *args), message)
    assert snapshot(place(database)) == before
