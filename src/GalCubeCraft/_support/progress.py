"""Progress bars (tqdm): items done, cubes/s and time left, on stderr."""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(total: int, enabled: bool = True, terminal_only: bool = False) -> Any:
    """Return a tqdm bar over ``total`` cubes; call ``update(k)`` and ``close()``.

    Parameters
    ----------
    total : int
        Cubes to make.
    enabled : bool
        False gives a bar that draws nothing.
    terminal_only : bool
        Draw only when stderr is a terminal: a log file gets the command line's summary
        lines instead of hundreds of redrawn bars.
    """
    from tqdm import tqdm

    disable: bool | None = not enabled or (None if terminal_only else False)
    return tqdm(total=total, unit="cube", file=sys.stderr, disable=disable, dynamic_ncols=True,
                smoothing=0.1)  # fmt: skip
