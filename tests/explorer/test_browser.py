"""The explorer in a real browser: sliders redraw, a click picks a spectrum, exports, stores.

The tests share one server, one browser and one page, and run in file order: each checks
the change it makes.  The browser is Debian's chromium (the test set-up installs it),
driven by Playwright without its own browser download.  Every request a page makes to a
host other than 127.0.0.1 is aborted and counted (the ``outside`` fixture).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from GalCubeCraft.datasets import StoreDataset
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import GALAXY_COLUMNS, GLOBAL_COLUMNS
from GalCubeCraft.explorer.server import CHROMIUM, CHROMIUM_ARGS, local_only, start_server
from GalCubeCraft.explorer.state import spec_from_controls
from GalCubeCraft.factory import make_indexed_cube
from GalCubeCraft.priors.spec import DatasetSpec


@pytest.fixture(scope="module")
def explorer_url():
    """Serve the explorer from a background thread for the session; yield its address."""
    server, port = start_server(show=False, threaded=True)
    yield f"http://127.0.0.1:{port}/"
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def outside():
    """Return the list of requests the session's pages tried to send beyond 127.0.0.1."""
    return []


def open_page(browser, url, outside, **options):
    """Return a new page at ``url`` whose outside requests are aborted into ``outside``."""
    page = browser.new_page(viewport={"width": 1500, "height": 1250}, **options)

    page.route("**/*", local_only(outside))
    page.goto(url)
    page.wait_for_selector("#gcc-status:has-text('render #1:')", timeout=120_000)
    return page


@pytest.fixture(scope="module")
def page(browser, explorer_url, outside):
    """Yield the session's page, loaded and showing its first cube."""
    page = open_page(browser, explorer_url, outside, accept_downloads=True)
    yield page
    page.close()


DOCS = Path(__file__).resolve().parents[2] / "docs"


def _status(page) -> str:
    return page.locator("#gcc-status").inner_text()


def _generation(page) -> int:
    found = re.search(r"render #(\d+):", _status(page))
    return int(found.group(1)) if found else 0


def _press(page, control: str, key: str, times: int = 1) -> int:
    """Move a slider by ``times`` key presses; wait for the render they ask; return its number."""
    before = _generation(page)
    handle = page.locator(f".gcc-{control} .noUi-handle")
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)
    _wait_for_render_after(page, before)
    return _generation(page)


def _wait_for_render_after(page, before: int, timeout_s: float = 60.0) -> None:
    """Wait until a render newer than ``before`` is on the page and none is running."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = _status(page)
        if "rendering" not in text and _generation(page) > before:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"no render after #{before}; status: {_status(page)!r}")


def _parameter(page, name: str) -> float | None:
    """Return the parameter table's value of ``name`` for galaxy 0 (None while it is absent)."""
    for row in page.locator("#gcc-params tr").all_inner_texts():
        cells = row.split("\t")
        if cells[0] == name and len(cells) > 2:
            return float(cells[2])
    return None


def test_the_page_shows_the_first_cube_with_every_view(page):
    """The first render fills the status, the channel map, spectrum, moments and PV titles."""
    assert re.search(r"render #1: 40 × 64 × 64", _status(page))
    assert _parameter(page, "inclination_deg") == 60.0


def test_moving_the_inclination_slider_redraws_with_the_new_value(page):
    """Two steps right on the inclination slider: a new render whose table says 62 deg."""
    _press(page, "inclination_deg", "ArrowRight", times=2)
    assert _parameter(page, "inclination_deg") == 62.0


def test_moving_the_position_angle_turns_the_pv_slit(page):
    """The PV titles follow the kinematic axis: PA 30 -> 33 moves both slits by 3 deg."""
    _press(page, "pa_deg", "ArrowRight", times=3)
    assert _parameter(page, "pa_deg") == 33.0
    assert page.locator("#gcc-pv").inner_text() == "PV slits at PA 33° and 123°"


