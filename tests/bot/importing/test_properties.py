"""Property tests of the import's parsers: any Slack or DiscordChatExporter input gives a
parsed export or the import's own error (ImportFileError), never anything else; and
through the real command, a database is either left byte for byte or imported whole."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.importing import dce, slack_export
from bot.importing.errors import ImportFileError
from bot.importing.model import ImportedMessage, ParsedExport
from bot.importing.reader import Problems, parse_json, read_export
from tests.bot.importing.conftest import DISCORD, run, table_digest
from tests.fakes.embedder import TestEmbedder

TEXT = st.text(max_size=30) | st.sampled_from(["", " ", "\u202e", "+1", "👍", "thumbsup"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
SLACK_TS = st.one_of(
    st.builds(lambda s, f: f"{s}.{f:06d}", st.integers(0, 10**12 - 1), st.integers(0, 999999)),
    st.sampled_from(["1709294400.000100", "999999999999.999999", "0.0", "1e9", "-1.5"]),
    TEXT,
    st.integers(),
    st.floats(),
)
COUNTS = st.one_of(st.integers(-5, 60), st.integers(), st.floats(), TEXT, st.booleans())


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field of the right kind most of the time, anything at all sometimes."""
    return st.one_of(value, value, value, ANY_JSON)


SLACK_REACTION = st.fixed_dictionaries(
    {"name": maybe(st.sampled_from(["+1", "+1::skin-tone-3", "thumbsup", "tada"]))},
    optional={"users": maybe(st.lists(st.sampled_from(["U1", "U2", "U3"]))), "count": COUNTS},
)
SLACK_MESSAGE = st.fixed_dictionaries(
    {"ts": SLACK_TS},
    optional={
        "type": st.just("message"),
        "text": maybe(TEXT),
        "user": maybe(st.sampled_from(["U1", "U2", "USLACKBOT", ""])),
        "subtype": maybe(st.sampled_from(["channel_join", "bot_message", "tombstone"])),
        "thread_ts": maybe(SLACK_TS),
        "bot_id": maybe(TEXT),
        "team": maybe(TEXT),
        "edited": maybe(st.fixed_dictionaries({"ts": SLACK_TS})),
        "reactions": maybe(st.lists(maybe(SLACK_REACTION), max_size=3)),
        "user_profile": ANY_JSON,
    },
)
ISO = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00", "2024-04-01"]),
    TEXT,
    st.integers(),
)
DCE_USER = st.fixed_dictionaries(
    {"id": maybe(st.sampled_from(["1", "2", "3"]))},
    optional={"name": maybe(TEXT), "nickname": maybe(TEXT), "isBot": ANY_JSON},
)
DCE_REACTION = st.fixed_dictionaries(
    {
        "emoji": maybe(st.fixed_dictionaries({"name": maybe(st.sampled_from(["👍", "🎉"]))})),
        "count": COUNTS,
    },
    optional={"users": maybe(st.lists(maybe(DCE_USER), max_size=3))},
)
DCE_MESSAGE = st.fixed_dictionaries(
    {"id": maybe(st.sampled_from(["100", "101", "102", "10"]))},
    optional={
        "type": maybe(st.sampled_from(["Default", "Reply", "GuildMemberJoin", "21"])),
        "timestamp": ISO,
        "timestampEdited": st.one_of(st.none(), ISO),
        "content": maybe(TEXT),
        "author": maybe(DCE_USER),
        "reactions": maybe(st.lists(maybe(DCE_REACTION), max_size=3)),
    },
)
DCE_DOC = st.fixed_dictionaries(
    {
        "guild": maybe(st.fixed_dictionaries({"id": st.just("7"), "name": TEXT})),
        "channel": maybe(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["10", "11"]), "name": TEXT},
                optional={"type": st.sampled_from(["GuildTextChat", "GuildPublicThread"])},
            )
        ),
        "messages": maybe(st.lists(maybe(DCE_MESSAGE), max_size=5)),
    }
)


def _checked(outcome: ImportedMessage | str) -> None:
    if isinstance(outcome, str):
        return
    assert outcome.at.tzinfo is not None
    assert 2000 <= outcome.at.year < 2100
    for reaction in outcome.reactions:
        assert reaction.count >= 0 and len(reaction.users) <= max(reaction.count, 0) + 3


@given(maybe(SLACK_MESSAGE))
@example({"ts": "999999999999.000001", "user": "U1", "text": "x"})
def test_any_slack_message_parses_or_is_a_bad_message(raw: Any) -> None:
    try:
        people = slack_export.People({})
        outcome = slack_export._message(raw, "C1", "ideas", people, lambda text: text)
    except slack_export.BadMessage as exc:
        assert str(exc)
        return
    _checked(outcome)


