"""The one place that builds everything: store, embedder, service, moderation, queries,
the digest scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.board_pages import BoardPages
from bot.channels import Channels
from bot.chat_webhooks import ChatWebhooks
from bot.clock import Clock, system_clock
from bot.core import Core
from bot.flow import ChatFlow
from bot.inbox import Inbox
from bot.linking import Linking
from bot.moderation import Moderation
from bot.outbox import OutboxWorker
from bot.queries import Queries
from bot.reconcile import Reconciler
from bot.scheduler import DigestScheduler
from bot.service import IdeaService
from bot.settings import Settings
from bot.web_access import WebAccess
from dedupe.embedder import Embedder, build_embedder
from storage.engines import open_store


@dataclass
class App:
    core: Core
    ideas: IdeaService
    moderation: Moderation
    queries: Queries
    digests: DigestScheduler
    channels: Channels
    linking: Linking
    reconciler: Reconciler
    flow: ChatFlow
    inbox: Inbox
    pages: BoardPages
    web_access: WebAccess
    outbox: OutboxWorker
    webhooks: ChatWebhooks

    async def close(self) -> None:
        await self.reconciler.close()
        await self.core.store.close()


def assemble(core: Core, *, web_url: str | None = None, webhook_allow_private: bool = False) -> App:
    """Every service over one core, each built once and handed to whoever needs it."""
    ideas = IdeaService(core)
    channels = Channels(core)
    reconciler = Reconciler(core)
    moderation = Moderation(core)
    queries = Queries(core)
    return App(
        core=core,
        ideas=ideas,
        moderation=moderation,
        queries=queries,
        digests=DigestScheduler(core),
        channels=channels,
        linking=Linking(core),
        reconciler=reconciler,
        flow=ChatFlow(core, ideas, channels, reconciler),
        inbox=Inbox(core),
        pages=BoardPages(core, queries),
        web_access=WebAccess(core, moderation, web_url),
        outbox=OutboxWorker(core),
        webhooks=ChatWebhooks(core, moderation, allow_private=webhook_allow_private),
    )


async def build_app(
    settings: Settings,
    *,
    db_path: Path | str | None = None,
    create: bool = True,
    live: bool = False,
    embedder: Embedder | None = None,
    clock: Clock = system_clock,
) -> App:
    """Everything wired together on the settings' database (or ``db_path``): a SQLite
    file path or a PostgreSQL URL; with ``create=False`` read-only, and with ``live``
    seeing other processes' commits."""
    store = await open_store(db_path or settings.db, create=create, live=live)
    if embedder is None:
        embedder = build_embedder(settings.model_path, batch_size=settings.embed_batch_size)
    core = Core(store, embedder, clock=clock, max_idea_length=settings.max_idea_length)
    return assemble(
        core, web_url=settings.web_url, webhook_allow_private=settings.webhook_allow_private
    )
