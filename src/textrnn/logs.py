"""textrnn's log: one ``logging`` logger, shown on stderr by default, that the library writes to instead of printing.

The library reports progress and warnings through ``logging.getLogger("textrnn")`` (and the
loggers below it). So that a Python user sees training progress without configuring logging, the
logger gets one handler of its own that writes bare messages to the current ``sys.stderr``
(as huggingface transformers and Flair do); :func:`set_verbosity` quiets it, or a user may
remove the handler and let records propagate to their own configuration.
"""

from __future__ import annotations

import logging
import sys

LOGGER_NAME = "textrnn"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each record (pytest and notebooks replace it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def get_logger(name: str = LOGGER_NAME) -> logging.Logger:
    """The textrnn logger (or a child of it, e.g. ``textrnn.training``), with the stderr handler installed once."""
    root = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers) and not getattr(root, "_textrnn_configured", False):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
        root._textrnn_configured = True  # type: ignore[attr-defined]
    return logging.getLogger(name)


def set_verbosity(level: int | str) -> None:
    """Show textrnn's records from ``level`` up (``"INFO"`` by default; ``"WARNING"`` hides progress)."""
    get_logger().setLevel(level)
