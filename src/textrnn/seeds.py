"""Random seeds: the range every seeded component accepts.

numpy's ``RandomState`` / ``default_rng`` and scikit-learn's ``random_state`` take integers in
``[0, 2**32 - 1]``; torch's ``manual_seed`` takes more, so the narrowest range is the rule.
"""

from __future__ import annotations

from textrnn.errors import TextrnnError

MAX_SEED = 2**32 - 1


def check_seed(seed: int, option: str = "--seed") -> int:
    """``seed`` if it is an integer in ``[0, 2**32 - 1]``.

    Raises:
        TextrnnError: anything else, naming ``option`` and the value.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise TextrnnError(f"{option} must be an integer in [0, {MAX_SEED}], got {seed!r}")
    return seed
