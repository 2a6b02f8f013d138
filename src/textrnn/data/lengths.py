"""Empty and over-long token lists: counted, and said in the log, where training and prediction meet them.

A text with no tokens (blank, or emptied by preprocessing: only a link, only punctuation) is left
out of training; at prediction it still gets a label, the model's answer for an empty text, with
a warning. A text longer than ``max_len`` tokens keeps its first ``max_len``: the log says how many.
"""

from __future__ import annotations

import logging
from typing import Sequence

from textrnn.logs import get_logger

log = get_logger("textrnn.data")


def count_empty(token_lists: Sequence[Sequence[str]]) -> int:
    """How many of the token lists are empty."""
    return sum(1 for t in token_lists if not t)


def count_truncated(token_lists: Sequence[Sequence[str]], max_len: int | None) -> int:
    """How many token lists are longer than ``max_len`` (``None``: no limit, 0)."""
    if max_len is None:
        return 0
    return sum(1 for t in token_lists if len(t) > max_len)


def report_truncated(token_lists: Sequence[Sequence[str]], max_len: int | None, what: str = "texts",
                     say=None) -> int:
    """Say "N texts truncated to M tokens (max_len)" when any are longer than ``max_len``; returns N.

    ``say`` is a ``str -> None`` callable (the log's ``info`` when ``None``).
    """
    n = count_truncated(token_lists, max_len)
    if n:
        said = what.replace("texts", "text") if n == 1 else what
        (say or log.info)(f"{n} {said} truncated to {max_len} tokens (max_len)")
    return n


def report_empty_predictions(token_lists: Sequence[Sequence[str]], logger: logging.Logger | None = None) -> int:
    """Warn that the empty texts among those predicted get the model's answer for an empty text; returns how many."""
    empty = [i for i, t in enumerate(token_lists) if not t]
    if empty:
        which = f"text {empty[0] + 1} is" if len(empty) == 1 else f"{len(empty)} texts (the first: text {empty[0] + 1}) are"
        (logger or log).warning(f"warning: {which} empty after preprocessing; its label is the model's answer for "
                                f"an empty text")
    return len(empty)


def drop_empty(token_lists: Sequence[Sequence[str]], *columns: Sequence, what: str = "training texts",
               say=None) -> tuple[list, ...]:
    """The token lists that are not empty, and the same rows of each of ``columns``.

    ``say`` (a ``str -> None`` callable, e.g. ``log.info``) hears "N of M training texts are empty
    before or after preprocessing: left out" when any are dropped.
    """
    keep = [i for i, t in enumerate(token_lists) if t]
    if len(keep) == len(token_lists):
        return (list(token_lists), *(list(c) for c in columns))
    if say is not None:
        say(f"{len(token_lists) - len(keep)} of {len(token_lists)} {what} are empty before or after preprocessing: "
            f"left out")
    return ([token_lists[i] for i in keep], *([c[i] for i in keep] for c in columns))
