"""Discord's limits on what a bot may send, with Discord's JSON error shapes.

A bot that oversteps gets the same 400 it would get from Discord, so tests prove it stays
within limits: content 2000, embeds (title 256, description 4096, 25 fields of name 256 /
value 1024, footer 2048, author 256, 6000 in total, 10 per message), components (5 action
rows of 5 buttons, custom_id 100, unique custom ids), allowed_mentions consistency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .model import walk_components

COMPONENTS_V2 = 1 << 15


class DiscordError(Exception):
    """An API error: HTTP status plus Discord's ``{"code", "message"[, "errors"]}`` body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def unknown(what: str) -> DiscordError:
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "User": 10013,
        "Emoji": 10014,
        "Webhook": 10015,
        "interaction": 10062,
        "application command": 10063,
    }
    return DiscordError(404, codes[what], f"Unknown {what}")


MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
ALREADY_ACKNOWLEDGED = (400, 40060, "Interaction has already been acknowledged.")

Problem = tuple[tuple[str | int, ...], str, str]


def invalid_form(problems: Sequence[Problem]) -> DiscordError:
    errors: dict[str, Any] = {}
    for path, code, message in problems:
        node = errors
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def _too_long(path: tuple[str | int, ...], limit: int) -> Problem:
    return (path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def check_message(body: dict[str, Any], *, edit: bool = False, attachments: int = 0) -> None:
    """Raise the DiscordError Discord would answer for this create/edit-message body."""
    problems: list[Problem] = []
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        problems.append(
            (("content",), "STRING_TYPE_CONVERT", "Could not interpret value as string.")
        )
    elif content is not None and len(content) > 2000:
        problems.append(_too_long(("content",), 2000))
    flags = int(body.get("flags") or 0)
    embeds = body.get("embeds") or []
    problems += _embed_problems(embeds)
    components = body.get("components") or []
    problems += _component_problems(components, flags)
    if flags & COMPONENTS_V2 and (content or embeds):
        problems.append(
            (
                ("content",),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using "
                "MessageFlags.IS_COMPONENTS_V2",
            )
        )
    problems += _allowed_mentions_problems(body.get("allowed_mentions"))
    if problems:
        raise invalid_form(problems)
    if not edit and not (
        content
        or embeds
        or components
        or attachments
        or body.get("sticker_ids")
        or body.get("poll")
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message")


_EMBED_TEXT_LIMITS = (("title", 256), ("description", 4096))


def _embed_problems(embeds: list[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(embeds) > 10:
        problems.append(_too_long(("embeds",), 10))
    total = 0
    for i, embed in enumerate(embeds):
        base: tuple[str | int, ...] = ("embeds", i)
        for key, limit in _EMBED_TEXT_LIMITS:
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                problems.append(_too_long((*base, key), limit))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(_too_long((*base, "fields"), 25))
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                text = fld.get(key) or ""
                total += len(text)
                if not text:
                    problems.append(
                        ((*base, "fields", j, key), "BASE_TYPE_REQUIRED", "This field is required")
                    )
                elif len(text) > limit:
                    problems.append(_too_long((*base, "fields", j, key), limit))
        for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
            text = (embed.get(key) or {}).get(sub) or ""
            total += len(text)
            if len(text) > limit:
                problems.append(_too_long((*base, key, sub), limit))
        colour = embed.get("color")
        if colour is not None and not 0 <= int(colour) <= 0xFFFFFF:
            problems.append(
                (
                    (*base, "color"),
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 16777215.",
                )
            )
    if total > 6000:
        problems.append(
            (("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        )
    return problems


def _component_problems(components: list[dict[str, Any]], flags: int) -> list[Problem]:
    problems: list[Problem] = []
    if flags & COMPONENTS_V2:
        if sum(1 for _ in walk_components(components)) > 40:
            problems.append(_too_long(("components",), 40))
    else:
        if len(components) > 5:
            problems.append(_too_long(("components",), 5))
        for i, row in enumerate(components):
            if row.get("type") != 1:
                problems.append(
                    (("components", i, "type"), "UNION_TYPE_CHOICES", "Value must be an action row")
                )
                continue
            inner = row.get("components") or []
            if len(inner) > 5:
                problems.append(_too_long(("components", i, "components"), 5))
            if len(inner) > 1 and any(c.get("type") in (3, 5, 6, 7, 8) for c in inner):
                problems.append(
                    (
                        ("components", i, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "The specified component exceeds the maximum width",
                    )
                )
    seen: set[str] = set()
    for component in walk_components(components):
        custom_id = component.get("custom_id")
        kind = component.get("type")
        if custom_id is not None:
            if not 1 <= len(custom_id) <= 100:
                problems.append(_too_long(("components", "custom_id"), 100))
            if custom_id in seen:
                problems.append(
                    (
                        ("components", "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            seen.add(custom_id)
        if kind == 2:
            if len(component.get("label") or "") > 80:
                problems.append(_too_long(("components", "label"), 80))
            style = component.get("style")
            if style == 5 and (not component.get("url") or custom_id):
                problems.append(
                    (("components", "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A url is required")
                )
            if style in (1, 2, 3, 4) and not custom_id:
                problems.append(
                    (
                        ("components", "custom_id"),
                        "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
                        "A custom id is required",
                    )
                )
        if kind == 3:
            options = component.get("options") or []
            if not 1 <= len(options) <= 25:
                problems.append(_too_long(("components", "options"), 25))
            if len(component.get("placeholder") or "") > 150:
                problems.append(_too_long(("components", "placeholder"), 150))
    return problems


def _allowed_mentions_problems(allowed: dict[str, Any] | None) -> list[Problem]:
    if not allowed:
        return []
    problems: list[Problem] = []
    parse = allowed.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            problems.append(
                (
                    ("allowed_mentions",),
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
            )
        if len(allowed.get(kind) or []) > 100:
            problems.append(_too_long(("allowed_mentions", kind), 100))
    return problems


def check_command(command: dict[str, Any], index: int) -> list[Problem]:
    """Problems Discord reports for one application command of a bulk overwrite."""
    problems: list[Problem] = []
    kind = command.get("type", 1)
    name = command.get("name") or ""
    if kind == 1:
        if not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower():
            problems.append(
                ((index, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            )
        if not 1 <= len(command.get("description") or "") <= 100:
            problems.append(_too_long((index, "description"), 100))
        problems += _option_problems(command.get("options") or [], (index, "options"))
    else:
        if not 1 <= len(name) <= 32:
            problems.append(_too_long((index, "name"), 32))
        if command.get("description"):
            problems.append(
                (
                    (index, "description"),
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have description",
                )
            )
    return problems


def _option_problems(options: list[dict[str, Any]], path: tuple[str | int, ...]) -> list[Problem]:
    problems: list[Problem] = []
    if len(options) > 25:
        problems.append(_too_long(path, 25))
    for i, option in enumerate(options):
        name = option.get("name") or ""
        if not 1 <= len(name) <= 32 or name != name.lower():
            problems.append(
                ((*path, i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid")
            )
        if not 1 <= len(option.get("description") or "") <= 100:
            problems.append(_too_long((*path, i, "description"), 100))
        if len(option.get("choices") or []) > 25:
            problems.append(_too_long((*path, i, "choices"), 25))
        if option.get("type") in (1, 2):
            problems += _option_problems(option.get("options") or [], (*path, i, "options"))
    return problems
