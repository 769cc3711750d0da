"""A dependency-free progress bar for the facade's ``verbose`` output."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Print ``label [#####.....] k/n  rate/s`` on one line, refreshed in place."""

    def __init__(self, total: int, label: str = "cubes", stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.done = 0
        self.start = time.perf_counter()

    def advance(self, k: int = 1) -> None:
        """Count ``k`` more items done and redraw."""
        self.done += k
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "." * (width - filled)
        rate = self.done / elapsed
        end = "\n" if self.done >= self.total else ""
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}  {rate:.2f}/s{end}")
        self.stream.flush()
