"""Browser fixtures: the system Chromium driven by Playwright's Python API (no browser download).

Tests that need a browser are skipped, saying why, only when no Chromium binary is found
(``MOCKSERVER_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH, else /usr/bin/chromium);
CI installs Debian's ``chromium`` first (.ci/run), so there they run.  Screenshots go to
``tests/dashboard/artifacts/`` (git-ignored).
"""
from __future__ import annotations

import os
import pathlib
import shutil

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    explicit = os.environ.get("MOCKSERVER_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


@pytest.fixture(scope="session")
def artifacts() -> pathlib.Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# Module scope, not session: Playwright's sync API keeps an event loop marked running in the main thread
# while it is open, and later tests of other folders call asyncio.run().
@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium binary (apt-get install chromium, or set MOCKSERVER_CHROMIUM): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Console:
    """Every console error and uncaught page error of a page, and every request it made."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))


@pytest.fixture
def page_of(browser):
    """``page_of(width, height)``: a new page in its own context, with its ``Console``."""
    contexts = []

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        return page, Console(page)

    yield make
    for c in contexts:
        c.close()
