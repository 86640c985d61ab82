"""The search box and the API's q search by meaning with the real model, as `/ideas search`:
no word of the query is in the idea it finds first."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import build_web_app
from bot.app import build_app
from bot.settings import Settings
from dedupe.onnx_embedder import OnnxEmbedder
from tests.conftest import HERE, FakeClock, draft


async def test_search_by_meaning_with_the_real_model(
    model: OnnxEmbedder, clock: FakeClock, database: Path | str
):
    # On each engine: the stored embeddings are read back through the Pages port.
    app = await build_app(Settings(db=database), embedder=model, clock=clock)
    try:
        for n, text in enumerate(
            [
                "Export my routes as GPX files",
                "A dark mode for the app at night",
                "Offline maps when there is no signal",
            ],
            1,
        ):
            await app.ideas.submit(draft(text, f"author{n}", message_id=f"m{n}"))
        await app.web_access.publish(await app.core.board_for(HERE))
        board = (await app.core.board_for(HERE)).name
        async with TestClient(TestServer(build_web_app(app, rate_per_minute=0))) as http:
            query = "black theme easier on the eyes"
            response = await http.get(f"/api/v1/boards/{board}/ideas", params={"q": query})
            found = [i["number"] for i in (await response.json())["ideas"]]
            assert found[0] == 2
            cli = await app.queries.search(await app.core.board_for(HERE), query)
            assert [c.idea.number for c in cli] == found  # the same search as /ideas search
            page = await (await http.get(f"/b/{board}", params={"q": query})).text()
            assert page.index("dark mode for the app") < page.index("GPX")
    finally:
        await app.close()
