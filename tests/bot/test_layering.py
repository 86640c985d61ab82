"""The core's imports: no database driver and no engine module anywhere in ``bot/`` (it
reaches the database through ``storage.port`` only), and no platform library outside
the CLI modules that run the bots."""

from __future__ import annotations

import ast
from pathlib import Path

import bot

BOT = Path(bot.__file__).parent
DRIVERS = ("sqlite3", "sqlite_utils", "psycopg", "psycopg_pool", "asyncpg", "psycopg2")
PLATFORMS = ("discord", "slack_bolt", "slack_sdk", "aiohttp")
# What of storage the core may import: the interface, its values and errors, and the
# one function that opens a store by its setting (used where the app is assembled).
STORAGE_ALLOWED = ("storage.port", "storage.rows", "storage.errors", "storage.engines")
# The CLI modules that start the bots and the web board (and name their errors) may know
# the platforms.
PLATFORM_PLACES = ("cli_run.py", "cli_retry.py", "cli_serve.py")


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, at any depth of the file (lazy imports too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from storage import port`` is storage.port; ``from x.y import z`` is x.y.z
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def test_the_walker_sees_lazy_and_from_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import sqlite3\n    from storage import ideas, port\n")
    found = imported_modules(sample)
    assert "sqlite3" in found
    assert "storage.ideas" in found
    assert _under("storage.port", STORAGE_ALLOWED)
    assert not _under("storage.ideas", STORAGE_ALLOWED)


def test_the_core_imports_no_database_driver_and_only_the_store_interface() -> None:
    offences = []
    for path in sorted(BOT.rglob("*.py")):
        for name in imported_modules(path):
            where = path.relative_to(BOT.parent)
            if _under(name, DRIVERS) or (
                _under(name, ("storage",)) and not _under(name, STORAGE_ALLOWED)
            ):
                offences.append(f"{where}: {name}")
    assert offences == []


def test_the_core_imports_no_platform_library_outside_the_run_command() -> None:
    offences = []
    for path in sorted(BOT.rglob("*.py")):
        if path.name in PLATFORM_PLACES and path.parent == BOT:
            continue
        for name in imported_modules(path):
            if _under(name, PLATFORMS) or _under(name, ("adapters",)):
                offences.append(f"{path.relative_to(BOT.parent)}: {name}")
    assert offences == []
