"""What the page downloads: FITS, ``.npy`` with its sidecar, a PNG of the views, the spec.

Each function returns the file's bytes (the page hands them to the browser); none writes
outside a temporary folder.  The FITS file and the sidecar come from the package's own
writers (:meth:`~GalCubeCraft.products.cube.Cube.write_fits`,
:func:`~GalCubeCraft.io.sidecar.write_sidecar`), so they carry the WCS, the beam and the
galaxies' cards as every other cube does.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from ..io.npy import save_npy
from ..io.sidecar import write_sidecar
from ..priors.spec import DatasetSpec
from .shown import Shown


def fits_bytes(shown: Shown) -> bytes:
    """Return the shown cube as a FITS file (WCS, beam, noise and galaxy cards)."""
    with tempfile.TemporaryDirectory() as folder:
        path = shown.cube.write_fits(Path(folder) / "cube.fits")
        return path.read_bytes()


def npy_zip_bytes(shown: Shown, spec: DatasetSpec | None = None, stem: str = "cube") -> bytes:
    """Return a zip of ``<stem>.npy`` and its ``<stem>.json`` sidecar (axes, beam, the spec)."""
    run: dict[str, Any] = {} if spec is None else {"spec": spec.to_toml(), "index": 0}
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w") as archive:
        npy = save_npy(Path(folder) / f"{stem}.npy", shown.cube.data)
        sidecar = write_sidecar(Path(folder) / f"{stem}.json", shown.cube, shown.items, run)
        for path in (npy, sidecar):
            archive.write(path, path.name)
    return buffer.getvalue()


def png_bytes(shown: Shown, pv_pa_deg: float) -> bytes:
    """Return a PNG of the views: moments 0-2 and the PV diagrams along both axes."""
    import matplotlib

    matplotlib.use("Agg", force=False)  # a server has no display
    from matplotlib.figure import Figure

    from ..plotting import moment_figure, pv_figure

    panels = [
        moment_figure(shown.cube, orders=(0, 1, 2), clean=shown.clean, axes="pixel"),
        pv_figure(shown.cube, pv_pa_deg, shown.centre_px, axes="pixel"),
        pv_figure(shown.cube, pv_pa_deg + 90.0, shown.centre_px, axes="pixel"),
    ]
    images = []
    for fig in panels:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90)
        images.append(buffer.getvalue())
    import matplotlib.image as mpimg

    arrays = [mpimg.imread(io.BytesIO(image)) for image in images]
    width = sum(a.shape[1] for a in arrays)
    height = max(a.shape[0] for a in arrays)
    sheet = Figure(figsize=(width / 90, height / 90), dpi=90)
    left = 0.0
    for a in arrays:
        ax = sheet.add_axes(
            (left / width, 1 - a.shape[0] / height, a.shape[1] / width, a.shape[0] / height)
        )
        ax.imshow(a)
        ax.set_axis_off()
        left += a.shape[1]
    buffer = io.BytesIO()
    sheet.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def toml_text(spec: DatasetSpec) -> str:
    """Return the spec as TOML: ``galcubecraft dataset SPEC.toml`` makes the same cube."""
    header = (
        "# Written by galcubecraft explore: item 0 of this spec is the cube on the page.\n"
        "# galcubecraft dataset this.toml --format npy --workers 0 makes it again.\n"
    )
    return header + spec.to_toml()
