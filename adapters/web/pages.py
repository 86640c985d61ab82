"""The board's pages for people: the list of public boards, a board, an idea, the
roadmap, the digest archive and each week's digest (the existing HTML digest page)."""

from __future__ import annotations

import base64
import hashlib
import re

from aiohttp import web

from adapters.web.context import WEB, Reader, reader, render, web_link
from adapters.web.params import idea_number, list_params
from adapters.web.respond import CSP, finish
from bot.board_pages import ROADMAP_STATUSES, STATUSES, VIEWS, Listed
from bot.render_html import digest_html

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
VIEW_LABEL = {"top": "Top", "trending": "Trending", "new": "New"}


async def _page(request: web.Request, seen: Reader | None, body: bytes) -> web.Response:
    last = None
    if seen is not None:
        last = await request.app[WEB].app.pages.last_change(seen.board)
    return finish(
        request,
        body,
        "text/html",
        last_modified=last,
        private=seen is not None and seen.key is not None,
    )


async def index(request: web.Request) -> web.Response:
    boards = await request.app[WEB].app.pages.public_boards()
    return await _page(request, None, render(request, "index.html", boards=boards))


async def board(request: web.Request) -> web.Response:
    seen = await reader(request)
    pages = request.app[WEB].app.pages
    params = list_params(request)
    ideas: tuple[Listed, ...]
    next_url = None
    if params.q:
        ideas = await pages.search(
            seen.board, params.q, statuses=params.statuses, limit=params.limit
        )
    else:
        page = await pages.ideas(
            seen.board,
            view_name=params.view,
            statuses=params.statuses,
            cursor=params.cursor,
            limit=params.limit,
        )
        ideas = page.ideas
        if page.next_cursor:
            next_url = seen.url(
                seen.base,
                view=params.view,
                status=",".join(params.statuses),
                cursor=page.next_cursor,
            )
    status = params.statuses[0] if len(params.statuses) == 1 else ""
    body = render(
        request,
        "board.html",
        here="ideas",
        seen=seen,
        ideas=ideas,
        params=params,
        status=status,
        views=[(v, VIEW_LABEL[v]) for v in VIEWS],
        statuses=STATUSES,
        next_url=next_url,
        first_page=params.cursor is None,
    )
    return await _page(request, seen, body)


async def idea(request: web.Request) -> web.Response:
    seen = await reader(request)
    page = await request.app[WEB].app.pages.idea(seen.board, idea_number(request))
    body = render(
        request,
        "idea.html",
        here="idea",
        seen=seen,
        page=page,
        idea=page.idea,
        permalink=web_link(page.idea.permalink),
    )
    return await _page(request, seen, body)


async def roadmap(request: web.Request) -> web.Response:
    seen = await reader(request)
    lanes = await request.app[WEB].app.pages.roadmap(seen.board)
    body = render(
        request, "roadmap.html", here="roadmap", seen=seen, lanes=lanes, order=ROADMAP_STATUSES
    )
    return await _page(request, seen, body)


async def digests(request: web.Request) -> web.Response:
    seen = await reader(request)
    weeks = await request.app[WEB].app.pages.weeks(seen.board)
    body = render(request, "digests.html", here="digests", seen=seen, weeks=weeks)
    return await _page(request, seen, body)


async def digest(request: web.Request) -> web.Response:
    seen = await reader(request)
    pages = request.app[WEB].app.pages
    built = await pages.digest(seen.board, request.match_info["week"])
    html = digest_html(built)
    # The digest page carries its own stylesheet inline (it is also mailed and printed):
    # the policy allows that one stylesheet by its hash, and nothing else inline.
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in _STYLE.findall(html)
    )
    csp = CSP.replace("style-src 'self'", f"style-src 'self' {hashes}")
    return finish(
        request,
        html.encode(),
        "text/html",
        last_modified=await pages.last_change(seen.board),
        private=seen.key is not None,
        csp=csp,
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", index, name="index")
    router.add_get("/b/{board}", board, name="board")
    router.add_get(r"/b/{board}/ideas/{number:\d{1,9}}", idea, name="idea")
    router.add_get("/b/{board}/roadmap", roadmap, name="roadmap")
    router.add_get("/b/{board}/digests", digests, name="digests")
    router.add_get("/b/{board}/digests/{week}", digest, name="digest")
