"""What every handler of the web board reaches: the core's services, the templates, and
the board a request may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from aiohttp import web

from bot.app import App
from bot.boards import Board
from bot.render import STATUS_LABEL


@dataclass
class Web:
    app: App
    templates: jinja2.Environment


WEB = web.AppKey("ideabot_web", Web)


def templates() -> jinja2.Environment:
    """The page templates; every value is HTML-escaped unless a template says otherwise."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("adapters.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["status"] = lambda s: STATUS_LABEL.get(s, s)
    env.filters["day"] = lambda d: f"{d:%d %b %Y}" if d is not None else ""
    env.filters["iso"] = lambda d: d.isoformat() if d is not None else ""
    return env


@dataclass(frozen=True)
class Reader:
    """The board a request reads, and the key its links must carry (private boards)."""

    board: Board
    key: str | None

    def url(self, path: str, **params: Any) -> str:
        """``path`` on this board, with ``params`` (None and "" left out) and the key."""
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if self.key:
            query["key"] = self.key
        return path + ("?" + urlencode(query) if query else "")

    @property
    def base(self) -> str:
        return "/b/" + quote(self.board.name)


async def reader(request: web.Request) -> Reader:
    """The board named in the path, if this request may read it; NotShown (404) else."""
    web_ = request.app[WEB]
    key = request.query.get("key") or None
    board, public = await web_.app.pages.visible_board(request.match_info["board"], key)
    return Reader(board=board, key=None if public else key)


def render(request: web.Request, template: str, **values: Any) -> bytes:
    return request.app[WEB].templates.get_template(template).render(**values).encode()


def web_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address (never ``javascript:`` and the like)."""
    return url if url is not None and url.startswith(("https://", "http://")) else None
