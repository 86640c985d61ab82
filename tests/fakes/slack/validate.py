"""Message content checks the way Slack applies them to chat.postMessage / update /
postEphemeral and to response_url posts (the documented Block Kit limits)."""

from __future__ import annotations

import json
import re
from typing import Any

from .state import SlackError

MAX_TEXT = 40_000
MAX_BLOCKS = 50
# The blocks' text in all: Slack answers msg_blocks_too_long past about 12,000 characters
# (undocumented; measured in slackapi/bolt-js#2509 and #2867).
MAX_BLOCKS_TEXT = 12_000
KNOWN_BLOCKS = {
    "section",
    "divider",
    "header",
    "context",
    "actions",
    "image",
    "rich_text",
    "input",
    "markdown",
    "file",
    "video",
    "context_actions",
    "table",
}


def json_arg(value: Any) -> Any:
    """``blocks`` / ``view`` / ``metadata`` arrive as JSON strings in form bodies."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise SlackError("invalid_arguments") from None
    return value


def check_metadata(value: Any) -> dict[str, Any] | None:
    """Message metadata as chat.postMessage takes it: ``{"event_type", "event_payload"}``,
    the type a word of letters, digits and underscores; ``invalid_metadata_format`` else."""
    if value in (None, ""):
        return None
    metadata = json_arg(value)
    if (
        not isinstance(metadata, dict)
        or not re.fullmatch(r"[A-Za-z0-9_]{1,255}", str(metadata.get("event_type") or ""))
        or not isinstance(metadata.get("event_payload"), dict)
        or len(json.dumps(metadata)) > 8_000
    ):
        raise SlackError("invalid_metadata_format")
    return metadata


def check_message(
    text: Any, blocks: Any, attachments: Any = None
) -> tuple[str, list[dict[str, Any]] | None]:
    """Validate; return (text, blocks). Raises SlackError like Slack does."""
    blocks = json_arg(blocks) if blocks not in (None, "") else None
    text = "" if text is None else str(text)
    if not text and not blocks and not attachments:
        raise SlackError("no_text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        errors = block_errors(blocks)
        if not errors and blocks_text(blocks) > MAX_BLOCKS_TEXT:
            raise SlackError("msg_blocks_too_long")
        if errors:
            messages = [f"[ERROR] {e}" for e in errors]
            raise SlackError(
                "invalid_blocks", errors=errors, response_metadata={"messages": messages}
            )
    return text, blocks


def blocks_text(blocks: list[Any]) -> int:
    """Characters of text in the blocks (every "text" string, however deep)."""

    def walk(node: Any) -> int:
        if isinstance(node, dict):
            return sum(
                len(v) if k == "text" and isinstance(v, str) else walk(v) for k, v in node.items()
            )
        if isinstance(node, list):
            return sum(walk(item) for item in node)
        return 0

    return walk(blocks)


def block_errors(blocks: list[Any]) -> list[str]:
    errors: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        errors.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"/blocks/{i}"
        if not isinstance(block, dict) or block.get("type") not in KNOWN_BLOCKS:
            errors.append(f"unsupported type [json-pointer:{at}/type]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                errors.append(f"must be less than 256 characters [json-pointer:{at}/block_id]")
            if block_id in block_ids:
                errors.append(f"duplicate block_id [json-pointer:{at}/block_id]")
            block_ids.add(str(block_id))
        errors.extend(_block_errors(block, at))
    return errors


def _block_errors(block: dict[str, Any], at: str) -> list[str]:
    kind = block["type"]
    errors: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"must provide text or fields [json-pointer:{at}]")
        if "text" in block:
            errors += _text_errors(block["text"], 3000, f"{at}/text")
        fields = block.get("fields") or []
        if len(fields) > 10:
            errors.append(f"no more than 10 items allowed [json-pointer:{at}/fields]")
        for j, item in enumerate(fields):
            errors += _text_errors(item, 2000, f"{at}/fields/{j}")
        if "accessory" in block:
            errors += _element_errors(block["accessory"], f"{at}/accessory")
    elif kind == "header":
        errors += _text_errors(block.get("text"), 150, f"{at}/text", plain_only=True)
    elif kind == "markdown":
        text = block.get("text")
        if not isinstance(text, str) or not text or len(text) > 12_000:
            errors.append(f"must be 1-12000 characters [json-pointer:{at}/text]")
    elif kind in ("context", "actions"):
        limit = 10 if kind == "context" else 25
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            errors.append(f"must provide elements [json-pointer:{at}/elements]")
            return errors
        if len(elements) > limit:
            errors.append(f"no more than {limit} items allowed [json-pointer:{at}/elements]")
        action_ids: set[str] = set()
        for j, element in enumerate(elements):
            where = f"{at}/elements/{j}"
            if kind == "context":
                if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                    errors += _text_errors(element, 3000, where)
                continue
            errors += _element_errors(element, where)
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id is not None:
                if action_id in action_ids:
                    errors.append(f"duplicate action_id [json-pointer:{where}/action_id]")
                action_ids.add(action_id)
    return errors


def _text_errors(obj: Any, limit: int, at: str, *, plain_only: bool = False) -> list[str]:
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        return [f"must be a text object of type {' or '.join(allowed)} [json-pointer:{at}]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{at}/text]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{at}/text]"]
    return []


def _element_errors(element: Any, at: str) -> list[str]:
    if not isinstance(element, dict) or "type" not in element:
        return [f"missing required field: type [json-pointer:{at}]"]
    errors: list[str] = []
    if len(str(element.get("action_id", ""))) > 255:
        errors.append(f"must be less than 256 characters [json-pointer:{at}/action_id]")
    if element["type"] == "button":
        errors += _text_errors(element.get("text"), 75, f"{at}/text", plain_only=True)
        if len(str(element.get("value", ""))) > 2000:
            errors.append(f"must be less than 2001 characters [json-pointer:{at}/value]")
        if len(str(element.get("url", ""))) > 3000:
            errors.append(f"must be less than 3001 characters [json-pointer:{at}/url]")
        if element.get("style") not in (None, "primary", "danger"):
            errors.append(f"must be one of primary, danger [json-pointer:{at}/style]")
    return errors
