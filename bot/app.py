"""The one place that builds everything: store, embedder, service, moderation, queries,
the digest scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.channels import Channels
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
    outbox: OutboxWorker

    async def close(self) -> None:
        await self.reconciler.close()
        await self.core.store.close()


def assemble(core: Core) -> App:
    """Every service over one core, each built once and handed to whoever needs it."""
    ideas = IdeaService(core)
    channels = Channels(core)
    reconciler = Reconciler(core)
    return App(
        core=core,
        ideas=ideas,
        moderation=Moderation(core),
        queries=Queries(core),
        digests=DigestScheduler(core),
        channels=channels,
        linking=Linking(core),
        reconciler=reconciler,
        flow=ChatFlow(core, ideas, channels, reconciler),
        inbox=Inbox(core),
        outbox=OutboxWorker(core),
    )


async def build_app(
    settings: Settings,
    *,
    db_path: Path | str | None = None,
    create: bool = True,
    embedder: Embedder | None = None,
    clock: Clock = system_clock,
) -> App:
    """Everything wired together on the settings' database (or ``db_path``): a SQLite
    file path or a PostgreSQL URL."""
    store = await open_store(db_path or settings.db, create=create)
    if embedder is None:
        embedder = build_embedder(settings.model_path, batch_size=settings.embed_batch_size)
    core = Core(store, embedder, clock=clock, max_idea_length=settings.max_idea_length)
    return assemble(core)
