"""Slack's message wire format as the plain text ideabot stores and shows everywhere else.

Slack sends (live events, slash commands, history, workspace exports alike) text in which
``&``, ``<`` and ``>`` typed by a person arrive as ``&amp;``, ``&lt;`` and ``&gt;``, and
every ``<...>`` is a reference: ``<@U123>`` a person, ``<#C123|general>`` a channel,
``<!here>`` a special mention, ``<https://x|label>`` a link. ideabot keeps the text as a
reader would see it in Slack; the Slack adapter escapes it again on the way out.

Pure: no Slack library, no I/O. The live adapter resolves user ids first (``user_ids``)
and passes the names as a mapping; the export importer passes users.json's names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

Names = Mapping[str, str] | Callable[[str], str | None]

# Inside Slack's wire text a literal "<" or ">" is always sent as an entity, so every
# "<" that is left starts a reference and the next ">" ends it.
_REFERENCE = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}
_USER = re.compile(r"<@([A-Z0-9]{1,40})(?:\|[^<>]*)?>")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{0,30}:")
# Special mentions Slack renders as "@here", "@channel", "@everyone".
_BROADCASTS = frozenset({"here", "channel", "everyone", "group"})


def decode(text: str) -> str:
    """``text`` with Slack's three entities decoded, in one pass: ``&amp;lt;`` reads "&lt;"."""
    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], text)


def user_ids(text: str) -> list[str]:
    """The ids of the people ``text`` mentions (``<@U123>``), each once, in order."""
    return list(dict.fromkeys(_USER.findall(text)))


def plain_text(
    text: str, user_names: Names | None = None, channel_names: Names | None = None
) -> str:
    """Slack wire text as plain text: entities decoded, ``<@U1>`` as "@name", ``<#C1|general>``
    as "#general", links as "label (url)" or the bare url, ``<!here>`` as "@here".

    A person or channel that no lookup knows reads as its label, else its id ("@U123").
    Never raises: text that is not well-formed Slack markup stays as it is, decoded."""
    out: list[str] = []
    end = 0
    for match in _REFERENCE.finditer(text):
        out.append(decode(text[end : match.start()]))
        out.append(_reference(match.group(1), user_names, channel_names) or decode(match.group(0)))
        end = match.end()
    out.append(decode(text[end:]))
    return "".join(out)


def _lookup(names: Names | None, key: str) -> str | None:
    if names is None or not key:
        return None
    found = names.get(key) if isinstance(names, Mapping) else names(key)
    return (found.strip() or None) if isinstance(found, str) else None


def _reference(inner: str, users: Names | None, channels: Names | None) -> str | None:
    """The plain text of one ``<inner>``; None when it is not a reference."""
    target, _, label = inner.partition("|")
    label = decode(label).strip()
    if not target:
        return None
    kind, rest = target[0], target[1:]
    if kind == "@":
        name = _lookup(users, rest) or label.lstrip("@") or rest
        return f"@{name}"
    if kind == "#":
        name = _lookup(channels, rest) or label.lstrip("#") or rest
        return f"#{name}"
    if kind == "!":
        return _special(rest, label)
    if _SCHEME.match(target):
        return _link(decode(target), label)
    return None


def _special(command: str, label: str) -> str:
    """``<!here>``, ``<!subteam^S1|@team>``, ``<!date^...|fallback>`` and the like."""
    head, _, argument = command.partition("^")
    if head in _BROADCASTS:
        return f"@{head}"
    if label:
        return label
    if head == "subteam" and argument:
        return f"@{argument.split('^', 1)[0]}"
    return f"@{head}" if head else "@"


def _link(url: str, label: str) -> str:
    address = url.removeprefix("mailto:")
    # Slack links a typed "example.com" as <http://example.com|example.com>: say it once.
    bare = {url, address, url.removeprefix("https://"), url.removeprefix("http://")}
    if not label or label in bare:
        return label or address
    return f"{label} ({address})"
