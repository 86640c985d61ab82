"""Boards and their settings: what a moderator can configure, with the checks on each value."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import InvalidSetting
from dedupe.thresholds import DEFAULT_THRESHOLDS, Thresholds

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_VOTE_EMOJI = ("👍", "+1", "thumbsup")
DEFAULT_VOTE_THRESHOLDS = (10, 25, 50)
# At most this many thresholds, each at most this many votes.
MAX_VOTE_THRESHOLDS = 10
MAX_VOTE_THRESHOLD = 1_000_000
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str) -> time | None:
    """``HH:MM`` (24-hour) as a time; None when it is not one."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True, kw_only=True)
class BoardSettings:
    """A board's configuration; every field has a default a new board starts with."""

    vote_emoji: tuple[str, ...] = DEFAULT_VOTE_EMOJI
    suggest: float = DEFAULT_THRESHOLDS.suggest
    auto_merge: float = DEFAULT_THRESHOLDS.auto_merge
    moderator_roles: tuple[str, ...] = ()
    moderator_users: tuple[str, ...] = ()
    banned_users: tuple[str, ...] = ()
    digest_weekday: str = "monday"
    digest_time: str = "09:00"
    timezone: str = "UTC"
    # How old an open idea may be and still have its votes re-read after downtime.
    reconcile_days: int = 90
    # The vote counts at which an idea's ``idea.votes_reached`` webhook event fires.
    webhook_vote_thresholds: tuple[int, ...] = DEFAULT_VOTE_THRESHOLDS
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(suggest=self.suggest, auto_merge=self.auto_merge)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["vote_emoji"] = list(self.vote_emoji)
        data["moderator_roles"] = list(self.moderator_roles)
        data["moderator_users"] = list(self.moderator_users)
        data["banned_users"] = list(self.banned_users)
        data["webhook_vote_thresholds"] = list(self.webhook_vote_thresholds)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BoardSettings:
        """Settings from their stored form; unknown keys are kept, bad values fall back."""
        settings = cls()
        known = {f for f in settings.__dataclass_fields__ if f != "extra"}
        if "digest_hour" in data and "digest_time" not in data:
            # Boards stored before digest_time kept a whole hour.
            hour = data["digest_hour"]
            data = {k: v for k, v in data.items() if k != "digest_hour"}
            data["digest_time"] = f"{hour}:00"
        extra = {k: v for k, v in data.items() if k not in known and k != "extra"}
        extra.update(data.get("extra") or {})
        for key in known & data.keys():
            try:
                settings = settings.updated(key, data[key])
            except InvalidSetting:
                continue  # a value that no longer validates keeps the default
        return replace(settings, extra=extra)

    def updated(self, key: str, value: Any) -> BoardSettings:
        """A copy with ``key`` set to ``value``; InvalidSetting says what is wrong."""
        if key == "vote_emoji":
            emoji = _strings(value, key)
            if not emoji:
                raise InvalidSetting("vote_emoji needs at least one emoji")
            if any(len(e) > 100 or any(c.isspace() for c in e) for e in emoji):
                raise InvalidSetting("each vote emoji must be one emoji name, without spaces")
            return replace(self, vote_emoji=emoji)
        if key in ("suggest", "auto_merge"):
            number = _float(value, key)
            values: dict[str, Any] = {key: number}
            changed = replace(self, **values)
            try:
                changed.thresholds  # noqa: B018 - validates the pair
            except ValueError as exc:
                raise InvalidSetting(str(exc)) from None
            return changed
        if key in ("moderator_roles", "moderator_users", "banned_users"):
            names: dict[str, Any] = {key: _strings(value, key)}
            return replace(self, **names)
        if key == "digest_weekday":
            day = str(value).strip().lower()
            if day not in WEEKDAYS:
                raise InvalidSetting(f"digest_weekday must be one of {', '.join(WEEKDAYS)}")
            return replace(self, digest_weekday=day)
        if key == "digest_time":
            at = parse_time(str(value))
            if at is None:
                raise InvalidSetting(
                    f"digest_time {str(value)[:20]!r} is not a time: write it as HH:MM, like 09:00"
                )
            return replace(self, digest_time=f"{at:%H:%M}")
        if key == "timezone":
            name = str(value).strip()
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                # OSError: a name too long for a file name (zoneinfo looks for a file).
                raise InvalidSetting(
                    f"unknown time zone {name[:60]!r}: use an IANA name such as Europe/Berlin"
                ) from None
            return replace(self, timezone=name)
        if key == "reconcile_days":
            try:
                days = int(str(value).strip())
            except ValueError:
                days = 0
            if not 1 <= days <= 3650:
                raise InvalidSetting("reconcile_days must be a whole number of days, 1 to 3650")
            return replace(self, reconcile_days=days)
        if key == "webhook_vote_thresholds":
            return replace(self, webhook_vote_thresholds=_vote_thresholds(value))
        raise InvalidSetting(
            f"unknown setting {str(key)[:40]!r}; settings are: {', '.join(SETTING_NAMES)}"
        )


SETTING_NAMES = (
    "vote_emoji",
    "suggest",
    "auto_merge",
    "moderator_roles",
    "moderator_users",
    "banned_users",
    "digest_weekday",
    "digest_time",
    "timezone",
    "reconcile_days",
    "webhook_vote_thresholds",
)


@dataclass(frozen=True, kw_only=True)
class Board:
    id: int
    name: str
    settings: BoardSettings


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [v for v in value.replace(",", " ").split() if v]
    elif isinstance(value, list | tuple):
        items = [str(v).strip() for v in value if str(v).strip()]
    else:
        raise InvalidSetting(f"{key} takes a list of names")
    return tuple(dict.fromkeys(item.strip(":") if key == "vote_emoji" else item for item in items))


def _vote_thresholds(value: Any) -> tuple[int, ...]:
    """``10,25,50`` (or a list) as sorted distinct vote counts; ``none`` for none."""
    wrong = InvalidSetting(
        "webhook_vote_thresholds takes up to"
        f" {MAX_VOTE_THRESHOLDS} whole numbers of votes from 1 to {MAX_VOTE_THRESHOLD:,},"
        " like 10,25,50 (or none)"
    )
    if isinstance(value, str):
        if len(value) > 200:
            raise wrong
        if value.strip().lower() in ("none", "off"):
            return ()
        items: list[Any] = [v for v in value.replace(",", " ").split() if v]
    elif isinstance(value, list | tuple):
        if not value:
            return ()  # stored as an empty list: set to none
        items = list(value)
    else:
        raise wrong
    numbers = set()
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise wrong
        text = str(item).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 7:
            raise wrong
        numbers.add(int(text))
    if not items or len(numbers) > MAX_VOTE_THRESHOLDS:
        raise wrong
    if not all(1 <= n <= MAX_VOTE_THRESHOLD for n in numbers):
        raise wrong
    return tuple(sorted(numbers))


def _float(value: Any, key: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidSetting(f"{key} must be a number between 0 and 1") from None
    if not 0 < number <= 1:
        raise InvalidSetting(f"{key} must be a number between 0 and 1")
    return number
