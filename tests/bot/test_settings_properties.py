"""Property tests of the settings read from the environment and of the token checks:
any value gives settings or one clear line naming the variable, never a traceback."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from bot.cli_errors import load_settings
from bot.settings import Settings
from bot.tokens import BadToken, check_tokens

NAMES = [
    "IDEABOT_DB",
    "IDEABOT_EMBED_BATCH_SIZE",
    "IDEABOT_MAX_IDEA_LENGTH",
    "IDEABOT_LOG_LEVEL",
    "SLACK_PORT",
]
# Environment values are text without NUL (the OS refuses those) and without surrogates.
ENV_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
VALUES = st.one_of(ENV_TEXT, st.integers().map(str), st.sampled_from(["", " ", "64", "1e3"]))


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@given(values=st.dictionaries(st.sampled_from(NAMES), VALUES, min_size=1))
def test_any_environment_gives_settings_or_one_line(values: dict[str, str]) -> None:
    err_stream = io.StringIO()
    with environment(values), contextlib.redirect_stderr(err_stream):
        try:
            settings = load_settings()
        except SystemExit as exit:
            assert exit.code == 1
            err = err_stream.getvalue()
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: bad setting"), err
            return
    assert isinstance(settings, Settings)
    assert 1 <= settings.embed_batch_size <= 1024


TOKENS = st.one_of(
    st.text(),
    st.sampled_from(["", " ", "xoxb-1-2", "xapp-1-2", "abc.def.ghi", "tok\n", '"tok"']),
)


@given(st.dictionaries(st.sampled_from(["discord", "bot", "app", "secret"]), TOKENS))
def test_any_token_passes_or_is_a_bad_token_that_never_shows_it(tokens: dict[str, str]) -> None:
    settings = Settings.model_construct(
        discord_token=SecretStr(tokens["discord"]) if "discord" in tokens else None,
        slack_bot_token=SecretStr(tokens["bot"]) if "bot" in tokens else None,
        slack_app_token=SecretStr(tokens["app"]) if "app" in tokens else None,
        slack_signing_secret=SecretStr(tokens["secret"]) if "secret" in tokens else None,
    )
    try:
        check_tokens(settings)
    except BadToken as exc:
        message = str(exc)
        assert "\n" not in message
        for value in tokens.values():
            if len(value.strip()) >= 12:  # shorter ones can be words of the message
                assert value not in message
