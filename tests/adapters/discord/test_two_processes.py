"""Two real `ideabot run --shard-count 2 --shard-ids N` processes, two shards of one bot,
on one PostgreSQL database against the fake Discord: one server on each shard, both
servers on one board. Ideas posted to both servers at once are numbered without gaps or
repeats, votes are exact, each digest channel gets one digest per period; after
`kill -9` of a process that posted digests, the other posts the next one, in both
servers, once, and the killed shard started again posts neither twice.

There is no schedule holder to elect: every process claims each (channel, period) in the
store before posting. The next period is brought on by a moderator moving the slot (the
claim's five-minute lease is not configurable, and the test never waits on the clock)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_app
from bot.channels import Channels
from bot.domain import Actor, Person, Where
from bot.linking import Linking
from bot.settings import Settings
from tests.adapters.digests import each_part_once
from tests.adapters.discord.running import VOTE, Idea, post_idea_as, run_env, shown
from tests.adapters.discord.test_digests import parts
from tests.adapters.process import RUN, BotProcess, await_votes
from tests.conftest import FakeClock
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeGuild
from tests.fakes.embedder import TestEmbedder

# Logged at INFO by each process once a digest part set went out (bot.scheduler).
POSTED = re.compile(r"digest (.+) for board \S+ posted in .*channel_id='(\d+)'")

# Different enough that the real model files each as an idea of its own.
IDEAS = (
    (
        "Offline maps for whole regions",
        "Export my hikes as GPX files",
        "A dark theme for the night",
        "Split the bill between friends",
        "Remind me to water the plants",
        "Translate the menu into Japanese",
    ),
    (
        "Live scores for the cricket league",
        "Let teachers grade essays faster",
        "A recipe planner for the whole week",
        "Track my cat's vet appointments",
        "Karaoke mode with lyrics on screen",
        "Book a parking space at the office",
    ),
)


def owner_of(guild: FakeGuild) -> Actor:
    return Actor(
        person=Person(platform="discord", user_id=str(guild.owner.id), name="owner"),
        is_moderator=True,
    )


def where(guild: FakeGuild, channel: FakeChannel | None = None) -> Where:
    return Where(
        platform="discord",
        workspace_id=str(guild.id),
        channel_id=None if channel is None else str(channel.id),
    )


async def one_board(
    db: str,
    guilds: Sequence[FakeGuild],
    ideas: Sequence[FakeChannel],
    digest: Sequence[FakeChannel],
) -> str:
    """Both servers on one board, with an idea and a digest channel each, set up as their
    moderators would have two weeks ago; the digest due at 00:00 UTC two days ago, so it is
    due when the processes start. The board's name."""
    clock = FakeClock(datetime.now(UTC) - timedelta(days=14))
    app = await build_app(Settings(db=db), embedder=TestEmbedder(), clock=clock)
    try:
        first, second = guilds
        code = await Linking(app.core).make_code(where(first), owner_of(first))
        await Linking(app.core).join(where(second), owner_of(second), code.code)
        channels = Channels(app.core)
        for guild, idea_channel, digest_channel in zip(guilds, ideas, digest, strict=True):
            await channels.set_channel(where(guild, idea_channel), owner_of(guild), "ideas", True)
            await channels.set_channel(
                where(guild, digest_channel), owner_of(guild), "digest", True
            )
        slot = datetime.now(UTC) - timedelta(days=2)
        await app.moderation.configure_many(
            where(first),
            owner_of(first),
            {"timezone": "UTC", "digest_weekday": weekday(slot), "digest_time": "00:00"},
        )
        return code.board.name
    finally:
        await app.close()


def weekday(at: datetime) -> str:
    return at.strftime("%A").lower()


def ready_shards(fake: FakeDiscord) -> set[int]:
    """The shards with a READY gateway session on the fake."""
    return {s.shard[0] for s in fake.gateway.sessions if s.ready and s.shard is not None}


async def start_shard(fake: FakeDiscord, db: str, cwd: Path, shard: int) -> BotProcess:
    """`ideabot run --shard-count 2 --shard-ids SHARD` on ``db``, once its shard is READY."""
    await fake.wait_for(
        lambda: shard not in ready_shards(fake), 120, f"shard {shard}'s last session to close"
    )
    command = [*RUN, "--shard-count", "2", "--shard-ids", str(shard)]
    bot = await BotProcess(run_env(fake, Path(db)) | {"IDEABOT_DB": db}, cwd, command).start()
    try:
        await fake.wait_for(
            lambda: shard in ready_shards(fake) or not bot.running, 120, f"shard {shard}"
        )
    except TimeoutError as exc:
        raise AssertionError(f"shard {shard} did not connect:\n{bot.tail()}") from exc
    assert bot.running, f"ideabot run (shard {shard}) stopped:\n{bot.tail()}"
    return bot


