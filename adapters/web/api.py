"""The JSON API v1: ideas (views, status filter, search, cursor pages), one idea, the
roadmap, and the weekly digests, for boards the request may read."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.web import shapes
from adapters.web.context import WEB, Reader, reader
from adapters.web.openapi import openapi_document
from adapters.web.params import idea_number, list_params
from adapters.web.respond import finish, json_body

PREFIX = "/api/v1"


def _origin(request: web.Request) -> str:
    return str(request.url.origin())


async def _send(request: web.Request, seen: Reader, data: Any) -> web.Response:
    pages = request.app[WEB].app.pages
    return finish(
        request,
        json_body(data),
        "application/json",
        last_modified=await pages.last_change(seen.board),
        private=seen.key is not None,
    )


def _idea_url(request: web.Request, seen: Reader, number: int) -> str:
    return _origin(request) + seen.url(f"{seen.base}/ideas/{number}")


async def ideas(request: web.Request) -> web.Response:
    seen = await reader(request)
    pages = request.app[WEB].app.pages
    params = list_params(request)
    if params.q:
        found = await pages.search(
            seen.board, params.q, statuses=params.statuses, limit=params.limit
        )
        items, cursor = found, None
    else:
        page = await pages.ideas(
            seen.board,
            view_name=params.view,
            statuses=params.statuses,
            cursor=params.cursor,
            limit=params.limit,
        )
        items, cursor = page.ideas, page.next_cursor
    data = {
        "board": seen.board.name,
        "view": "search" if params.q else params.view,
        "ideas": [shapes.listed(i, _idea_url(request, seen, i.idea.number)) for i in items],
        "next_cursor": cursor,
    }
    return await _send(request, seen, data)


async def idea(request: web.Request) -> web.Response:
    seen = await reader(request)
    page = await request.app[WEB].app.pages.idea(seen.board, idea_number(request))
    data = shapes.idea_page(
        page,
        _idea_url(request, seen, page.idea.number),
        lambda n: _idea_url(request, seen, n),
    )
    return await _send(request, seen, {"board": seen.board.name, "idea": data})


async def roadmap(request: web.Request) -> web.Response:
    seen = await reader(request)
    lanes = await request.app[WEB].app.pages.roadmap(seen.board)
    data = {
        status: [shapes.listed(i, _idea_url(request, seen, i.idea.number)) for i in items]
        for status, items in lanes.items()
    }
    return await _send(request, seen, {"board": seen.board.name, "roadmap": data})


async def digests(request: web.Request) -> web.Response:
    seen = await reader(request)
    weeks = await request.app[WEB].app.pages.weeks(seen.board)
    base = _origin(request) + PREFIX + "/boards/" + seen.base.removeprefix("/b/")
    data = [
        {
            "week": w.label,
            "start": w.start.isoformat(),
            "end": w.end.isoformat(),
            "url": base + seen.url(f"/digests/{w.label}"),
        }
        for w in weeks
    ]
    return await _send(request, seen, {"board": seen.board.name, "digests": data})


async def digest(request: web.Request) -> web.Response:
    seen = await reader(request)
    built = await request.app[WEB].app.pages.digest(seen.board, request.match_info["week"])
    return await _send(request, seen, {"board": seen.board.name, "digest": shapes.digest(built)})


async def openapi(request: web.Request) -> web.Response:
    body = json_body(openapi_document())
    return finish(request, body, "application/json", last_modified=None, private=False)


def add_routes(router: web.UrlDispatcher) -> None:
    board = PREFIX + "/boards/{board}"
    router.add_get(PREFIX + "/openapi.json", openapi, name="api-openapi")
    router.add_get(board + "/ideas", ideas, name="api-ideas")
    router.add_get(board + r"/ideas/{number:\d{1,9}}", idea, name="api-idea")
    router.add_get(board + "/roadmap", roadmap, name="api-roadmap")
    router.add_get(board + "/digests", digests, name="api-digests")
    router.add_get(board + "/digests/{week}", digest, name="api-digest")
