"""The web board's aiohttp application: routes, the rate limit, security headers, and
errors as one line of JSON (API) or a plain page (people); and serving it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files

from aiohttp import web

from adapters.web import api, feeds, pages
from adapters.web.context import WEB, Web, templates
from adapters.web.ratelimit import RateLimit
from adapters.web.respond import CSP, SECURITY_HEADERS, finish, json_error
from bot.app import App
from bot.board_pages import BadQuery, NotShown
from bot.digest import BadPeriod
from bot.errors import InvalidIdea, UnknownIdea

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RATE = web.AppKey("ideabot_rate", RateLimit)
TRUST_PROXY = web.AppKey("ideabot_trust_proxy", bool)
_CSS = files("adapters.web").joinpath("static/board.css").read_bytes()
_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _error(request: web.Request, status: int, message: str, **headers: str) -> web.Response:
    code = _CODES.get(status, "error")
    if _is_api(request):
        return json_error(status, code, message, **headers)
    title = {404: "Not found", 429: "Too many requests"}.get(status, "Bad request")
    if status >= 500:
        title = "Something went wrong"
    body = (
        request.app[WEB].templates.get_template("error.html").render(title=title, message=message)
    )
    return web.Response(
        status=status,
        text=body,
        content_type="text/html",
        headers={"Cache-Control": "no-store", **headers},
    )


def client_of(request: web.Request) -> str:
    """Who is asking, for the rate limit: the peer's address; behind a trusted reverse
    proxy, the address that proxy appended last to X-Forwarded-For (what a client sends
    there itself comes before it, so forging it gains nothing)."""
    if request.app[TRUST_PROXY]:
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last[:100]
    return request.remote or "unknown"


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Rate limit first, then the handler with every refusal turned into one answer."""
    wait = request.app[RATE].retry_after(client_of(request))
    if wait:
        return _error(
            request, 429, f"Too many requests: try again in {wait} s.", **{"Retry-After": str(wait)}
        )
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _error(request, 404, "There is nothing here.")
    except web.HTTPMethodNotAllowed as exc:
        return _error(
            request, 405, "This address only reads: use GET.", Allow=", ".join(exc.allowed_methods)
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error(request, exc.status, exc.reason)
    except NotShown:
        # A missing board and a private one get the same answer: nothing leaks.
        return _error(request, 404, "There is nothing here.")
    except UnknownIdea as exc:
        return _error(request, 404, exc.message)
    except (BadQuery, InvalidIdea, BadPeriod) as exc:
        return _error(request, 400, exc.message)


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except Exception:
        log.exception("web request %s failed", request.path)
        response = _error(request, 500, "The server could not answer; try again later.")
    response.headers.setdefault("Content-Security-Policy", CSP)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def stylesheet(request: web.Request) -> web.Response:
    return finish(request, _CSS, "text/css", last_modified=None, private=False)


def build_web_app(
    app: App,
    *,
    rate_per_minute: int = 120,
    rate: RateLimit | None = None,
    trust_proxy: bool = False,
) -> web.Application:
    """The web board over ``app``'s read services; it never writes."""
    web_app = web.Application(middlewares=[headers, guard])
    web_app[WEB] = Web(app=app, templates=templates())
    web_app[RATE] = rate or RateLimit(rate_per_minute)
    web_app[TRUST_PROXY] = trust_proxy
    web_app.router.add_get("/static/board.css", stylesheet, name="css")
    pages.add_routes(web_app.router)
    feeds.add_routes(web_app.router)
    api.add_routes(web_app.router)
    return web_app


async def start_web(
    app: App, host: str, port: int, *, rate_per_minute: int = 120, trust_proxy: bool = False
) -> tuple[web.AppRunner, str]:
    """The board listening on ``host``:``port`` (0: any free port), and its address."""
    built = build_web_app(app, rate_per_minute=rate_per_minute, trust_proxy=trust_proxy)
    runner = web.AppRunner(built, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    shown = f"[{host}]" if ":" in host else host
    return runner, f"http://{shown}:{bound}/"