def digests(fake: FakeDiscord, channel: FakeChannel) -> dict[str, list[tuple[str, int, int]]]:
    """A channel's digest messages by digest key (one key per board and period)."""
    found: dict[str, list[tuple[str, int, int]]] = {}
    for part in parts(fake, channel):
        found.setdefault(part[0], []).append(part)
    return found


async def await_logged(
    fake: FakeDiscord, bots: Sequence[BotProcess], done: Callable[[], bool], what: str
) -> None:
    """Wait until ``done()`` (the processes' logs, the fake's state); on timeout fail with
    what each process logged last."""
    try:
        await fake.wait_for(done, 120, what)
    except TimeoutError as exc:
        tails = "".join(f"\n--- process {n} ---\n{b.tail(400)}" for n, b in enumerate(bots))
        raise AssertionError(f"{exc}{tails}") from exc


def posted_by(bot: BotProcess) -> set[str]:
    """The digest channels this process logged a post in."""
    return {m[2] for m in bot.matches(POSTED)}


async def test_two_shard_processes_share_one_board_and_its_digest(
    fake: FakeDiscord, postgres_url: str, tmp_path: Path
) -> None:
    guilds = [fake.add_guild(f"Server {n}", shard=(n, 2)) for n in range(2)]
    ideas = [guild.add_channel("ideas") for guild in guilds]
    digest = [guild.add_channel("digest") for guild in guilds]
    authors = [guild.add_member("author") for guild in guilds]
    voters = [[guild.add_member(f"voter{i:02}") for i in range(12)] for guild in guilds]
    board = await one_board(postgres_url, guilds, ideas, digest)

    # Started side by side: both look for the due digest as they connect.
    bots = list(
        await asyncio.gather(*(start_shard(fake, postgres_url, tmp_path, n) for n in range(2)))
    )
    try:
        # Ideas posted to both servers at once, each through its own shard's process.
        posted: list[Idea] = list(
            await asyncio.gather(
                *(
                    post_idea_as(fake, authors[n], ideas[n], text)
                    for n in range(2)
                    for text in IDEAS[n]
                )
            )
        )
        count = sum(len(texts) for texts in IDEAS)
        assert sorted(i.number for i in posted) == list(range(1, count + 1)), [
            (i.number, i.message.content) for i in posted
        ]
        # Votes in both servers at once; some people vote on several ideas.
        await asyncio.gather(
            *(
                fake.react_many(idea.message, voters[n][: 3 + k], VOTE)
                for n in range(2)
                for k, idea in enumerate(i for i in posted if i.message.guild is guilds[n])
            )
        )
        await await_votes(postgres_url, lambda: shown(*posted), bot=bots[0], board=board)
        assert all(b.running for b in bots), [b.tail() for b in bots]

        # The digest due two days ago: in each channel once, whichever process took it.
        everywhere = {str(c.id) for c in digest}
        await await_logged(
            fake,
            bots,
            lambda: everywhere <= posted_by(bots[0]) | posted_by(bots[1]),
            "the first digest",
        )
        for channel in digest:
            [first] = digests(fake, channel).values()
            each_part_once(first)

        # kill -9 of a process that posted a digest; the other takes the schedule on.
        victim = next(b for b in bots if posted_by(b))
        survivor = bots[1 - bots.index(victim)]
        shard = bots.index(survivor)
        await victim.kill()
        # The next period falls due: a moderator moves the slot to 00:00 UTC today, in the
        # surviving shard's server (a later day than the last slot, so a newer period).
        today = datetime.now(UTC)
        moved = await fake.slash(
            guilds[shard],
            ideas[shard],
            guilds[shard].owner,
            "ideabot",
            ["config", "digest"],
            {"weekday": weekday(today), "time": "00:00"},
        )
        await moved.responded()
        before = len(survivor.matches(POSTED))
        await await_logged(
            fake, [survivor], lambda: len(survivor.matches(POSTED)) >= before + 2, "the next digest"
        )
        for channel in digest:
            assert len(digests(fake, channel)) == 2
            for found in digests(fake, channel).values():
                each_part_once(found)
        assert {m[2] for m in survivor.matches(POSTED)[before:]} == everywhere

        # The killed shard starts again: asked in either server, each process finds both
        # channels have the digest; nothing is posted twice.
        bots[1 - shard] = await start_shard(fake, postgres_url, tmp_path, 1 - shard)
        for n in range(2):
            again = await fake.slash(
                guilds[n], ideas[n], guilds[n].owner, "ideabot", ["digest", "now"]
            )
            await again.responded()
            [said] = await again.followups(1)
            assert said.content.count("already posted") == 2, said.content
        for channel in digest:
            assert len(digests(fake, channel)) == 2
            for found in digests(fake, channel).values():
                each_part_once(found)
        assert all(b.running for b in bots), [b.tail() for b in bots]
    finally:
        for bot in bots:
            await bot.stop()
    # Two processes on one database are no excuse for a handler or a pass that failed.
    for bot in [*bots, victim]:
        assert not [line for line in bot.lines if " ERROR " in line], bot.tail(400)
