"""Which Discord shards a process runs: good plans, and bad ones refused in one line
before `ideabot run` starts anything."""

from __future__ import annotations

import pytest

from bot.shards import InvalidShards, Shards, shard_plan
from tests.bot.test_cli import assert_one_line_error, run


def test_plans() -> None:
    assert shard_plan(None, None) == Shards()
    assert shard_plan(4, None) == Shards(count=4, ids=(0, 1, 2, 3))
    assert shard_plan(4, " 3, 1") == Shards(count=4, ids=(1, 3))


@pytest.mark.parametrize(
    "count, ids, fragment",
    [
        (None, "0", "needs --shard-count"),
        (0, None, "between 1 and"),
        (-2, "0", "between 1 and"),
        (10_000, None, "between 1 and"),
        (2, "2", "shard 2 does not exist"),
        (2, "0,0", "given twice"),
        (2, "a,b", "numbers separated by commas"),
        (2, "1;DROP TABLE ideas", "numbers separated by commas"),
        (2, "٠", "numbers separated by commas"),  # an Arabic-Indic zero is a digit, not ASCII
        (2, "", None),
    ],
)
def test_bad_plans_say_what_is_wrong(count: int | None, ids: str | None, fragment: str) -> None:
    if fragment is None:
        assert shard_plan(count, ids) == Shards(count=2, ids=(0, 1))
        return
    with pytest.raises(InvalidShards, match=fragment):
        shard_plan(count, ids)


def test_run_refuses_bad_shards_in_one_line() -> None:
    result = run(["run", "--shard-count", "2", "--shard-ids", "5"])
    assert_one_line_error(result, "shard 5 does not exist")
    result = run(["run", "--shard-count", "many"])
    assert result.exit_code != 0 and "Traceback" not in result.output
