"""The `ideabot` command line: demo, ideas, digest, export, eval-dedupe, serve."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.app import App, build_app
from bot.boards import Board
from bot.cli_admin import boards_group, channels_group
from bot.cli_curate import config_group, idea_group
from bot.cli_errors import (
    SafeGroup,
    board_option,
    db_option,
    fail,
    load_settings,
    pick_board,
    run_async,
    text_option,
)
from bot.cli_import import import_command
from bot.cli_model import model_command
from bot.cli_run import run_command
from bot.cli_serve import serve_command
from bot.cli_store import clear_demo_db, copy_db_command, migrate_command, safe_csv_row
from bot.cli_thresholds import thresholds_command
from bot.cli_webhooks import webhooks_group
from bot.digest import Digest, build_digest, parse_week
from bot.errors import IdeabotError
from bot.results import IdeaView, idea_json
from bot.schedule import Schedule
from bot.settings import Settings

T = TypeVar("T")


def _fail(message: str) -> None:
    fail(message)


def _settings() -> Settings:
    return load_settings()


def with_app(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Open the existing database, run the command with the App, close it."""

    @wraps(fn)
    def wrapper(db_path: Path | str | None, **kwargs: Any) -> T:
        settings = _settings()

        async def main() -> T:
            app = await build_app(settings, db_path=db_path, create=False)
            try:
                return await fn(app, **kwargs)
            finally:
                await app.close()

        return run_async(main())

    return wrapper


async def _pick_board(app: App, name: str | None) -> Board:
    return await pick_board(app.core, name)


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ideabot")
def main() -> None:
    """ideabot: a ranked, de-duplicated idea backlog from your community's chat."""


@main.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=Path("ideabot-demo.db"),
    show_default=True,
    help="SQLite file for the demo board; replaced on every run.",
)
@click.option(
    "--events",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Demo events file (default: examples/community.jsonl).",
)
def demo(db_path: Path, events: Path | None) -> None:
    """Replay a sample community through the real pipeline and print its weekly digest.

    Uses the real embedding model and a real SQLite file; needs no tokens and no network.

    \b
    Example:
      ideabot demo
      ideabot demo --db /tmp/demo.db && ideabot ideas --db /tmp/demo.db --top 5
    """
    from bot.demo import DEMO_EVENTS, DemoClock, load_events, run_demo

    settings = _settings()
    source = events or DEMO_EVENTS

    async def go() -> None:
        loaded = load_events(source)
        if not loaded:
            raise IdeabotError(f"{source} has no events")
        clear_demo_db(db_path)
        clock = DemoClock(loaded[0]["at"])
        app = await build_app(settings, db_path=db_path, clock=clock)
        try:
            summary, markdown = await run_demo(app, loaded, clock)
        finally:
            await app.close()
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(summary.outcomes.items()))
        click.echo(
            f"Replayed {summary.events} events from {source} into {db_path} ({outcomes}).",
            err=True,
        )
        asked = ", ".join(
            f"#{summary.numbers[key]} → " + " or ".join(f"#{summary.numbers[c]}" for c in offered)
            for key, offered in summary.questions
        )
        click.echo(f'Asked "same as #N?" {len(summary.questions)} times: {asked or "-"}', err=True)
        merged = ", ".join(
            f"#{summary.numbers[key]} → #{summary.numbers[into]}"
            for key, into in summary.auto_merges
        )
        click.echo(
            f"Merged on its own {len(summary.auto_merges)} times: {merged or '-'}\n", err=True
        )
        click.echo(markdown)

    run_async(go())


def _idea_json(idea: IdeaView) -> dict[str, Any]:
    return idea_json(idea)


