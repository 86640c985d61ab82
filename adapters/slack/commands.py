"""Slack slash commands, the "Save as idea" shortcut and the duplicate buttons."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from adapters import digest_text
from adapters.slack import render
from adapters.slack.digests import channel_name
from adapters.slack.handlers import PLATFORM, SlackHandlers
from adapters.slack.parse import Parsed, parse_ideabot, parse_ideas
from bot.chat import MessageRef
from bot.domain import (
    Actor,
    AnswerSuggestion,
    DeleteIdea,
    IdeaDraft,
    MergeIdeas,
    SetStatus,
    UnmergeIdea,
    Where,
)
from bot.errors import IdeabotError
from bot.pairs import threshold_lines
from bot.results import Merged, PossibleDuplicate, StatusChanged
from bot.web_access import WEB_SETTINGS

_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")


class ButtonRefused(IdeabotError):
    """A button press that is refused; said privately to the presser."""


class SlackCommands:
    """What each command, shortcut and button does; the handlers carry the shared parts."""

    def __init__(self, handlers: SlackHandlers) -> None:
        self.handlers = handlers

    async def idea_command(self, command: dict[str, Any]) -> str:
        """/idea text: posts the idea in the channel; what to tell the user privately."""
        where = Where(
            platform=PLATFORM,
            workspace_id=str(command.get("team_id")),
            channel_id=str(command.get("channel_id")),
        )
        text = await self.handlers.plain(str(command.get("text") or ""))
        person = await self.handlers.person(str(command.get("user_id")))
        try:
            result = await self.handlers.app.ideas.submit(
                IdeaDraft(
                    where=where,
                    author=person,
                    text=text,
                    created_at=datetime.now(UTC),
                    source="command",
                )
            )
        except IdeabotError as exc:
            return exc.message
        idea = result.idea
        title = render.escape(render.clip(idea.title, 200))
        body = f"*#{idea.number}* {title} · by {render.escape(person.name)}"
        posted = await self.handlers.safely(
            self.handlers.client.chat_postMessage(
                channel=str(command.get("channel_id")), text=body, blocks=[render.section(body)]
            )
        )
        if posted:
            ref = MessageRef(where=where, message_id=str(posted["ts"]))
            await self.handlers.flow.posted(self.handlers.port, ref, idea.number)
        if isinstance(result, Merged):
            return render.merged(result)[0]
        if isinstance(result, PossibleDuplicate):
            return (
                "Saved. It may be the same as "
                + ", ".join(f"#{c.idea.number}" for c in result.candidates)
                + "."
            )
        return f"Saved as idea #{idea.number}."

    async def save_shortcut(self, shortcut: dict[str, Any]) -> str:
        team = str((shortcut.get("team") or {}).get("id") or "")
        channel = str((shortcut.get("channel") or {}).get("id") or "")
        message = shortcut.get("message") or {}
        if message.get("bot_id") or not message.get("user"):
            return "Messages from bots can't be saved as ideas."
        where = Where(platform=PLATFORM, workspace_id=team, channel_id=channel)
        result = await self.handlers.capture(where, message, source="action")
        if result is None:
            return "That message could not be saved (see the reply in its thread)."
        return f"Saved as idea #{result.idea.number}."

    async def ideas_command(self, command: dict[str, Any]) -> str:
        where = Where(
            platform=PLATFORM,
            workspace_id=str(command.get("team_id")),
            channel_id=str(command.get("channel_id")),
        )
        try:
            parsed = parse_ideas(await self.handlers.plain(str(command.get("text") or "")))
            board = await self.handlers.app.core.board_for(where)
            if parsed.action == "top":
                ideas = await self.handlers.app.queries.top(board, parsed.numbers[0])
                return (
                    "\n".join(f"{i}. {render.idea_line(x)}" for i, x in enumerate(ideas, 1))
                    or "No open ideas yet."
                )
            if parsed.action == "search":
                hits = await self.handlers.app.queries.search(board, parsed.rest)
                return "\n".join(f"• {render.candidate_line(h)}" for h in hits) or "No ideas match."
            idea = await self.handlers.app.queries.show(board, parsed.numbers[0])
            return f"{render.idea_line(idea)}\n{render.escape(render.clip(idea.body, 2500))}"
        except IdeabotError as exc:
            return exc.message

    async def ideabot_command(self, command: dict[str, Any]) -> str:
        where = Where(
            platform=PLATFORM,
            workspace_id=str(command.get("team_id")),
            channel_id=str(command.get("channel_id")),
        )
        try:
            raw = str(command.get("text") or "")
            if [w.lower() for w in raw.split()[:2]] == ["config", "webhook"]:
                # Slack sends a typed URL as a link, <url> or <url|label>: the URL is wanted.
                raw = _LINK.sub(r"\1", raw)
            parsed = parse_ideabot(await self.handlers.plain(raw))
            actor = await self.handlers.actor(str(command.get("user_id")))
            return await self._moderate(where, actor, parsed)
        except IdeabotError as exc:
            # Refusals may quote what was typed (a zone like "<!channel>"): keep it inert.
            return render.escape(exc.message)

    async def _moderate(self, where: Where, actor: Actor, parsed: Parsed) -> str:
        moderation = self.handlers.app.moderation
        n = parsed.numbers
        if parsed.action == "merge":
            merged = await moderation.merge(
                MergeIdeas(where=where, actor=actor, number=n[0], into=n[1])
            )
            return (
                f"Merged #{n[0]} into #{merged.into.number}; it has {merged.into.votes} votes now."
            )
        if parsed.action == "unmerge":
            done = await moderation.unmerge(UnmergeIdea(where=where, actor=actor, number=n[0]))
            return f"#{n[0]} stands alone again with {done.idea.votes} votes."
        if parsed.action == "status":
            changed = await moderation.set_status(
                SetStatus(
                    where=where,
                    actor=actor,
                    number=n[0],
                    status=parsed.words[0],
                    note=parsed.rest or None,
                )
            )
            await self.close_the_loop(changed)
            return f"#{n[0]} is now {render.STATUS_LABEL[changed.new]}."
        if parsed.action == "delete":
            await moderation.delete(
                DeleteIdea(where=where, actor=actor, number=n[0], reason=parsed.rest or None)
            )
            return f"Deleted #{n[0]}."
        digests = self.handlers.app.digests
        board = await self.handlers.app.core.board_for(where)
        if parsed.action == "digest now":
            deliveries = await digests.post_now(where, actor)
            lines = digest_text.delivery_lines(
                deliveries, board.settings.zone, channel_name, render.escape
            )
            return "\n".join(lines)
        if parsed.action == "digest preview":
            blocks = render.digest_blocks(await digests.preview(where, actor))
            shown = [b["text"]["text"] for b in blocks[0] if b.get("type") == "section"]
            if len(blocks) > 1:
                shown.append(f"_… and {len(blocks) - 1} more message(s) of the digest._")
            return "\n".join(shown)
        if parsed.action == "link":
            made = await self.handlers.app.linking.make_code(where, actor)
            return (
                f"Link code for board `{render.escape(made.board.name)}`: *{made.code}*. A"
                f" moderator of the other community runs `/ideabot join {made.code}`"
                " within 15 minutes."
            )
        if parsed.action == "join":
            joined = await self.handlers.app.linking.join(
                where, actor, parsed.words[0], merge=parsed.words[1:] == ("merge",)
            )
            return render.escape(joined.message("workspace"))
        board = await self.handlers.app.moderation.moderator_board(where, actor)
        if parsed.action.startswith("config webhook"):
            # The reply is ephemeral: the moderator alone sees a new endpoint's secret.
            hooks = self.handlers.app.webhooks
            if parsed.action == "config webhook add":
                url, *events = parsed.words
                return render.escape(
                    await hooks.add(where, actor, url, events[0] if events else None)
                )
            if parsed.action == "config webhook remove":
                return render.escape(await hooks.remove(where, actor, parsed.words[0]))
            return render.escape(await hooks.listing(where, actor))
        if parsed.action == "config set" and parsed.words[0] in WEB_SETTINGS:
            # Who may read the board on the web; the reply (a new read link) is private.
            access = await self.handlers.app.web_access.configure(
                where, actor, parsed.words[0], parsed.rest
            )
            return render.escape(access.message())
        if parsed.action == "config set":
            updated = await moderation.configure(where, actor, parsed.words[0], parsed.rest)
            return f"`{parsed.words[0]}` is now `{updated.settings.to_json()[parsed.words[0]]}`."
        if parsed.action == "config channel":
            purpose, state = parsed.words
            await self.handlers.app.channels.set_channel(where, actor, purpose, state == "on")
            if purpose == "digest":
                digests.poke()
            now = "now" if state == "on" else "no longer"
            return f"<#{where.channel_id}> is {now} an {purpose} channel."
        if parsed.action == "config reset thresholds":
            reset = await moderation.reset_thresholds(where, actor)
            lines = ["Duplicate thresholds are back to the defaults; past decisions are set aside."]
            return "\n".join(lines + [render.escape(x) for x in threshold_lines(reset)])
        if parsed.action == "config digest":
            weekday, at_time, *zone = parsed.words
            changes = {"digest_weekday": weekday, "digest_time": at_time}
            if zone:
                changes["timezone"] = zone[0]
            board = await moderation.configure_many(where, actor, changes)
            digests.poke()  # the scheduler's nap may end sooner now
            return f"The digest is posted {digest_text.schedule(await digests.status(board))}."
        data = board.settings.to_json()
        status = digest_text.status_lines(await digests.status(board), channel_name, render.escape)
        _, current = await moderation.thresholds(where, actor)
        return "\n".join(
            [f"Board `{render.escape(board.name)}`"]
            + [f"`{k}`: `{render.escape(str(v))}`" for k, v in data.items() if k != "extra"]
            + [render.escape(line) for line in threshold_lines(current)]
            + [f"web board: {await self.handlers.app.pages.visibility(board)}"]
            + status
        )

    async def close_the_loop(self, changed: StatusChanged) -> None:
        """Tell the voters in the idea's thread: the only message that mentions anybody."""
        if not changed.announce:
            return
        source = next(((c, m) for p, c, m in changed.messages if p == PLATFORM), None)
        if source is None:
            return
        channel, ts = source
        for text in render.mention_chunks(render.status_announcement(changed), changed.notify):
            await self.handlers.safely(
                self.handlers.client.chat_postMessage(channel=channel, thread_ts=ts, text=text)
            )

    async def answer_button(self, body: dict[str, Any], action: dict[str, Any]) -> str:
        try:
            number, candidate, same = (int(x) for x in str(action.get("value")).split(":"))
        except ValueError:
            return "That button is not one of ideabot's."
        where = Where(
            platform=PLATFORM,
            workspace_id=str((body.get("team") or {}).get("id")),
            channel_id=str((body.get("channel") or {}).get("id")),
        )
        try:
            result = await self.handlers.app.moderation.answer_suggestion(
                AnswerSuggestion(
                    where=where,
                    actor=await self.handlers.actor(str((body.get("user") or {}).get("id"))),
                    number=number,
                    candidate=candidate,
                    same=bool(same),
                )
            )
        except IdeabotError as exc:
            raise ButtonRefused(exc.message) from None
        if isinstance(result, Merged):
            into = result.into
            return f"Merged: #{number} is the same idea as #{into.number} ({into.votes} votes)."
        return f"Kept #{number} as a separate idea."
