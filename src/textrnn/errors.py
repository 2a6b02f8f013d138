"""The one exception type textrnn raises for bad user input.

The CLI turns a :class:`TextrnnError` into one line on stderr and exit code 2, with no
traceback. Library users can catch it like a ``ValueError``.
"""

from __future__ import annotations


class TextrnnError(ValueError):
    """Bad input from the user: a missing file, a wrong column, an invalid option value.

    The message is one line that names the bad value and what was expected. It speaks of the
    library's parameters (``hidden_size``, ``force``); ``param`` names the parameter at fault (or
    a tuple of them), so that the CLI can say its flag instead (``--hidden-size``, ``--force``).
    """

    def __init__(self, message: str, param: str | tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.param = param
