"""`ideabot copy-db`: the demo board with its whole history, from SQLite to PostgreSQL and
back; `ideas`, `export` and `digest` print the same on every copy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import Result

from tests.bot.test_cli import assert_one_line_error, run, sha

READS = (
    ("ideas", "--top", "10"),
    ("ideas", "--search", "night mode", "--format", "json"),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("digest", "--week", "2026-W45"),
    ("digest", "--week", "2026-W46", "--format", "json"),
)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("copy") / "demo.db"
    result = run(["demo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def outputs(db: Path | str) -> list[str]:
    found = []
    for args in READS:
        result: Result = run([*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
        found.append(result.stdout)
    return found


def copy(*args: str) -> Result:
    return run(["copy-db", *args])


def test_the_demo_copied_to_postgresql_and_back_reads_the_same(
    demo_db: Path, postgres_url: str, tmp_path: Path
) -> None:
    before = sha(demo_db)
    expected = outputs(demo_db)
    result = copy(str(demo_db), postgres_url)
    assert result.exit_code == 0, result.output
    assert "ideas" in result.stdout and "reactions" in result.stdout
    assert sha(demo_db) == before  # the source is only read
    assert outputs(postgres_url) == expected
    back = tmp_path / "back.db"
    result = copy(postgres_url, str(back))
    assert result.exit_code == 0, result.output
    assert outputs(back) == expected


def test_a_target_holding_boards_is_refused_unless_replaced(
    demo_db: Path, postgres_url: str, tmp_path: Path
) -> None:
    assert copy(str(demo_db), postgres_url).exit_code == 0
    assert_one_line_error(copy(str(demo_db), postgres_url), "not empty (1 boards", "--replace")
    again = copy(str(demo_db), postgres_url, "--replace")
    assert again.exit_code == 0, again.output
    assert outputs(postgres_url) == outputs(demo_db)
    sqlite_target = tmp_path / "full.db"
    assert copy(postgres_url, str(sqlite_target)).exit_code == 0
    before = sha(sqlite_target)
    assert_one_line_error(copy(postgres_url, str(sqlite_target)), "not empty (1 boards")
    assert sha(sqlite_target) == before


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("{demo}", "{other_sqlite}"), "between SQLite and PostgreSQL"),
        (("{missing}", "{pg}"), "no database"),
        (("{pg_empty}", "{other_sqlite}"), "no ideabot database"),
        (("{demo}", "postgresql://nobody:s3cret@/x?host=/nonexistent"), "cannot reach"),
    ],
)
def test_bad_copies_are_one_line_and_change_nothing(
    demo_db: Path,
    postgres_url: str,
    postgres_server: str,
    tmp_path: Path,
    args: Sequence[str],
    fragment: str,
) -> None:
    from tests.postgres import drop_schema, new_schema

    empty_name, empty = new_schema(postgres_server)
    try:
        names = {
            "demo": str(demo_db),
            "other_sqlite": str(tmp_path / "other.db"),
            "missing": str(tmp_path / "missing.db"),
            "pg": postgres_url,
            "pg_empty": empty,
        }
        before = sha(demo_db)
        line = assert_one_line_error(copy(*(a.format(**names) for a in args)), fragment)
        assert "s3cret" not in line
        assert sha(demo_db) == before
        assert not (tmp_path / "other.db").exists()
    finally:
        drop_schema(postgres_server, empty_name)
