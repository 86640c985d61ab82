"""Opening what the user points at: a Slack export (zip or folder) or DiscordChatExporter files.

Everything is read and checked before anything is written, so a bad file stops the
import with a message naming it, or (with ``skip_bad``) is left out and reported.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from bot.importing.bounds import MAX_JSON_BYTES
from bot.importing.errors import ImportFileError
from bot.importing.model import ParsedExport

ZIP_MAGIC = b"PK"


class Problems:
    """Where bad files and messages go: an error at once, or a list for the summary."""

    def __init__(self, *, skip_bad: bool) -> None:
        self.skip_bad = skip_bad
        self.items: list[str] = []

    def report(self, where: str, what: str) -> None:
        """Stop the import (the default) or note the problem and go on without that part."""
        if not self.skip_bad:
            raise ImportFileError(
                f"{where}: {what}; nothing was imported (--skip-bad-files imports everything else)"
            )
        self.items.append(f"{where}: {what}")


class ExportFiles:
    """The files of an export by their path inside it, from a folder or a zip."""

    def __init__(self, label: str, names: list[str], read: Callable[[str], bytes]) -> None:
        self.label = label
        self.names = names
        self._read = read

    def where(self, name: str) -> str:
        """How to name a file of the export in a message."""
        return (
            f"{self.label}/{name}" if self.label.endswith(".zip") else str(Path(self.label) / name)
        )

    def has(self, name: str) -> bool:
        return name in self.names

    def load(self, name: str, problems: Problems) -> Any | None:
        """The parsed JSON of a file; None (after reporting) when it cannot be read."""
        try:
            raw = self._read(name)
        except TooLarge:
            problems.report(self.where(name), f"is larger than {_mb(MAX_JSON_BYTES)}")
            return None
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            problems.report(self.where(name), f"cannot be read ({exc})")
            return None
        return parse_json(raw, self.where(name), problems)


class TooLarge(Exception):
    """A file past ``MAX_JSON_BYTES``: read no further."""


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def read_bounded(path: Path) -> bytes:
    """The bytes of a regular file, TooLarge past ``MAX_JSON_BYTES`` (read no further)."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise TooLarge(str(path))
    return raw


def parse_json(raw: bytes, where: str, problems: Problems) -> Any | None:
    """The JSON value of ``raw``; None (after reporting) when it is not valid JSON."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problems.report(where, "is not UTF-8 text")
    except json.JSONDecodeError as exc:
        problems.report(where, f"invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})")
    except RecursionError:
        # Python's parser recurses once per level: depth is bounded by the stack.
        problems.report(where, "is nested too deeply to be an export")
    return None


def open_folder(path: Path) -> ExportFiles:
    names = sorted(p.relative_to(path).as_posix() for p in path.rglob("*.json") if p.is_file())
    return ExportFiles(str(path), names, lambda name: read_bounded(path / name))


def open_zip(path: Path) -> ExportFiles:
    """The files of a zip, rooted where its ``channels.json`` is (zips of the folder nest it)."""
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileError(
            f"{path}: not a readable zip file, perhaps truncated or damaged ({exc});"
            " nothing was imported"
        ) from None
    names = [i.filename for i in infos if not i.is_dir() and i.filename.endswith(".json")]
    roots = sorted(
        (str(PurePosixPath(n).parent) for n in names if PurePosixPath(n).name == "channels.json"),
        key=len,
    )
    root = "" if not roots or roots[0] == "." else roots[0] + "/"
    inside = sorted(n[len(root) :] for n in names if n.startswith(root))

    def read(name: str) -> bytes:
        # The sizes in a zip's directory are claims: read at most one byte past the bound.
        with archive.open(root + name) as member:
            raw = member.read(MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES:
            raise TooLarge(name)
        return raw

    return ExportFiles(str(path), inside, read)


def read_export(
    paths: Sequence[Path], *, channels: Sequence[str] = (), skip_bad: bool = False
) -> ParsedExport:
    """The parsed export at ``paths``: one Slack export, or one or more DCE JSON files."""
    from bot.importing import dce, slack_export

    problems = Problems(skip_bad=skip_bad)
    if not paths:
        raise ImportFileError("give the export to import: a Slack zip or folder, or DCE files")
    for path in paths:
        if not path.exists():
            raise ImportFileError(f"{path}: no such file or folder")
        if not (path.is_dir() or path.is_file()):
            raise ImportFileError(
                f"{path}: not a file or folder (a device or pipe?); give the export's file"
            )
    slack = [p for p in paths if _is_slack(p)]
    if slack:
        if len(paths) > 1:
            raise ImportFileError(
                f"{slack[0]}: a Slack export is imported on its own; give one path"
            )
        files = open_zip(slack[0]) if slack[0].is_file() else open_folder(_slack_root(slack[0]))
        if not files.has("channels.json"):
            raise ImportFileError(
                f"{slack[0]}: no channels.json inside: not a Slack workspace export"
            )
        return slack_export.parse(files, channels, problems)
    documents: list[tuple[str, Any]] = []
    for path in paths:
        # A folder named like a JSON file is not one of the export's files.
        found = sorted(p for p in path.glob("*.json") if p.is_file()) if path.is_dir() else [path]
        for file in found:
            documents.append((str(file), _load_dce(file, problems)))
    if not documents:
        raise ImportFileError(
            f"{paths[0]}: neither a Slack export (no channels.json) nor DiscordChatExporter"
            " JSON files"
        )
    return dce.parse(documents, channels, problems)


def _slack_root(path: Path) -> Path:
    if (path / "channels.json").is_file():
        return path
    return next(path.glob("*/channels.json")).parent


def _is_slack(path: Path) -> bool:
    if path.is_dir():
        return (path / "channels.json").is_file() or any(path.glob("*/channels.json"))
    with path.open("rb") as handle:
        return path.suffix.lower() == ".zip" or handle.read(2) == ZIP_MAGIC


def _load_dce(path: Path, problems: Problems) -> Any | None:
    try:
        raw = read_bounded(path)
    except TooLarge:
        problems.report(str(path), f"is larger than {_mb(MAX_JSON_BYTES)}")
        return None
    except OSError as exc:
        problems.report(str(path), f"cannot be read ({exc.strerror or exc})")
        return None
    looks_like_json = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
    value = parse_json(raw, str(path), problems) if looks_like_json else None
    if looks_like_json and value is None:
        return None  # invalid JSON, reported by parse_json
    if not (isinstance(value, dict) and {"guild", "channel", "messages"} <= value.keys()):
        # A file of the wrong kind is never "the rest": it stops the import.
        raise ImportFileError(
            f"{path}: neither a Slack export nor a DiscordChatExporter JSON export"
            " (expected guild, channel and messages)"
        )
    return value
