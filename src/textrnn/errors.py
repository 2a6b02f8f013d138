"""The one exception type textrnn raises for bad user input.

The CLI turns a :class:`TextrnnError` into one line on stderr and exit code 2,
with no traceback. Library users can catch it like a ``ValueError``.
"""


class TextrnnError(ValueError):
    """Bad input from the user: a missing file, a wrong column, an invalid option value.

    The message is one line that names the bad value and what was expected.
    """