def test_the_channel_slider_changes_the_channel_map(page):
    """Three steps left on the channel slider: channel 17 of 40, v = -75 km/s (30 km/s wide)."""
    assert page.locator("#gcc-channel").inner_text() == "Channel 20: v = 15.0 km/s"
    handle = page.locator(".gcc-channel .noUi-handle")
    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_selector("#gcc-channel:has-text('Channel 17: v = -75.0 km/s')", timeout=30_000)


def test_clicking_a_pixel_shows_its_spectrum(page):
    """A click on the channel map moves the spectrum to the clicked pixel."""
    before = page.locator("#gcc-pixel").inner_text()
    assert before == "Spectrum at pixel (32, 32)"  # the primary's centre
    canvas = page.locator(".bk-Canvas").first
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 0.35 * box["width"], box["y"] + 0.3 * box["height"])
    page.wait_for_function("() => true")
    for _ in range(100):
        after = page.locator("#gcc-pixel").inner_text()
        if after != before:
            break
        page.wait_for_timeout(50)
    x, y = (int(v) for v in re.findall(r"\d+", after))
    # Left of and above the centre (the image's rows grow upward), inside the grid.
    assert 0 <= x < 32 and 32 < y < 64


def _download(page, label: str, folder: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_the_fits_and_toml_downloads_are_the_cube_on_the_page(page, tmp_path):
    """The FITS download holds the cube the TOML download makes again, with WCS and beam."""
    cube_path = _download(page, "FITS", tmp_path)
    spec_path = _download(page, "Spec (TOML)", tmp_path)
    spec = DatasetSpec.from_toml(spec_path)
    assert spec == spec_from_controls({"inclination_deg": 62.0, "pa_deg": 33.0})
    made = make_indexed_cube(spec, 0).products.noisy
    with fits.open(cube_path) as hdus:
        data, header = hdus[0].data, hdus[0].header
    assert np.array_equal(data, made.data)
    assert header["CTYPE3"] == "FREQ" and header["SPECSYS"] == "BARYCENT" and header["NAXIS3"] == 40
    assert header["BMAJ"] == pytest.approx(made.observation.beam.bmaj_px * abs(header["CDELT1"]))


def test_a_store_opens_and_steps_through_its_items(page, tmp_path_factory):
    """Open a small npy store, step to the next item: its parameters are the store's."""
    folder = tmp_path_factory.mktemp("store")
    spec = DatasetSpec(
        n_cubes=3, seed=5, galaxies={"n_gals": (1, 1)}, observation={"grid_size": 32, "n_chan": 16}
    )
    store = folder / "small.npy"
    generate_dataset(spec, store, fmt="npy", workers=0, progress=False)
    page.get_by_text("Browse a dataset").click()
    page.locator(".gcc-store-path input").fill(str(store))
    page.get_by_role("button", name="Open").click()
    page.wait_for_selector("#gcc-store-item:has-text('item 0 of 3')", timeout=60_000)
    page.get_by_role("button", name="next ▶").click()
    page.wait_for_selector("#gcc-store-item:has-text('item 1 of 3')", timeout=60_000)
    stored = StoreDataset(store, arrays=("params",))[1]["params"]
    column = len(GLOBAL_COLUMNS) + list(GALAXY_COLUMNS).index("inclination_deg")
    expected = float(f"{stored[column]:.6g}")  # the table's six digits
    for _ in range(200):  # the table follows the item number on the page's next tick
        if _parameter(page, "inclination_deg") == expected:
            break
        page.wait_for_timeout(50)
    assert _parameter(page, "inclination_deg") == expected


def test_no_request_leaves_127_0_0_1(browser, explorer_url, outside, page):
    """A fresh page, and everything the session did, sent nothing beyond 127.0.0.1."""
    fresh = open_page(browser, explorer_url, outside)
    fresh.wait_for_timeout(500)
    # The README's picture is refreshed only when asked (the test must not rewrite a
    # tracked file): GALCUBECRAFT_UPDATE_DOCS=1 pytest tests/explorer.
    shot = DOCS if os.environ.get("GALCUBECRAFT_UPDATE_DOCS") == "1" else Path(tempfile.mkdtemp())
    fresh.screenshot(path=shot / "explorer.png", full_page=False)
    assert (shot / "explorer.png").stat().st_size > 10_000
    fresh.close()
    assert outside == []