@main.command()
@db_option
@board_option
@click.option(
    "--top",
    "top",
    type=click.IntRange(1, 10000),
    default=None,
    help="Only the N open ideas with the most votes, ranked.",
)
@click.option(
    "--search", default=None, callback=text_option, help="Ideas closest in meaning to this text."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@with_app
async def ideas(app: App, board: str | None, top: int | None, search: str | None, fmt: str) -> None:
    """List a board's ideas, ranked by votes or by similarity to a search.

    \b
    Example:
      ideabot ideas --top 10
      ideabot ideas --search "dark theme" --format json
    """
    chosen = await _pick_board(app, board)
    scores: dict[int, float] = {}
    if search is not None:
        hits = await app.queries.search(chosen, search, limit=top or 10)
        listed = [h.idea for h in hits]
        scores = {h.idea.number: h.score for h in hits}
    elif top is not None:
        listed = await app.queries.top(chosen, top)
    else:
        listed = await app.queries.all(chosen)
    if fmt == "json":
        rows = []
        for idea in listed:
            data = _idea_json(idea)
            if scores:
                data["score"] = round(scores[idea.number], 4)
            rows.append(data)
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not listed:
        click.echo("No ideas.")
        return
    click.echo(f"{'#':>5}  {'votes':>5}  {'status':<12}  title")
    for idea in listed:
        status = idea.status if idea.merged_into is None else f"→ #{idea.merged_into}"
        click.echo(f"{idea.number:>5}  {idea.votes:>5}  {status:<12}  {idea.title[:80]}")


@main.command()
@db_option
@board_option
@click.option(
    "--week",
    default=None,
    callback=text_option,
    help="ISO week like 2026-W46 (default: the period of the latest scheduled digest).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True
)
@with_app
async def digest(app: App, board: str | None, week: str | None, fmt: str) -> None:
    """Print a board's weekly digest: Markdown, JSON, or a self-contained HTML page.

    \b
    Example:
      ideabot digest --week 2026-W46
      ideabot digest --board trailmix --format json
      ideabot digest --format html > digest.html
    """
    from bot.render import digest_markdown
    from bot.render_html import digest_html

    chosen = await _pick_board(app, board)
    if week:
        period = parse_week(week, chosen.settings.zone)
    else:
        period = Schedule.of(chosen.settings).latest_due(app.core.clock()).period
    built = await build_digest(app.core, chosen, period)
    if fmt == "json":
        click.echo(json.dumps(_digest_json(built), ensure_ascii=False, indent=2))
    elif fmt == "html":
        click.echo(digest_html(built))
    else:
        click.echo(digest_markdown(built))


def _digest_json(digest: Digest) -> dict[str, Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items() if k != "board_id"}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    data: dict[str, Any] = convert(asdict(digest))
    data["period"] = {
        "label": digest.period.label,
        "start": digest.period.start.isoformat(),
        "end": digest.period.end.isoformat(),
    }
    return data


EXPORT_FIELDS = [
    "number",
    "title",
    "votes",
    "status",
    "status_note",
    "merged_into",
    "author",
    "created_at",
    "permalink",
    "body",
    "anonymous_votes",
]


@main.command()
@db_option
@board_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@with_app
async def export(app: App, board: str | None, fmt: str) -> None:
    """Export a board's whole backlog, merged ideas included, to standard output.

    \b
    Example:
      ideabot export --format csv > backlog.csv
    """
    chosen = await _pick_board(app, board)
    listed = await app.queries.all(chosen)
    rows = [_idea_json(i) for i in listed]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        row["author"] = row["author"]["name"]
        writer.writerow(safe_csv_row(row))
    click.echo(out.getvalue(), nl=False)


@main.command("eval-dedupe")
@click.argument("pairs", type=click.Path(path_type=Path))
@click.option(
    "--model",
    type=str,
    default=None,
    help="sentence-transformers model folder (torch); default: the bundled model on ONNX.",
)
def eval_dedupe(pairs: Path, model: str | None) -> None:
    """Measure duplicate detection on labelled pairs (JSON lines of a, b, duplicate).

    Prints the pair score (pair_*) and the bare cosine (cosine_*) side by side: average
    precision, ROC AUC, best F1, what the shipped thresholds give, and the thresholds that
    reach the precision targets. Pair scores are cross-validated: each pair is scored by a
    model fitted on the other folds, never on itself.

    \b
    Example:
      ideabot eval-dedupe ../shared/data/dedupe-devset.jsonl
    """
    from dedupe.embedder import EmbedderError, build_embedder
    from dedupe.evaluate import PairsFileError, evaluate_pairs, format_metrics, load_pairs
    from dedupe.pair_eval import (
        REPEATS,
        mean_metrics,
        pair_data,
        pair_folds,
        repeated_scores,
        score_metrics,
    )
    from dedupe.thresholds import COSINE_THRESHOLDS, DEFAULT_THRESHOLDS

    settings = _settings()
    try:
        loaded = load_pairs(pairs)
    except PairsFileError as exc:
        _fail(str(exc))
    embedder = build_embedder(model or settings.model_path, batch_size=settings.embed_batch_size)

    async def measure() -> tuple[dict[str, float | int], Any]:
        return await evaluate_pairs(loaded, embedder, COSINE_THRESHOLDS), await pair_data(
            loaded, embedder
        )

    try:
        cosine, data = asyncio.run(measure())
    except EmbedderError as exc:
        _fail(str(exc))
    folds = pair_folds(data.labels)
    metrics: dict[str, float | int] = {
        "pairs": cosine["pairs"],
        "duplicates": cosine["duplicates"],
        "folds": folds,
    }
    metrics.update(score_metrics(data.cosines, data.labels, COSINE_THRESHOLDS, "cosine_"))
    if folds:
        runs = repeated_scores(data, folds=folds)
        metrics.update(mean_metrics(runs, data.labels, DEFAULT_THRESHOLDS, "pair_"))
    metrics["recall_at_1"] = cosine["recall_at_1"]
    metrics["recall_at_3"] = cosine["recall_at_3"]
    if folds:
        click.echo(
            f"note: pair_* figures are cross-validated ({folds} folds, the mean of"
            f" {REPEATS} shuffles): each pair is scored by a model fitted on the other folds"
        )
    else:
        click.echo("note: too few duplicates or non-duplicates to cross-validate the pair score")
    click.echo(format_metrics(metrics))


main.add_command(import_command, name="import")
main.add_command(migrate_command, name="migrate")
main.add_command(copy_db_command, name="copy-db")
main.add_command(run_command, name="run")
main.add_command(serve_command, name="serve")
main.add_command(model_command, name="model")
main.add_command(thresholds_command, name="thresholds")
main.add_command(boards_group, name="boards")
main.add_command(channels_group, name="channels")
main.add_command(config_group, name="config")
main.add_command(idea_group, name="idea")
main.add_command(webhooks_group, name="webhooks")
