"""What importing the package loads: none of the heavy libraries until a function needs them."""

from __future__ import annotations

import json
import subprocess
import sys

# Each costs 0.05-0.4 s to import; a user's ``import GalCubeCraft`` or ``--help`` needs none.
HEAVY = ("numba", "llvmlite", "scipy", "astropy", "matplotlib", "dask", "distributed", "zarr",
         "h5py", "pandas", "torch", "finufft", "panel", "bokeh", "playwright")  # fmt: skip


def _modules_after(code: str) -> set[str]:
    """Return the modules loaded in a fresh interpreter after running ``code``."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600, check=True)  # fmt: skip
    return set(json.loads(done.stdout.splitlines()[-1]))


def _loaded_after(code: str) -> set[str]:
    """Return the top-level packages loaded in a fresh interpreter after running ``code``."""
    return {name.split(".")[0] for name in _modules_after(code)}


def test_import_loads_no_heavy_library():
    """`import GalCubeCraft` loads numpy but neither numba, SciPy nor any optional library."""
    loaded = _loaded_after("import GalCubeCraft")
    assert "numpy" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_command_line_parser_loads_no_heavy_library():
    """Building the CLI's parser (what `galcubecraft --help` does) loads no heavy library."""
    loaded = _loaded_after("from GalCubeCraft.cli import build_parser\nbuild_parser()")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_a_plain_disk_loads_only_the_kernels_it_calls():
    """A disk without arms, flows or drift loads numba and its own kernels, not the features'."""
    code = (
        "from GalCubeCraft import Galaxy, Observation, SpectralAxis, render\n"
        "obs = Observation(nx=16, ny=16, pixel_kpc=1.0, spectral=SpectralAxis(8, -300, 300))\n"
        "render([Galaxy(r_e_kpc=3.0, inclination_deg=50, pa_deg=30)], obs)"
    )
    loaded = _modules_after(code)
    assert {"numba", "GalCubeCraft.renderer.los_kernel", "GalCubeCraft.renderer.kernels"} <= loaded
    features = {f"GalCubeCraft.model.{name}_kernel" for name in ("arm", "flow", "drift")}
    assert loaded.isdisjoint(features), sorted(loaded & features)


def test_the_default_cosmologys_scale_loads_no_astropy():
    """An angular observation in the default cosmology knows its kpc per pixel without astropy."""
    code = (
        "from GalCubeCraft import Observation\n"
        "assert Observation.from_angular(redshift=0.5, pixel_arcsec=0.2).pixel_kpc > 1.2"
    )
    assert "astropy" not in _loaded_after(code)
