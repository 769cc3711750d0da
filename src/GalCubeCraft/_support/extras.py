"""The error an optional dependency's absence raises: it names the extra that installs it.

Each optional library is imported in one module, which raises :class:`MissingExtraError`
when it is missing.  It is an ``ImportError`` (code that catches those keeps working);
the command line tells it from other import errors and prints its message as one line,
with no traceback: the user's fix is an install, not a bug report.
"""

from __future__ import annotations


class MissingExtraError(ImportError):
    """An optional dependency is missing; the message says what to install."""
