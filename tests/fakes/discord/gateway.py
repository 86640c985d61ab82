"""The gateway: HELLO (10), IDENTIFY (2) -> READY + GUILD_CREATE, HEARTBEAT (1) / ACK (11),
RESUME (6) -> the missed events then RESUMED for a session the fake dropped (``disconnect_bot``),
INVALID_SESSION (9, ``d: false``) on demand (``invalidate``) or for one the client closed
itself (it then identifies afresh; note discord.py
sleeps 5 s before a non-initial IDENTIFY),
REQUEST_GUILD_MEMBERS (8) -> GUILD_MEMBERS_CHUNK, and dispatches (op 0) with sequence numbers,
filtered by the session's intents (without MESSAGE_CONTENT, content is blanked like Discord does).

Transport compression: ``compress=zlib-stream`` in the URL is honoured (one zlib stream per
connection, each message ending in a Z_SYNC_FLUSH); anything else gets text frames, which
discord.py parses without decompressing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .state import FakeState

GUILDS, GUILD_MEMBERS, GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS = 1 << 0, 1 << 1, 1 << 9, 1 << 10
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | (1 << 8) | MESSAGE_CONTENT

_EVENT_INTENT = {
    "CHANNEL_CREATE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "THREAD_UPDATE": GUILDS,
    "GUILD_ROLE_CREATE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_ALL": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_EMOJI": GUILD_MESSAGE_REACTIONS,
}


class Session:
    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self.session_id = uuid.uuid4().hex
        self.seq = 0
        self.intents = 0
        self.shard: tuple[int, int] | None = None  # (shard id, shard count) when sharded
        self.identified = False  # receives dispatches (queued after READY + GUILD_CREATE)
        self.ready = False  # READY + GUILD_CREATE have been written to the socket
        self.resumable = False  # set when the fake drops it: events then wait in the backlog
        self.backlog: list[dict[str, Any]] = []
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._compress: Callable[[bytes], bytes] | None = None
        if compress == "zlib-stream":
            zctx = zlib.compressobj()
            self._compress = lambda raw: zctx.compress(raw) + zctx.flush(zlib.Z_SYNC_FLUSH)
        self.writer = asyncio.create_task(self._write())

    def send_op(self, op: int, d: Any = None) -> None:
        self.queue.put_nowait({"op": op, "d": d, "s": None, "t": None})

    def send_dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        frame = {"op": 0, "d": data, "s": self.seq, "t": event}
        if self.resumable:
            self.backlog.append(frame)
        else:
            self.queue.put_nowait(frame)

    async def _write(self) -> None:
        while True:
            frame = await self.queue.get()
            try:
                if not self.ws.closed:
                    raw = json.dumps(frame)
                    if self._compress is not None:
                        await self.ws.send_bytes(self._compress(raw.encode()))
                    else:
                        await self.ws.send_str(raw)
            except (ConnectionError, RuntimeError):
                pass
            finally:
                self.queue.task_done()


class GatewayHub:
    def __init__(self, state: FakeState, token: str | None, allowed_intents: int) -> None:
        self.state = state
        self.token = token
        self.allowed_intents = allowed_intents
        self.sessions: list[Session] = []
        self.detached: dict[str, Session] = {}  # dropped by the fake, resumable
        self.url = ""
        self.identifies = 0  # READY payloads sent: one per fresh IDENTIFY, none for a RESUME
        self.open = asyncio.Event()
        self.open.set()

    @property
    def connected(self) -> bool:
        return any(s.ready for s in self.sessions)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        await self.open.wait()  # a bot kept offline waits here for HELLO, like a stalled gateway
        session = Session(ws, request.query.get("compress"))
        self.sessions.append(session)
        session.send_op(10, {"heartbeat_interval": 41250})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                await self._receive(session, payload.get("op"), payload.get("d"))
        finally:
            self.sessions.remove(session)
            session.writer.cancel()
            if session.resumable and session.identified:
                self.detached[session.session_id] = session
            self.state.bump()
        return ws

    async def _receive(self, session: Session, op: int | None, d: Any) -> None:
        if op == 1:
            session.send_op(11)
        elif op == 2:
            await self._identify(session, d)
        elif op == 6:
            await self._resume(session, d)
        elif op == 8:
            self._member_chunk(session, d)

    async def _identify(self, session: Session, d: dict[str, Any]) -> None:
        if self.token is not None and d.get("token") != self.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        session.intents = int(d.get("intents", 0))
        if session.intents & PRIVILEGED & ~self.allowed_intents:
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        state, payloads = self.state, self.state.payloads
        if isinstance(d.get("shard"), list) and len(d["shard"]) == 2:
            session.shard = (int(d["shard"][0]), int(d["shard"][1]))
        guilds = [g for g in state.guilds.values() if _owns(session, g.id)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": payloads.me(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(state.application_id), "flags": state.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "user_settings": {},
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
        session.send_dispatch("READY", ready)
        for guild in guilds:
            session.send_dispatch("GUILD_CREATE", payloads.guild_create(guild))
        session.identified = True
        self.identifies += 1
        await session.queue.join()
        session.ready = True
        state.bump()

    async def _resume(self, session: Session, d: dict[str, Any]) -> None:
        old = self.detached.pop(str(d.get("session_id")), None)
        if old is None or (self.token is not None and d.get("token") != self.token):
            session.send_op(9, False)
            return
        session.session_id, session.intents, session.seq = old.session_id, old.intents, old.seq
        for frame in old.backlog:
            if frame["s"] > int(d.get("seq") or 0):
                session.queue.put_nowait(frame)
                self.state.dispatched.append((frame["t"], frame["d"]))
        session.send_dispatch("RESUMED", {})
        session.identified = True
        await session.queue.join()
        session.ready = True
        self.state.bump()

    def _member_chunk(self, session: Session, d: dict[str, Any]) -> None:
        guild = self.state.guilds.get(int(d["guild_id"]))
        if guild is None:
            return
        query = (d.get("query") or "").lower()
        user_ids = {int(u) for u in d.get("user_ids") or []}
        members = [
            m
            for m in guild.members.values()
            if (m.id in user_ids if user_ids else m.name.lower().startswith(query))
        ]
        limit = int(d.get("limit") or 0)
        chunk = {
            "guild_id": str(guild.id),
            "members": [self.state.payloads.member(m) for m in members[: limit or None]],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        session.send_dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        sent = False
        for session in [*self.sessions, *self.detached.values()]:
            if not session.identified:
                continue
            needed = _EVENT_INTENT.get(event)
            if needed is not None and not session.intents & needed:
                continue
            guild_id = data.get("guild_id") or (data.get("id") if event == "GUILD_CREATE" else None)
            if guild_id is not None and not _owns(session, int(guild_id)):
                continue  # another shard's server
            session.send_dispatch(event, self._for_session(session, event, data))
            sent = sent or not session.resumable
        if sent:
            self.state.dispatched.append((event, data))

    def _for_session(self, session: Session, event: str, data: dict[str, Any]) -> dict[str, Any]:
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or session.intents & MESSAGE_CONTENT:
            return data
        me = str(self.state.bot_user.id)
        if data["author"]["id"] == me or any(u["id"] == me for u in data.get("mentions", [])):
            return data
        return data | {"content": "", "embeds": [], "attachments": [], "components": []}

    async def flush(self) -> None:
        for session in list(self.sessions):
            await session.queue.join()

    async def invalidate(self) -> None:
        """Send INVALID_SESSION (op 9, ``d: false``) to every session, as Discord does when a
        session cannot go on: no more events reach it, the client closes and identifies
        afresh, and whatever happened meanwhile is never delivered to it."""
        for session in list(self.sessions):
            session.identified = False
            session.send_op(9, False)
            await session.queue.join()
        self.state.bump()

    async def disconnect(self, code: int = 4000, *, resumable: bool = False) -> None:
        for session in list(self.sessions):
            session.resumable = resumable
            with contextlib.suppress(ConnectionError, RuntimeError):
                await session.ws.close(code=code, message=b"fake: disconnected")


def _owns(session: Session, guild_id: int) -> bool:
    """Discord's rule: a server's events go to shard ``(guild_id >> 22) % shard_count``."""
    if session.shard is None:
        return True
    shard_id, count = session.shard
    return (guild_id >> 22) % count == shard_id
