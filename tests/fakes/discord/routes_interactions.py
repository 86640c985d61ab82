"""REST endpoints for application commands (sync = bulk overwrite), the interaction callback and
the interaction webhook (followups, ``@original``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .validate import DiscordError, check_command, invalid_form, unknown

if TYPE_CHECKING:
    from .interactions import FakeInteraction
    from .rest import Call, Route
    from .routes_channels import Context

_MAX_PER_TYPE = {1: 100, 2: 15, 3: 15}


def interaction_routes(ctx: Context) -> list[Route]:
    state = ctx.state
    service = ctx.interactions

    def scope(call: Call) -> int | None:
        if call.id("aid") != state.application_id:
            raise DiscordError(
                403, 20012, "You are not authorized to perform this action on this application"
            )
        if "gid" not in call.args:
            return None
        gid = call.id("gid")
        if gid not in state.guilds:
            raise unknown("Guild")
        return gid

    def stored(
        command: dict[str, Any], guild_id: int | None, existing: list[dict[str, Any]]
    ) -> dict[str, Any]:
        kind = command.get("type", 1)
        same = next(
            (c for c in existing if c["name"] == command["name"] and c["type"] == kind), None
        )
        out = {
            "id": same["id"] if same else str(state.ids.next()),
            "application_id": str(state.application_id),
            "version": str(state.ids.next()),
            "type": kind,
            "name": command["name"],
            "description": command.get("description") or "",
            "options": command.get("options") or [],
            "default_member_permissions": command.get("default_member_permissions"),
            "dm_permission": command.get("dm_permission", True),
            "nsfw": bool(command.get("nsfw")),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "name_localizations": command.get("name_localizations"),
            "description_localizations": command.get("description_localizations"),
        }
        if guild_id is not None:
            out["guild_id"] = str(guild_id)
        return out

    def check(commands: list[dict[str, Any]]) -> None:
        problems = []
        for index, command in enumerate(commands):
            problems += check_command(command, index)
        for kind, limit in _MAX_PER_TYPE.items():
            if sum(1 for c in commands if c.get("type", 1) == kind) > limit:
                problems.append(
                    ((), "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
                )
        keys = [(c.get("name"), c.get("type", 1)) for c in commands]
        if len(keys) != len(set(keys)):
            problems.append(
                (
                    (),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                )
            )
        if problems:
            raise invalid_form(problems)

    async def list_commands(call: Call) -> Any:
        return state.commands.get(scope(call), [])

    async def overwrite_commands(call: Call) -> Any:
        guild_id = scope(call)
        commands = call.json if isinstance(call.json, list) else []
        check(commands)
        existing = state.commands.get(guild_id, [])
        state.commands[guild_id] = [stored(c, guild_id, existing) for c in commands]
        state.bump()
        return state.commands[guild_id]

    async def upsert_command(call: Call) -> Any:
        guild_id = scope(call)
        check([call.body])
        existing = state.commands.get(guild_id, [])
        command = stored(call.body, guild_id, existing)
        kept = [c for c in existing if c["id"] != command["id"]]
        state.commands[guild_id] = [*kept, command]
        state.bump()
        return 201, command

    async def delete_command(call: Call) -> Any:
        guild_id = scope(call)
        existing = state.commands.get(guild_id, [])
        kept = [c for c in existing if c["id"] != call.args["cmd"]]
        if len(kept) == len(existing):
            raise unknown("application command")
        state.commands[guild_id] = kept
        state.bump()

    # -- interactions ---------------------------------------------------------------------------

    def by_id(call: Call) -> FakeInteraction:
        interaction = state.interactions.get(call.id("iid"))
        if interaction is None or interaction.token != call.args["token"]:
            raise unknown("interaction")
        return interaction

    def by_token(call: Call) -> FakeInteraction:
        if call.args["aid"] != str(state.application_id):
            raise unknown("Webhook")
        for interaction in state.interactions.values():
            if interaction.token == call.args["token"]:
                return interaction
        raise unknown("Webhook")

    async def callback(call: Call) -> Any:
        interaction = by_id(call)
        answer = service.callback(interaction, call.body)
        if call.query.get("with_response") in ("1", "true", "True"):
            return answer
        return None

    async def followup(call: Call) -> Any:
        message = service.followup(by_token(call), call.body, call.uploads)
        if call.query.get("wait") in ("1", "true", "True"):
            return state.payloads.message(message)
        return None

    async def get_webhook_message(call: Call) -> Any:
        return state.payloads.message(service.message_of(by_token(call), call.args["mid"]))

    async def edit_webhook_message(call: Call) -> Any:
        interaction = by_token(call)
        message = service.message_of(interaction, call.args["mid"])
        service.edit(interaction, message, call.body, call.uploads)
        return state.payloads.message(message)

    async def delete_webhook_message(call: Call) -> Any:
        state.delete_message(service.message_of(by_token(call), call.args["mid"]))

    global_ = "/applications/{aid}/commands"
    guild = "/applications/{aid}/guilds/{gid}/commands"
    hook = "/webhooks/{aid}/{token}"
    return [
        ("GET", global_, list_commands),
        ("PUT", global_, overwrite_commands),
        ("POST", global_, upsert_command),
        ("DELETE", global_ + "/{cmd}", delete_command),
        ("GET", guild, list_commands),
        ("PUT", guild, overwrite_commands),
        ("POST", guild, upsert_command),
        ("DELETE", guild + "/{cmd}", delete_command),
        ("POST", "/interactions/{iid}/{token}/callback", callback),
        ("POST", hook, followup),
        ("GET", hook + "/messages/{mid}", get_webhook_message),
        ("PATCH", hook + "/messages/{mid}", edit_webhook_message),
        ("DELETE", hook + "/messages/{mid}", delete_webhook_message),
    ]