@given(maybe(DCE_MESSAGE), st.booleans())
@example({"id": "1", "type": "Default", "timestamp": "9999-12-31T23:59:59-05:00"}, False)
@example({"id": "1", "type": [], "timestamp": "2000-01-01T00:00:00+00:00"}, False)
def test_any_dce_message_parses_or_is_a_bad_message(raw: Any, in_thread: bool) -> None:
    try:
        outcome = dce._message(raw, "7", "10", "ideas", in_thread)
    except dce.BadMessage as exc:
        assert str(exc)
        return
    _checked(outcome)


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode), st.booleans())
@example(b"[" * 50_000, True)
@example(b"\xff\xfe{}", False)
def test_any_bytes_are_json_or_a_reported_problem(raw: bytes, skip: bool) -> None:
    problems = Problems(skip_bad=skip)
    try:
        value = parse_json(raw, "x.json", problems)
    except ImportFileError:
        assert not skip
        return
    assert value is not None or problems.items or raw.strip() in (b"null", b"")


def _read(paths: Sequence[Path], skip: bool) -> ParsedExport | None:
    try:
        return read_export(paths, skip_bad=skip)
    except ImportFileError as exc:
        assert str(exc)
        return None


@settings(max_examples=150)
@given(st.lists(DCE_DOC | ANY_JSON, min_size=1, max_size=3), st.booleans())
def test_any_dce_files_parse_or_are_refused(docs: list[Any], skip: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, doc in enumerate(docs):
            path = Path(folder) / f"channel-{n}.json"
            path.write_text(json.dumps(doc))
            paths.append(path)
        parsed = _read(paths, skip)
        if parsed is not None:
            for message in parsed.messages:
                _checked(message)


@settings(max_examples=150)
@given(
    maybe(st.lists(maybe(st.fixed_dictionaries({"id": TEXT, "name": TEXT})), max_size=3)),
    maybe(st.lists(maybe(SLACK_MESSAGE), max_size=4)),
    ANY_JSON,
    st.booleans(),
)
@example([{"id": "C1", "name": "\x00"}], [], None, False)
@example([{"id": "C1", "name": "a\x00b"}], [{"ts": "1.0"}], [], True)
def test_any_slack_export_parses_or_is_refused(
    channels: Any, day: Any, users: Any, skip: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "channels.json").write_text(json.dumps(channels))
        (root / "users.json").write_text(json.dumps(users))
        for channel in channels if isinstance(channels, list) else []:
            name = channel.get("name") if isinstance(channel, dict) else None
            if isinstance(name, str) and name and "/" not in name and name not in (".", ".."):
                try:
                    (root / name).mkdir(exist_ok=True)
                    (root / name / "2024-03-01.json").write_text(json.dumps(day))
                except (OSError, ValueError):
                    pass  # a name no file system takes (ValueError: a NUL in it)
        parsed = _read([root], skip)
        if parsed is not None:
            for message in parsed.messages:
                _checked(message)


# -- through the real command: unchanged or whole --------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    embedder = TestEmbedder()  # module-wide: a fresh one, nothing declared
    db = tmp_path_factory.mktemp("seeded") / "ideabot.db"
    assert run(["import", str(DISCORD / "ideas.json"), "--db", str(db)], embedder).exit_code == 0
    return db


def test_an_import_leaves_the_database_unchanged_or_complete(
    seeded: Path, embedder: TestEmbedder
) -> None:
    before = table_digest(seeded)
    base = json.loads((DISCORD / "ideas.json").read_text())

    @settings(max_examples=25)
    @given(st.lists(maybe(DCE_MESSAGE), min_size=1, max_size=4), st.booleans())
    def check(messages: list[Any], skip: bool) -> None:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "ideabot.db"
            shutil.copy(seeded, db)
            export = Path(folder) / "more.json"
            export.write_text(json.dumps({**base, "messages": messages}))
            args = ["import", str(export), "--db", str(db)]
            result = run([*args, "--skip-bad-files"] if skip else args, embedder)
            if result.exit_code != 0:
                assert isinstance(result.exception, SystemExit), repr(result.exception)
                assert len(result.stderr.strip().splitlines()) == 1, result.stderr
                assert table_digest(db) == before
            else:
                again = run([*args, "--skip-bad-files"], embedder)  # a rerun adds nothing
                assert again.exit_code == 0, again.output
                assert "ideas:           0" in again.stdout

    check()
