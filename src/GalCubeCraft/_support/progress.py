"""Progress bars (tqdm): items done, cubes/s and time left, on stderr, on a terminal.

Every bar in the package follows one rule, ``show``: True draws it, False never, and None
(the default everywhere) only when stderr is a terminal.  A log file, a pipe or a
notebook's captured stderr then gets the summary lines, not hundreds of redrawn bars.
"""

from __future__ import annotations

import sys
from typing import Any

from . import validate as _validate


def check_show(name: str, show: Any) -> bool | None:
    """Return ``show`` checked: True, False or None (on a terminal only), naming ``name``."""
    if show is None:
        return None
    return _validate.boolean(name, show)


def progress_bar(total: int, show: bool | None = None) -> Any:
    """Return a tqdm bar over ``total`` cubes; call ``update(k)`` and ``close()``.

    Parameters
    ----------
    total : int
        Cubes to make.
    show : bool or None
        True: draw; False: a bar that draws nothing; None: draw only when stderr is a
        terminal.
    """
    from tqdm import tqdm

    disable = None if show is None else not show  # tqdm's None: off unless a terminal
    return tqdm(total=total, unit="cube", file=sys.stderr, disable=disable, dynamic_ncols=True,
                smoothing=0.1)  # fmt: skip
