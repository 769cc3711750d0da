"""Serve the explorer on 127.0.0.1 with every script and style sheet from the local server.

Panel is told to inline its resources (``pn.config.inline``) and Bokeh to serve its own
(``resources="server"``), so the page loads nothing from a CDN: it works offline and no
request leaves the machine.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("GalCubeCraft")

HOST = "127.0.0.1"
LOCAL_URL_PREFIXES = (f"http://{HOST}:", f"ws://{HOST}:", "data:", "blob:")
"""What the served page needs to request: this server and in-page data, nothing else."""
CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium, the browser the explorer's tests and benchmark drive (Playwright)."""
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
"""Headless flags: no sandbox (CI runs as root), no GPU, none of the browser's own
network traffic (updates, sync, QUIC), so every request a page makes is the page's."""


def local_only(outside: list[str]) -> Any:
    """Return a Playwright route handler that aborts every request beyond this machine.

    Requests to :data:`LOCAL_URL_PREFIXES` go through; any other is aborted and its URL
    appended to ``outside`` (a test asserts it stays empty).
    """

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(LOCAL_URL_PREFIXES):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    return route


def configure_offline() -> Any:
    """Load Panel with its resources inline and Bokeh's served locally; return ``panel``."""
    import os

    os.environ.setdefault("BOKEH_RESOURCES", "server")
    import panel as pn

    pn.config.inline = True
    pn.extension(inline=True)
    return pn


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(
    port: int = 0, store: str | None = None, show: bool = True, threaded: bool = False
) -> tuple[Any, int]:
    """Start the explorer's server on ``127.0.0.1:port`` (0: a free port).

    Returns the server (a thread with ``threaded``) and its port.  With ``threaded`` the
    server runs in a background thread (tests, notebooks) and the call returns at once;
    otherwise it blocks until interrupted.  Only pages from this host and port may open
    its websocket.
    """
    pn = configure_offline()
    from .app import build_page

    port = port or free_port()
    log.info("GalCubeCraft explorer at http://%s:%d/", HOST, port)
    server = pn.serve(
        {"/": lambda: build_page(store)},
        port=port,
        address=HOST,
        websocket_origin=[f"{HOST}:{port}", f"localhost:{port}"],
        show=show,
        start=True,
        threaded=threaded,
        title="GalCubeCraft explorer",
        verbose=False,
    )
    return server, port
