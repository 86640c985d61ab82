"""Slack wire text as plain text: plain values in, plain values out."""

from __future__ import annotations

import pytest

from bot.slack_markup import decode, plain_text, user_ids

USERS = {"U1": "Alice B", "W2": "bob"}
CHANNELS = {"C1": "ideas"}


@pytest.mark.parametrize(
    ("wire", "plain"),
    [
        ("Tea &amp; biscuits &lt;3 &gt; coffee", "Tea & biscuits <3 > coffee"),
        # one pass: a person who typed "&lt;" keeps seeing "&lt;", never "<"
        ("typed &amp;lt; literally", "typed &lt; literally"),
        ("&amp;amp;", "&amp;"),
        ("ask <@U1> and <@W2|old-name>", "ask @Alice B and @bob"),
        ("<@U9>", "@U9"),
        ("<@U9|carol>", "@carol"),
        ("in <#C1|general> and <#C1>", "in #ideas and #ideas"),
        ("<#C7|random> <#C8> <#C9|>", "#random #C8 #C9"),
        ("<!here> <!channel> <!everyone> <!here|here>", "@here @channel @everyone @here"),
        ("<!subteam^S123|@design> <!subteam^S123>", "@design @S123"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        (
            "see <https://x.example/a?b=1&amp;c=2|the R&amp;D doc>",
            "see the R&D doc (https://x.example/a?b=1&c=2)",
        ),
        ("<https://x.example>", "https://x.example"),
        ("<http://example.com|example.com>", "example.com"),
        (
            "<mailto:a@b.example|a@b.example> <mailto:c@d.example|Carol>",
            "a@b.example Carol (c@d.example)",
        ),
        ("<mailto:c@d.example>", "c@d.example"),
    ],
)
def test_wire_text_reads_as_plain_text(wire: str, plain: str) -> None:
    assert plain_text(wire, USERS, CHANNELS) == plain


def test_lookups_may_be_functions_and_may_not_know() -> None:
    seen: list[str] = []

    def names(user_id: str) -> str | None:
        seen.append(user_id)
        return {"U1": "  "}.get(user_id)  # a blank name counts as unknown

    assert plain_text("<@U1> <@U2|bo> <#C1>", names, lambda _: None) == "@U1 @bo #C1"
    assert seen == ["U1", "U2"]
    assert plain_text("<@U1> <#C1|general>") == "@U1 #general"


@pytest.mark.parametrize(
    "hostile",
    [
        "<>",
        "<|label>",
        "<b>bold</b>",
        "<<@U1>>",
        "unclosed <@U1 and <#C1|x",
        "& &amp &ampamp; &#60; &lt",
        "<@>",
        "<#|x>",
        "<!>",
        "<!subteam^>",
        "<javascript:alert(1)|click>",
        "x" * 5000 + "<" * 2000,
        "\x00<@U1>\u202e",
    ],
)
def test_malformed_and_hostile_text_never_raises(hostile: str) -> None:
    out = plain_text(hostile, USERS, CHANNELS)
    assert isinstance(out, str)
    assert len(out) <= len(hostile) + 20


def test_what_is_not_a_reference_stays_as_typed() -> None:
    assert plain_text("<b>bold</b> &#60; &amp") == "<b>bold</b> &#60; &amp"
    assert plain_text("unclosed <@U1") == "unclosed <@U1"
    # a link label is the reader's text: decoded once, never turned into markup again
    assert plain_text("<https://x.example|&lt;!channel&gt;>") == "<!channel> (https://x.example)"


def test_user_ids_lists_each_mention_once() -> None:
    text = "<@U1> <@W2|bob> <@U1> <#C1> <!here> <mailto:u@x> <@bad id>"
    assert user_ids(text) == ["U1", "W2"]
    assert user_ids("no mentions &lt;@U1&gt;") == []


def test_decode_is_the_inverse_of_slack_escaping() -> None:
    typed = "a & b < c > d &amp; &lt;"
    wire = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert decode(wire) == typed
