"""The persistent "Same idea: merge" / "Different idea" buttons under a likely duplicate.

Their state lives in the custom id, so they keep working after a restart: discord.py
rebuilds the item from the id whenever somebody presses one.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.results import PossibleDuplicate

TEMPLATE = r"ideabot:dup:(?P<idea>\d+):(?P<candidate>\d+):(?P<same>[01])"


class SuggestionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(self, idea: int, candidate: int, same: bool) -> None:
        label = f"Same idea: merge into #{candidate}" if same else "Different idea"
        style = discord.ButtonStyle.primary if same else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"ideabot:dup:{idea}:{candidate}:{int(same)}"
            )
        )
        self.idea = idea
        self.candidate = candidate
        self.same = same

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: Any,
        /,
    ) -> SuggestionButton:
        return cls(int(match["idea"]), int(match["candidate"]), match["same"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:
        handlers = getattr(interaction.client, "handlers", None)
        if handlers is not None:
            await handlers.answer_suggestion(interaction, self.idea, self.candidate, self.same)


def suggestion_view(result: PossibleDuplicate) -> discord.ui.View:
    """Buttons for each candidate (merge) and one "Different idea"."""
    view = discord.ui.View(timeout=None)
    number = result.idea.number
    for candidate in result.candidates[:4]:
        view.add_item(SuggestionButton(number, candidate.idea.number, True))
    view.add_item(SuggestionButton(number, result.candidates[0].idea.number, False))
    return view
