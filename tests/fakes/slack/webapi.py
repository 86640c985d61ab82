"""The Web API: ``POST|GET /api/<method>`` with arguments as query string, form or JSON body
(slack_sdk uses all three), the token as ``Authorization: Bearer`` or a ``token`` argument.
Answers HTTP 200 ``{"ok": true|false, ...}`` like Slack, or injected failures (429 with
``Retry-After``, 5xx)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .model import ApiCall, Ephemeral, FakeChannel, FakeMessage, FakeView, ts_to_micro
from .state import SlackError, SlackState
from .tiers import TierLimiter
from .validate import check_message, check_metadata, json_arg

Handler = Callable[[dict[str, Any]], dict[str, Any]]
APP_TOKEN_METHODS = {"apps.connections.open"}
NO_TOKEN_METHODS = {"api.test"}


def flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


class WebApi:
    def __init__(self, state: SlackState, socket_url: Callable[[], str]) -> None:
        self.state = state
        self.socket_url = socket_url
        self.limiter: TierLimiter | None = None  # Slack's method tiers, when switched on
        self.methods: dict[str, Handler] = {
            "api.test": lambda p: {"args": p},
            "auth.test": self.auth_test,
            "apps.connections.open": lambda p: {"url": self.socket_url()},
            "chat.postMessage": self.post_message,
            "chat.update": self.update,
            "chat.delete": self.delete,
            "chat.postEphemeral": self.post_ephemeral,
            "chat.getPermalink": self.permalink,
            "reactions.add": self.reactions_add,
            "reactions.remove": self.reactions_remove,
            "reactions.get": self.reactions_get,
            "conversations.history": self.history,
            "conversations.replies": self.replies,
            "conversations.info": lambda p: {"channel": self.readable(p).to_api()},
            "conversations.members": self.members,
            "conversations.list": self.channel_list,
            "conversations.join": self.join,
            "users.info": lambda p: {"user": self.state.user(p.get("user")).to_api()},
            "users.list": self.user_list,
            "views.open": self.views_open,
        }

    # -- plumbing -------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        body = "query"
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
                body = "json"
            else:
                params.update(await request.post())
                body = "form"
        token = params.pop("token", None)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer ") :]
        call = ApiCall(method, params, token, request.method, body)
        failure = next((f for f in self.state.failures if f.method == method), None)
        if failure is not None and failure.after > 0:
            failure.after -= 1
            failure = None
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                self.state.failures.remove(failure)
            call.status, call.response = failure.status, {"ok": False, "error": failure.error}
            self.state.record_call(call)
            headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
            return web.json_response(call.response, status=failure.status, headers=headers)
        if self.limiter is not None and method in self.methods:
            wait = self.limiter.retry_after(method, params)
            if wait is not None:
                call.status, call.response = 429, {"ok": False, "error": "ratelimited"}
                self.state.record_call(call)
                headers = {"Retry-After": str(wait)}
                return web.json_response(call.response, status=429, headers=headers)
        handler = self.methods.get(method)
        try:
            if handler is None:
                raise SlackError("unknown_method")
            self.check_token(method, token)
            call.response = {"ok": True, **handler(params)}
        except SlackError as e:
            call.response = {"ok": False, "error": e.error, **e.extra}
        self.state.record_call(call, unhandled=handler is None)
        return web.json_response(call.response)

    def check_token(self, method: str, token: str | None) -> None:
        if method in NO_TOKEN_METHODS:
            return
        if not token:
            raise SlackError("not_authed")
        wanted = self.state.app_token if method in APP_TOKEN_METHODS else self.state.bot_token
        if token != wanted:
            known = token in (self.state.app_token, self.state.bot_token)
            raise SlackError("not_allowed_token_type" if known else "invalid_auth")

    def readable(self, p: dict[str, Any]) -> FakeChannel:
        """A channel the bot can see (private ones only if it is a member)."""
        channel = self.state.channel(p.get("channel"))
        if channel.is_private and not channel.bot_member:
            raise SlackError("channel_not_found")
        return channel

    def writable(self, p: dict[str, Any]) -> FakeChannel:
        channel = self.readable(p)
        if not channel.bot_member:
            raise SlackError("not_in_channel")
        if channel.is_archived:
            raise SlackError("is_archived")
        return channel

    def message(self, p: dict[str, Any], ts_key: str = "ts") -> FakeMessage:
        channel = self.readable(p)
        if not p.get(ts_key):
            raise SlackError("invalid_arguments")
        return self.state.find(channel, p[ts_key])

    # -- methods --------------------------------------------------------------------------------

    def auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        s = self.state
        return {
            "url": f"https://{s.team_domain}.fake-slack.test/",
            "team": s.team_name,
            "user": s.bot.name,
            "team_id": s.team_id,
            "user_id": s.bot.id,
            "bot_id": s.bot.bot_id,
            "is_enterprise_install": False,
        }

    def post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self.writable(p)
        text, blocks = check_message(p.get("text"), p.get("blocks"), p.get("attachments"))
        message = self.state.add_message(
            channel,
            self.state.bot,
            text,
            blocks=blocks,
            thread_ts=p.get("thread_ts") or None,
            reply_broadcast=flag(p.get("reply_broadcast")),
            metadata=check_metadata(p.get("metadata")),
        )
        return {"channel": channel.id, "ts": message.ts, "message": message.to_api()}

    def update(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self.message(p)
        if message.user is not self.state.bot:
            raise SlackError("cant_update_message")
        if p.get("text") is None and p.get("blocks") is None:
            raise SlackError("no_text")
        text, blocks = check_message(p.get("text") or message.text, p.get("blocks"))
        self.state.edit_message(message, self.state.bot, text, blocks)
        return {
            "channel": message.channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_api(),
        }

    def delete(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self.message(p)
        if message.user is not self.state.bot:
            raise SlackError("cant_delete_message")
        self.state.delete_message(message)
        return {"channel": message.channel.id, "ts": message.ts}

    def post_ephemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self.writable(p)
        user = self.state.user(p.get("user"))
        if user.id not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = check_message(p.get("text"), p.get("blocks"), p.get("attachments"))
        ts = self.state.ts.next()
        thread_ts = p.get("thread_ts") or None
        self.state.add_ephemeral(Ephemeral(channel, user, text, blocks, ts, thread_ts))
        return {"message_ts": ts}

    def permalink(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self.message(p, "message_ts")
        return {"channel": message.channel.id, "permalink": message.permalink}

    def reactions_add(self, p: dict[str, Any]) -> dict[str, Any]:
        self.state.react(self.message(p, "timestamp"), self.state.bot, str(p.get("name", "")))
        return {}

    def reactions_remove(self, p: dict[str, Any]) -> dict[str, Any]:
        self.state.unreact(self.message(p, "timestamp"), self.state.bot, str(p.get("name", "")))
        return {}

    def reactions_get(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self.message(p, "timestamp")
        shown = None if flag(p.get("full")) else self.state.reaction_users_shown
        data = {**message.to_api(reaction_users=shown), "permalink": message.permalink}
        return {"type": "message", "channel": message.channel.id, "message": data}

    def history(self, p: dict[str, Any]) -> dict[str, Any]:
        """Newest first. Like Slack: with ``oldest`` but no ``latest`` the page holds the
        messages closest to ``oldest`` (paging forward); otherwise those closest to
        ``latest`` (paging back). Only top-level messages, thread parents and broadcasts."""
        channel = self.member_channel(p)
        items = [m for m in self.state.channel_messages[channel.id] if not m.is_reply]
        items += [m for m in self.state.channel_messages[channel.id] if m.reply_broadcast]
        items.sort(key=lambda m: ts_to_micro(m.ts))
        forward = bool(p.get("oldest")) and not p.get("latest")
        low, high, low_in, high_in = self.bounds(p)
        cursor = _decode_cursor(p.get("cursor"))
        if cursor is not None:
            forward, mark = cursor
            low, low_in = (mark, False) if forward else (low, low_in)
            high, high_in = (high, high_in) if forward else (mark, False)
        window = [m for m in items if _within(ts_to_micro(m.ts), low, high, low_in, high_in)]
        limit = self.page_limit("conversations.history", _limit(p, 100))
        page = window[:limit] if forward else window[-limit:]
        has_more = len(window) > limit
        metadata = flag(p.get("include_all_metadata"))
        data: dict[str, Any] = {
            "messages": [
                m.to_api(with_metadata=metadata, reaction_users=self.state.reaction_users_shown)
                for m in reversed(page)
            ],
            "has_more": has_more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if has_more and page:
            edge = page[-1] if forward else page[0]
            data["response_metadata"] = {"next_cursor": _cursor(forward, ts_to_micro(edge.ts))}
        return data

    def page_limit(self, method: str, asked: int) -> int:
        cap = None if self.limiter is None else self.limiter.tiers.page_limit(method)
        return asked if cap is None else min(asked, cap)

    def member_channel(self, p: dict[str, Any]) -> FakeChannel:
        channel = self.readable(p)
        if not channel.bot_member:
            raise SlackError("not_in_channel")
        return channel

    def bounds(self, p: dict[str, Any]) -> tuple[int, int, bool, bool]:
        inclusive = flag(p.get("inclusive"))
        low = ts_to_micro(p["oldest"]) if p.get("oldest") else 0
        high = ts_to_micro(p["latest"]) if p.get("latest") else 1 << 62
        return low, high, inclusive, inclusive

    def replies(self, p: dict[str, Any]) -> dict[str, Any]:
        """The parent first on every page, then its replies oldest first."""
        channel = self.member_channel(p)
        found = self.state.channel_messages[channel.id]
        message = next((m for m in found if m.ts == p.get("ts")), None)
        if message is None:
            raise SlackError("thread_not_found")
        if message.is_reply:  # a reply's ts gives its whole thread
            message = next((m for m in found if m.ts == message.thread_ts), message)
        low, high, low_in, high_in = self.bounds(p)
        cursor = _decode_cursor(p.get("cursor"))
        if cursor is not None:
            low, low_in = cursor[1], False
        replies = [r for r in message.replies if not r.deleted]
        window = [r for r in replies if _within(ts_to_micro(r.ts), low, high, low_in, high_in)]
        limit = max(self.page_limit("conversations.replies", _limit(p, 1000)) - 1, 1)
        page = window[:limit]
        shown = self.state.reaction_users_shown
        data: dict[str, Any] = {
            "messages": [m.to_api(reaction_users=shown) for m in [message, *page]],
            "has_more": len(window) > limit,
        }
        if len(window) > limit:
            data["response_metadata"] = {"next_cursor": _cursor(True, ts_to_micro(page[-1].ts))}
        return data

    def members(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"members": sorted(self.readable(p).members), "response_metadata": {}}

    def channel_list(self, p: dict[str, Any]) -> dict[str, Any]:
        seen = [c for c in self.state.channels.values() if not c.is_private or c.bot_member]
        return {"channels": [c.to_api() for c in seen], "response_metadata": {}}

    def join(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self.readable(p)
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        channel.bot_member = True
        channel.members.add(self.state.bot.id)
        self.state.bump()
        return {"channel": channel.to_api()}

    def user_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "members": [u.to_api() for u in self.state.users.values()],
            "cache_ts": self.state.ts.now_seconds(),
            "response_metadata": {},
        }

    def views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        trigger_id = p.get("trigger_id")
        if trigger_id not in self.state.trigger_ids:
            raise SlackError("invalid_trigger_id" if trigger_id else "invalid_arguments")
        self.state.trigger_ids.discard(trigger_id)  # a trigger_id works once
        view = json_arg(p.get("view"))
        if not isinstance(view, dict) or view.get("type") != "modal":
            raise SlackError("invalid_arguments")
        title = (view.get("title") or {}).get("text", "")
        if not title or len(title) > 24 or len(view.get("blocks") or []) > 100:
            raise SlackError("invalid_arguments")
        record = FakeView(self.state.ids.next("V"), trigger_id, view, None)
        self.state.views.append(record)
        self.state.bump()
        data = {
            "id": record.id,
            "team_id": self.state.team_id,
            "app_id": self.state.api_app_id,
            "bot_id": self.state.bot.bot_id,
            "state": {"values": {}},
            "hash": f"{self.state.ts.now_seconds()}.fake",
            "root_view_id": record.id,
            "previous_view_id": None,
            **view,
        }
        return {"view": data}


def _within(t: int, low: int, high: int, low_in: bool, high_in: bool) -> bool:
    return (low < t or (low_in and t == low)) and (t < high or (high_in and t == high))


def _limit(p: dict[str, Any], default: int) -> int:
    try:
        limit = int(p.get("limit") or default)
    except ValueError:
        raise SlackError("invalid_limit") from None
    return min(max(limit, 1), 999 if default <= 999 else default)


def _cursor(forward: bool, micro: int) -> str:
    kind = "next_oldest" if forward else "next_ts"
    return base64.b64encode(f"{kind}:{micro}".encode()).decode()


def _decode_cursor(cursor: Any) -> tuple[bool, int] | None:
    if not cursor:
        return None
    try:
        kind, _, micro = base64.b64decode(str(cursor)).decode().partition(":")
        return kind == "next_oldest", int(micro)
    except (ValueError, UnicodeDecodeError):
        raise SlackError("invalid_cursor") from None
