"""The explorer: a page in the browser that makes one cube live and shows it.

``galcubecraft explore`` serves it on 127.0.0.1 (:mod:`.server`); :func:`explore` returns
it for a notebook.  The controls are declared in :mod:`.state` and are one cube's
:class:`~GalCubeCraft.priors.spec.DatasetSpec` (so the page's TOML makes the same cube
again); :mod:`.shown` computes what the views draw, :mod:`.figures` draws it with Bokeh,
:mod:`.app` wires controls, live rendering and exports, :mod:`.store_browser` steps
through a stored dataset and :mod:`.export` writes the downloads.

Panel and Bokeh (the ``explorer`` extra) are imported by those modules only, never by
``import GalCubeCraft``.
"""

from __future__ import annotations

from typing import Any

EXTRA_MESSAGE = "the explorer needs panel and bokeh: pip install 'GalCubeCraft[explorer]'"


def explore(store: str | None = None) -> Any:
    """Return the explorer's page, to show in a Jupyter notebook (or ``.servable()``).

    Parameters
    ----------
    store : str, optional
        A dataset store to open in the browse card.
    """
    try:
        from .server import configure_offline
    except ImportError as error:  # pragma: no cover - the test extra installs panel
        raise ImportError(EXTRA_MESSAGE) from error
    try:
        configure_offline()
    except ImportError as error:
        raise ImportError(EXTRA_MESSAGE) from error
    from .app import build_page

    return build_page(store)


__all__ = ["explore"]
