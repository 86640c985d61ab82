"""What a Discord client builds when a person uses a command, a component or a modal: the
``data`` of the interaction, checked against the commands the bot synced (names, subcommands,
option types, required options, choices and ranges, default_member_permissions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .model import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    walk_components,
)
from .state import MISSING

if TYPE_CHECKING:
    from .interactions import FakeInteraction
    from .state import FakeState


def find_command(state: FakeState, guild: FakeGuild, name: str, type: int) -> dict[str, Any]:
    for command in [*state.commands.get(guild.id, []), *state.commands[None]]:
        if command["name"] == name and command.get("type", 1) == type:
            return command
    known = [c["name"] for c in [*state.commands.get(guild.id, []), *state.commands[None]]]
    raise LookupError(f"no type-{type} command {name!r} registered (the bot synced {known})")


def check_can_use(
    command: dict[str, Any],
    member: FakeMember,
    overrides: set[tuple[int, str, int]] | None = None,
) -> None:
    needed = command.get("default_member_permissions")
    targets = {member.id, member.guild.id, *(role.id for role in member.roles)}
    if any((member.guild.id, command["name"], t) in (overrides or set()) for t in targets):
        return
    if needed is not None and member.permissions & int(needed) != int(needed):
        raise PermissionError(f"{member.name} cannot see command {command['name']!r}")


def slash_data(
    state: FakeState,
    command: dict[str, Any],
    path: Sequence[str],
    options: Mapping[str, Any],
) -> dict[str, Any]:
    resolved: dict[str, dict[str, Any]] = {}
    definitions = command.get("options") or []
    top: list[dict[str, Any]] = []
    level = top
    for name in path:
        sub = next((o for o in definitions if o["name"] == name and o["type"] in (1, 2)), None)
        if sub is None:
            raise LookupError(f"/{command['name']} has no subcommand {name!r} at {list(path)}")
        entry: dict[str, Any] = {"type": sub["type"], "name": name, "options": []}
        level.append(entry)
        level = entry["options"]
        definitions = sub.get("options") or []
    if any(o["type"] in (1, 2) for o in definitions):
        raise ValueError(f"/{command['name']} {' '.join(path)} needs a subcommand")
    known = {o["name"]: o for o in definitions}
    for name in options:
        if name not in known:
            raise ValueError(f"unknown option {name!r}; the command has {sorted(known)}")
    for definition in definitions:
        if definition["name"] in options:
            value = options[definition["name"]]
            level.append(
                {
                    "type": definition["type"],
                    "name": definition["name"],
                    "value": _option_value(state, definition, value, resolved),
                }
            )
        elif definition.get("required"):
            raise ValueError(f"required option {definition['name']!r} missing")
    data: dict[str, Any] = {
        "id": command["id"],
        "name": command["name"],
        "type": 1,
        "options": top,
    }
    if resolved:
        data["resolved"] = resolved
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    return data


def _option_value(
    state: FakeState, definition: dict[str, Any], value: Any, resolved: dict[str, Any]
) -> Any:
    kind, name = definition["type"], definition["name"]
    payloads = state.payloads
    if kind in (3, 4, 10):
        if kind == 3 and not isinstance(value, str):
            raise TypeError(f"option {name!r} takes a string")
        if kind in (4, 10) and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise TypeError(f"option {name!r} takes a number")
        choices = [c["value"] for c in definition.get("choices") or []]
        if choices and value not in choices:
            raise ValueError(f"option {name!r} must be one of {choices}")
        low, high = definition.get("min_value"), definition.get("max_value")
        if kind != 3 and ((low is not None and value < low) or (high is not None and value > high)):
            raise ValueError(f"option {name!r} must be within [{low}, {high}]")
        low, high = definition.get("min_length"), definition.get("max_length")
        if kind == 3 and (
            (low is not None and len(value) < low) or (high is not None and len(value) > high)
        ):
            raise ValueError(f"option {name!r} length must be within [{low}, {high}]")
        return value
    if kind == 5:
        return bool(value)
    if isinstance(value, FakeMember | FakeUser) and kind in (6, 9):
        user = value.user if isinstance(value, FakeMember) else value
        resolved.setdefault("users", {})[str(user.id)] = payloads.user(user)
        if isinstance(value, FakeMember):
            member = payloads.member(value, user=False, permissions=True)
            resolved.setdefault("members", {})[str(user.id)] = member
        return str(user.id)
    if isinstance(value, FakeRole) and kind in (8, 9):
        resolved.setdefault("roles", {})[str(value.id)] = payloads.role(value)
        return str(value.id)
    if isinstance(value, FakeChannel) and kind == 7:
        channel = payloads.channel(value) | {"permissions": str(value.guild.bot_member.permissions)}
        resolved.setdefault("channels", {})[str(value.id)] = channel
        return str(value.id)
    raise TypeError(f"option {name!r} (type {kind}) cannot take {value!r}")


def component_data(
    message: FakeMessage, custom_id: str, values: Sequence[str] | None
) -> dict[str, Any]:
    component = message.find_component(custom_id)
    if component is None:
        raise LookupError(
            f"message {message.id} has no component {custom_id!r}: {message.custom_ids}"
        )
    if component.get("disabled"):
        raise ValueError(f"component {custom_id!r} is disabled")
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
    if component["type"] != 2:
        data["values"] = list(values or [])
    return data


def modal_data(interaction: FakeInteraction, values: Mapping[str, Any]) -> dict[str, Any]:
    if interaction.response is None or interaction.response["type"] != 9:
        raise ValueError(f"{interaction.label} was not answered with a modal")
    modal = interaction.data
    missing = set(values) - {c.get("custom_id") for c in walk_components(modal["components"])}
    if missing:
        raise LookupError(f"the modal has no inputs {sorted(missing)}")

    def submitted(component: dict[str, Any]) -> dict[str, Any]:
        kind = component["type"]
        if kind == 1:
            return {"type": 1, "components": [submitted(c) for c in component["components"]]}
        if kind == 18:
            return {"type": 18, "component": submitted(component["component"])}
        out = {"type": kind, "custom_id": component.get("custom_id")}
        if "id" in component:
            out["id"] = component["id"]
        value = values.get(component.get("custom_id") or "", MISSING)
        if kind == 4:
            out["value"] = "" if value is MISSING else str(value)
        else:
            out["values"] = [] if value is MISSING else list(value)
        return out

    return {
        "custom_id": modal["custom_id"],
        "components": [submitted(c) for c in modal["components"]],
    }
