"""One explorer server, one chromium and one page for every browser test of the session.

The browser is Debian's chromium (the test set-up installs it), driven by Playwright
without its own browser download.  Every request the page makes to a host other than
127.0.0.1 is aborted and counted (:data:`OUTSIDE`).
"""

from __future__ import annotations

import pytest

from GalCubeCraft.explorer.server import start_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")


@pytest.fixture(scope="session")
def explorer_url():
    """Serve the explorer from a background thread for the session; yield its address."""
    server, port = start_server(show=False, threaded=True)
    yield f"http://127.0.0.1:{port}/"
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def outside():
    """Return the list of requests the session's pages tried to send beyond 127.0.0.1."""
    return []


def open_page(browser, url, outside, **options):
    """Return a new page at ``url`` whose outside requests are aborted into ``outside``."""
    page = browser.new_page(viewport={"width": 1500, "height": 1250}, **options)

    def route(request_route):
        if request_route.request.url.startswith(LOCAL):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_selector("#gcc-status:has-text('render #1:')", timeout=120_000)
    return page


@pytest.fixture(scope="session")
def page_opener():
    """:func:`open_page`, for a test that needs a fresh page."""
    return open_page


@pytest.fixture(scope="session")
def page(browser, explorer_url, outside):
    """Yield the session's page, loaded and showing its first cube."""
    page = open_page(browser, explorer_url, outside, accept_downloads=True)
    yield page
    page.close()
