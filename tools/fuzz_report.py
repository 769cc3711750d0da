"""Count the fuzz classes over every entry point and the fixed list of hostile values.

Run from the repository root: ``python tools/fuzz_report.py``.  It drives each case of
``tests/test_fuzz.py`` (every public entry point and argument) with each value of its
``HOSTILE`` list, and prints how many cases end in each class: ``ok`` (refused by name
with what is allowed, or sound output), ``unnamed argument``, ``no allowed values``,
``wrong type``, ``silent corruption``, ``negative model``, ``hang`` (over 60 s).  A crash
ends the run itself (the process dies), so a completed report has none.
"""

from __future__ import annotations

import collections
import signal
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HANG_SECONDS = 60


def main() -> int:
    """Print the class counts and each defective case."""
    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(ROOT / "tests"))
    import test_fuzz

    def hang(*_: Any) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, hang)
    counts: collections.Counter[str] = collections.Counter()
    defects = []
    for call, name in test_fuzz.EDGES:
        for value in test_fuzz.HOSTILE:
            with tempfile.TemporaryDirectory() as folder:
                signal.alarm(HANG_SECONDS)
                try:
                    verdict = test_fuzz.classify(call, name, value, Path(folder))
                except TimeoutError:
                    verdict = "hang"
                finally:
                    signal.alarm(0)
            counts[verdict or "ok"] += 1
            if verdict:
                defects.append(f"{verdict} | {name} | {value!r:.40}")
    print(*defects, sep="\n")
    print(f"{sum(counts.values())} cases:", dict(sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
