"""Slack slash commands arrive as one line of text: these turn it into a command or a usage.

Discord has typed options; Slack gives ``/ideabot status 12 done Shipped in 3.2``.
Everything a member can type is checked here, with a usage line for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.boards import SETTING_NAMES
from bot.chat_webhooks import USAGE as WEBHOOK_USAGE
from bot.domain import Status
from bot.errors import IdeabotError
from bot.web_access import WEB_SETTINGS

IDEABOT_USAGE = (
    "Usage: `/ideabot merge <number> <into>` · `unmerge <number>` · "
    "`status <number> <status> [note]` · `delete <number> [reason]` · "
    "`config show` · `config set <setting> <value>` · `config channel ideas|digest [off]` · "
    "`config reset thresholds` · `config webhook add|list|remove` · "
    "`config digest <weekday> <HH:MM> [<time zone>]` · `digest preview` · `digest now` · "
    "`link` · `join <code> [merge]`"
)
CONFIG_DIGEST_USAGE = (
    "Usage: `/ideabot config digest <weekday> <HH:MM> [<time zone>]`,"
    " like `/ideabot config digest monday 09:00 Europe/Berlin`"
)
IDEAS_USAGE = "Usage: `/ideas top [count]` · `/ideas search <words>` · `/ideas show <number>`"
MAX_TEXT = 4000


class UsageError(IdeabotError):
    """The command's text could not be read; the message says how to write it."""


@dataclass(frozen=True)
class Parsed:
    action: str
    numbers: tuple[int, ...] = ()
    words: tuple[str, ...] = field(default_factory=tuple)
    rest: str = ""


def _number(word: str, usage: str) -> int:
    cleaned = word.lstrip("#")
    # isdecimal, not isdigit: a superscript two is a digit that int() refuses.
    if not cleaned.isdecimal() or not 0 < int(cleaned) < 10**9:
        raise UsageError(f"`{word[:20]}` is not an idea number. {usage}")
    return int(cleaned)


def parse_ideabot(text: str) -> Parsed:
    """The moderator command in ``text``; UsageError with the usage line otherwise."""
    if len(text) > MAX_TEXT:
        raise UsageError(f"That command is too long. {IDEABOT_USAGE}")
    words = text.split()
    if not words:
        raise UsageError(IDEABOT_USAGE)
    head, args = words[0].lower(), words[1:]
    if head == "merge" and len(args) == 2:
        return Parsed("merge", (_number(args[0], IDEABOT_USAGE), _number(args[1], IDEABOT_USAGE)))
    if head == "unmerge" and len(args) == 1:
        return Parsed("unmerge", (_number(args[0], IDEABOT_USAGE),))
    if head == "status" and len(args) >= 2:
        status = args[1].lower().replace("-", "_")
        if status not in {s.value for s in Status}:
            raise UsageError(
                f"`{args[1][:20]}` is not a status: use one of "
                + ", ".join(s.value for s in Status)
            )
        note = text.split(None, 3)[3] if len(args) > 2 else ""
        return Parsed("status", (_number(args[0], IDEABOT_USAGE),), (status,), note.strip())
    if head == "delete" and args:
        reason = text.split(None, 2)[2] if len(args) > 1 else ""
        return Parsed("delete", (_number(args[0], IDEABOT_USAGE),), (), reason.strip())
    if head == "config" and args:
        sub = args[0].lower()
        if sub == "show" and len(args) == 1:
            return Parsed("config show")
        if sub == "reset" and len(args) == 2 and args[1].lower() == "thresholds":
            return Parsed("config reset thresholds")
        if sub == "set" and len(args) >= 3:
            if args[1] not in SETTING_NAMES and args[1] not in WEB_SETTINGS:
                raise UsageError(f"Settings are: {', '.join((*SETTING_NAMES, *WEB_SETTINGS))}")
            return Parsed("config set", (), (args[1],), text.split(None, 3)[3].strip())
        if sub == "channel" and len(args) in (2, 3) and args[1] in ("ideas", "digest"):
            if len(args) == 3 and args[2].lower() not in ("on", "off"):
                raise UsageError(IDEABOT_USAGE)
            enabled = len(args) == 2 or args[2].lower() == "on"
            return Parsed("config channel", (), (args[1], "on" if enabled else "off"))
        if sub == "webhook":
            return _webhook(text, args[1:])
        if sub == "digest":
            if len(args) not in (3, 4):
                raise UsageError(CONFIG_DIGEST_USAGE)
            return Parsed("config digest", (), tuple(args[1:]))
    if head == "digest" and len(args) == 1 and args[0].lower() in ("preview", "now"):
        return Parsed(f"digest {args[0].lower()}")
    if head == "link" and not args:
        return Parsed("link")
    if head == "join" and len(args) == 1:
        return Parsed("join", (), (args[0],))
    if head == "join" and len(args) == 2 and args[1].lower() == "merge":
        return Parsed("join", (), (args[0], "merge"))
    raise UsageError(IDEABOT_USAGE)


def _webhook(text: str, args: list[str]) -> Parsed:
    """``config webhook add URL [events]`` · ``list`` · ``remove ID``."""
    action = args[0].lower() if args else ""
    if action == "add" and len(args) in (2, 3):
        return Parsed("config webhook add", (), tuple(args[1:]))
    if action == "list" and len(args) == 1:
        return Parsed("config webhook list")
    if action == "remove" and len(args) == 2:
        return Parsed("config webhook remove", (), (args[1],))
    raise UsageError(WEBHOOK_USAGE)


def parse_ideas(text: str) -> Parsed:
    """The member command in ``text``; UsageError with the usage line otherwise."""
    if len(text) > MAX_TEXT:
        raise UsageError(f"That is too long to search for. {IDEAS_USAGE}")
    words = text.split()
    if not words:
        return Parsed("top", (10,))
    head, args = words[0].lower(), words[1:]
    if head == "top" and len(args) <= 1:
        count = _number(args[0], IDEAS_USAGE) if args else 10
        return Parsed("top", (min(count, 25),))
    if head == "search" and args:
        return Parsed("search", (), (), text.split(None, 1)[1].strip())
    if head == "show" and len(args) == 1:
        return Parsed("show", (_number(args[0], IDEAS_USAGE),))
    raise UsageError(IDEAS_USAGE)
