"""The explorer's redraw latency in a real browser: slider release to redrawn page.

Run:  python benchmarks/bench_explorer.py

Starts the explorer on 127.0.0.1, opens it in Debian's chromium (Playwright, no browser
download) and moves the inclination slider 20 times (a key press on its handle: one
release each) for a 40 x 64 x 64 cube at the fast accuracy, the page's default.  Each
move is timed from the key press to the status line naming the new render, plus two
animation frames (the figures' new data painted: they arrive in the same message).
Prints the median and the worst of the 20, with the server's own render time beside
them, and the requests sent beyond 127.0.0.1 (aborted and counted).
"""

from __future__ import annotations

import re
import statistics
import time

from playwright.sync_api import sync_playwright

from GalCubeCraft.explorer.server import CHROMIUM, CHROMIUM_ARGS, local_only, start_server

MOVES = 20


def main() -> None:
    server, port = start_server(show=False, threaded=True)
    outside: list[str] = []
    latencies, renders = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1500, "height": 1250})

        page.route("**/*", local_only(outside))
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("#gcc-status:has-text('render #1:')", timeout=120_000)
        handle = page.locator(".gcc-inclination_deg .noUi-handle")
        for move in range(MOVES + 1):  # the first move warms the path up; not counted
            handle.focus()
            start = time.perf_counter()
            page.keyboard.press("ArrowRight" if move % 2 == 0 else "ArrowLeft")
            page.wait_for_selector(f"#gcc-status:has-text('render #{move + 2}:')", timeout=60_000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                          "requestAnimationFrame(r)))")  # fmt: skip
            elapsed = time.perf_counter() - start
            status = page.locator("#gcc-status").inner_text()
            if move:
                latencies.append(1e3 * elapsed)
                renders.append(float(re.search(r"; (\d+) ms", status).group(1)))
        browser.close()
    server.stop()
    print(f"explorer redraw, 40x64x64 fast, {MOVES} slider moves (chromium, 127.0.0.1):")
    print(
        f"  slider release -> redrawn page: median {statistics.median(latencies):.0f} ms, "
        f"worst {max(latencies):.0f} ms (goal <= 300 ms)"
    )
    print(
        f"  of which the render on the server: median {statistics.median(renders):.0f} ms, "
        f"worst {max(renders):.0f} ms"
    )
    print(f"  requests beyond 127.0.0.1: {len(outside)}")


if __name__ == "__main__":
    main()
