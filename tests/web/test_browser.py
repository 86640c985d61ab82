"""The board in headless Chromium: under the strict Content-Security-Policy the pages render
with their stylesheet, with no policy violation and no console error, at 1280 and 390 px,
light and dark, nothing wider than a phone, no serious or critical accessibility violation
(axe-core), and the keyboard reaches the content first.
Screenshots are saved in the test's temporary folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from tests.browser import chromium
from tests.web.conftest import Boards

# Installed before any page loads: records policy violations, errors and console errors.
WATCH = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__problems.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', e => window.__problems.push('error: ' + e.message), true);
const original = console.error;
console.error = (...args) => {
    window.__problems.push('console: ' + args.join(' '));
    original(...args);
};
"""
BACKGROUND = {"light": "rgb(245, 246, 248)", "dark": "rgb(15, 18, 23)"}
# axe-core, fetched from the npm registry by `make test` (see the Makefile).
AXE = Path(sys.prefix) / "share" / "axe-core-4.14.1" / "axe.min.js"
AXE_RUN = (
    "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify("
    "r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))))"
)


@pytest.fixture
def boards(sqlite_boards: Boards) -> Boards:
    """On SQLite only: the pages a browser renders do not depend on the engine (the web
    tests that read the board through the store run on both)."""
    return sqlite_boards


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_pages_render_under_the_policy(
    client: TestClient, boards: Boards, tmp_path: Path, width: int, scheme: str
):
    assert AXE.is_file(), f"{AXE} is missing: run `make test` (it fetches axe-core with npm)"
    axe = AXE.read_text(encoding="utf-8")
    base = str(client.make_url("/")).rstrip("/")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    async with chromium(tmp_path / "chromium") as browser:
        page = await browser.new_page()
        await page.send("Page.addScriptToEvaluateOnNewDocument", source=WATCH)
        await page.emulate(width=width, height=900, color_scheme=scheme)
        for name, path in (
            ("board", f"/b/{boards.public}"),
            ("idea", f"/b/{boards.public}/ideas/5"),
            ("hostile", f"/b/{boards.public}/ideas/7"),
            ("roadmap", f"/b/{boards.public}/roadmap"),
            ("digest", f"/b/{boards.public}/digests/2026-W45"),
        ):
            await page.goto(base + path)
            state = await page.evaluate(
                "JSON.stringify({problems: window.__problems,"
                " background: getComputedStyle(document.body).backgroundColor,"
                " wide: document.documentElement.scrollWidth,"
                " h1: document.querySelectorAll('h1').length,"
                " lang: document.documentElement.lang,"
                " unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select')]"
                "   .filter(e => !(e.labels && e.labels.length)).length,"
                " scripts: document.scripts.length})"
            )
            seen = json.loads(state)
            # Accessibility: no serious or critical violation (axe-core, in the page).
            await page.evaluate(axe + ";0")
            violations = json.loads(await page.evaluate(AXE_RUN))
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert bad == [], (name, width, scheme, bad)
            assert seen["problems"] == [], (name, seen["problems"])
            assert seen["wide"] <= width, (name, seen["wide"])
            assert seen["h1"] == 1 and seen["lang"] == "en" and seen["unlabelled"] == 0, name
            assert seen["scripts"] == 0, name  # the hostile title stayed text
            if name != "digest":  # the digest page has its own palette
                assert seen["background"] == BACKGROUND[scheme], (name, seen["background"])
            await page.screenshot(shots / f"{name}-{width}-{scheme}.png")
        # The keyboard: the first Tab reaches the skip link, which leads to the content.
        await page.goto(base + f"/b/{boards.public}")
        for kind in ("keyDown", "keyUp"):
            await page.send("Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab",
                            windowsVirtualKeyCode=9)  # fmt: skip
        focused = await page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
    assert len(list(shots.glob("*.png"))) == 5
