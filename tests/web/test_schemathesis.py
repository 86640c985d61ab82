"""schemathesis fuzzes the API from its own OpenAPI document against the real `ideabot
serve` on the fixture board: no server error, and every answer conforms to the document
(status codes, content types, response schemas)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from adapters.web.openapi import openapi_document
from bot.app import build_app
from bot.settings import Settings
from dedupe.onnx_embedder import OnnxEmbedder
from tests.conftest import FakeClock
from tests.web.conftest import seed

schema = schemathesis.openapi.from_dict(openapi_document())
SERVE = [sys.executable, "-c", "from bot.cli import main; main()", "serve"]
LISTENING = re.compile(r"ideabot web board on (http://127\.0\.0\.1:\d+)/")


async def _seed(path: Path, embedder: OnnxEmbedder) -> str:
    # The real model, as the server's search uses it: the stored vectors must match it.
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    app = await build_app(Settings(db=path), embedder=embedder, clock=clock)
    try:
        return (await seed(app, clock)).public
    finally:
        await app.close()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, model: OnnxEmbedder
) -> Iterator[tuple[str, str]]:
    """(base URL, public board) of `ideabot serve` on a seeded fixture board."""
    folder = tmp_path_factory.mktemp("schemathesis")
    board = asyncio.run(_seed(folder / "web.db", model))
    process = subprocess.Popen(
        [*SERVE, "--db", str(folder / "web.db"), "--port", "0"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "IDEABOT_WEB_RATE_PER_MINUTE": "0"},
    )
    try:
        assert process.stdout is not None
        found = LISTENING.search(process.stdout.readline())
        assert found, "ideabot serve did not print its address"
        yield found[1], board
    finally:
        process.terminate()
        process.wait(timeout=60)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_documented(case: schemathesis.Case, served: tuple[str, str]):
    base, board = served
    if "board" in (case.path_parameters or {}):
        # Fuzz the parameters on a board that exists (random names are all 404s, which
        # the hostile-input tests cover).
        case.path_parameters = {**case.path_parameters, "board": board}
    # Left out: "valid data is accepted" (a cursor is opaque: one the server never gave
    # out is schema-valid and still a 400) and "invalid data is rejected" (unknown query
    # parameters are ignored, as browsers and feed readers add their own; and the board
    # is set above). Every other check runs: no server error, documented status codes,
    # content types, headers and response schemas.
    case.call_and_validate(
        base_url=base, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
