"""Running an import: choose the board, plan, and write it (or only show it, for a dry run)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from bot.boards import Board, BoardSettings
from bot.core import Core, workspace_board_name
from bot.importing.apply import Written, write_plan
from bot.importing.duplicates import batch_key
from bot.importing.errors import ImportFileError
from bot.importing.model import ParsedExport
from bot.importing.plan import Plan, ProgressFn, Target, make_plan
from bot.queries import Queries

TOP = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class RankedIdea:
    number: int | None  # None in a dry run: numbers are given when written
    title: str
    votes: int


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    board: str
    created_board: bool
    dry_run: bool
    channels: tuple[str, ...]
    ideas: int
    merged: int
    suggested: int
    votes: int
    anonymous_votes: int
    retired_anonymous: int
    skipped: Counter[str] = field(default_factory=Counter)
    problems: tuple[str, ...] = ()
    merges: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    top: tuple[RankedIdea, ...] = ()


async def import_export(
    core: Core,
    export: ParsedExport,
    *,
    board_name: str | None = None,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import the parsed export into its workspace's board (or ``board_name``)."""
    board, target, attach = await _target(core, export, board_name)
    if dry_run:
        plan = await make_plan(core, export, target, board, progress)
        return _report(plan, None, await _titles(core, board, plan))
    # A board the import creates has no id yet: its lock is a placeholder's.
    lock_board = board or Board(id=-1, name=target.name, settings=target.settings)
    async with core.lock(lock_board):
        plan = await make_plan(core, export, target, board, progress)
        if board is not None and not attach and not (plan.ideas or plan.votes or plan.anonymous):
            # Nothing new (a re-import): leave the database exactly as it was.
            return _report(plan, None, {}, dry_run=False)
        async with core.store.transaction() as tx:
            written = await write_plan(
                tx,
                plan,
                board_name=target.name,
                attach=attach,
                now=core.now(),
                progress=progress,
            )
        if board is not None:
            index = await core.index(board)
            for position, idea in enumerate(plan.ideas):
                if idea.verdict.decision != "merge":
                    index.add(written.idea_ids[position], plan.vectors[position])
            await core.index_followed(board)
    stored = await core.refresh_board(written.board_id)
    top = await Queries(core).top(stored, TOP)
    report = _report(plan, written, await _titles(core, board, plan, written))
    ranked = tuple(RankedIdea(number=i.number, title=i.title, votes=i.votes) for i in top)
    return replace(report, top=ranked, board=stored.name)


async def _target(
    core: Core, export: ParsedExport, board_name: str | None
) -> tuple[Board | None, Target, bool]:
    """(the existing board or None, the target, whether to attach the workspace to it)."""
    own = None
    if export.workspace_id is not None:
        row = await core.store.boards.of_workspace(export.platform, export.workspace_id)
        own = None if row is None else await core.board_by_id(row.id)
    if board_name is not None:
        board = await core.board_named(board_name)
        if own is not None and own.id != board.id:
            raise ImportFileError(
                f"This {export.kind} is of workspace {export.workspace_id}, whose board is"
                f" {own.name!r}: import it there (--board {own.name}) or leave --board out."
            )
        attach = own is None and export.workspace_id is not None
        return board, Target(id=board.id, name=board.name, settings=board.settings), attach
    if export.workspace_id is None:
        raise ImportFileError(
            f"This {export.kind} is of direct messages, which belong to no server:"
            " choose the board with --board NAME."
        )
    if own is not None:
        return own, Target(id=own.id, name=own.name, settings=own.settings), False
    # The board the live bot would create for this workspace on first use.
    name = workspace_board_name(export.platform, export.workspace_id, export.workspace_name)
    return None, Target(id=None, name=name, settings=BoardSettings()), False


async def _titles(
    core: Core, board: Board | None, plan: Plan, written: Written | None = None
) -> dict[int, str]:
    """Display names of every idea the plan's verdicts point at, by verdict key."""
    names: dict[int, str] = {}
    for position, idea in enumerate(plan.ideas):
        number = f"#{written.numbers[position]} " if written else ""
        names[batch_key(position)] = f"{number}{idea.title!r}"
    wanted = {k for idea in plan.ideas for k, _ in idea.verdict.targets if k >= 0}
    if board is not None and wanted:
        rows = await core.store.ideas.by_ids(board.id, sorted(wanted))
        names.update({i: f"#{r.number} {r.title!r}" for i, r in rows.items()})
    return names


def _report(
    plan: Plan, written: Written | None, names: dict[int, str], *, dry_run: bool = True
) -> ImportReport:
    merges: list[str] = []
    suggestions: list[str] = []
    for position, idea in enumerate(plan.ideas):
        me = names[batch_key(position)]
        verdict = idea.verdict
        if verdict.decision == "merge":
            key, score = verdict.targets[0]
            merges.append(f"{me} merged into {names.get(key, key)} (similarity {score:.2f})")
        elif verdict.decision == "suggest":
            options = ", ".join(f"{names.get(k, k)} ({s:.2f})" for k, s in verdict.targets)
            suggestions.append(f"{me} may be the same as {options}")
    return ImportReport(
        kind=plan.export.kind,
        board=written.board_name if written else plan.target.name,
        created_board=written.created_board if written else plan.target.id is None,
        dry_run=written is None and dry_run,
        channels=plan.export.channels,
        ideas=len(plan.ideas),
        merged=len(merges),
        suggested=len(suggestions),
        votes=written.votes if written else len(plan.votes),
        anonymous_votes=written.anonymous_votes if written else plan.anonymous_added,
        retired_anonymous=written.retired if written else plan.anonymous_ended,
        skipped=plan.skipped,
        problems=plan.export.problems,
        merges=tuple(merges),
        suggestions=tuple(suggestions),
        top=_planned_top(plan) if written is None and dry_run else (),
    )


def _planned_top(plan: Plan) -> tuple[RankedIdea, ...]:
    """The new ideas ranked by the votes the import brings them (a dry run's ranking)."""
    canonical: dict[int, int] = {}
    for position, idea in enumerate(plan.ideas):
        verdict = idea.verdict
        target = verdict.targets[0][0] if verdict.decision == "merge" else batch_key(position)
        canonical[batch_key(position)] = target
    positions = {idea.message.key: n for n, idea in enumerate(plan.ideas)}
    voters: dict[int, set[str]] = {}
    anonymous: dict[int, int] = {}
    for vote in plan.votes:
        if vote.key in positions:
            group = canonical[batch_key(positions[vote.key])]
            voters.setdefault(group, set()).add(vote.user_id)
    for count in plan.anonymous:
        if count.key in positions:
            group = canonical[batch_key(positions[count.key])]
            anonymous[group] = anonymous.get(group, 0) + count.count
    ranked = sorted(
        (
            (len(voters.get(batch_key(n), ())) + anonymous.get(batch_key(n), 0), n)
            for n, idea in enumerate(plan.ideas)
            if idea.verdict.decision != "merge"
        ),
        key=lambda item: (-item[0], item[1]),
    )
    return tuple(
        RankedIdea(number=None, title=plan.ideas[n].title, votes=votes) for votes, n in ranked[:TOP]
    )
