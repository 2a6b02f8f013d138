"""Type and range checks that name the bad value: the one place config fields and loaded files are validated."""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

from textrnn.errors import TextrnnError

#: numpy's and scikit-learn's seeds are integers in [0, 2**32 - 1]; torch takes more, so the narrowest range is the rule.
MAX_SEED = 2**32 - 1


def check_int(name: str, value: Any, lo: int, hi: int | None = None, what: str = "option") -> int:
    """``value`` if it is an ``int`` (not a bool) in ``[lo, hi]``.

    Raises:
        TextrnnError: anything else, naming ``name`` and the value.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi is not None and value > hi):
        shown = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else f"an integer of {len(str(value))} digits"
        bound = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise TextrnnError(f"{what} {name}={shown} is invalid; expected an integer {bound}", param=name)
    return value


def check_float(name: str, value: Any, lo: float, hi: float, *, hi_open: bool = False, lo_open: bool = False,
                what: str = "option") -> float:
    """``value`` as a float if it is a finite number (an int is accepted) in the range.

    ``lo_open`` / ``hi_open`` exclude the ends: ``check_float("dropout", p, 0, 1, hi_open=True)`` is ``[0, 1)``.

    Raises:
        TextrnnError: not a number, not finite, or outside the range.
    """
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not ok:
        bound = f"{'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
        raise TextrnnError(f"{what} {name}={value!r} is invalid; expected a number in {bound}", param=name)
    return float(value) + 0.0  # -0.0 becomes 0.0


def check_bool(name: str, value: Any, what: str = "option") -> bool:
    """``value`` if it is a bool.

    Raises:
        TextrnnError: anything else.
    """
    if not isinstance(value, bool):
        raise TextrnnError(f"{what} {name}={value!r} is invalid; expected true or false", param=name)
    return value


def check_choice(name: str, value: Any, choices: Sequence[Any], what: str = "option") -> Any:
    """``value`` if it is one of ``choices``.

    Raises:
        TextrnnError: anything else, listing the choices.
    """
    if not isinstance(value, (str, int, type(None))) or value not in choices:
        shown = ", ".join("unset" if c is None else str(c) for c in choices)
        raise TextrnnError(f"{what} {name}={value!r} is unknown; expected one of {shown}", param=name)
    return value


def check_instances(*pairs: tuple[str, Any, type]) -> None:
    """Each ``(name, value, class)``: ``value`` is ``None`` or an instance of ``class``.

    Raises:
        TextrnnError: the first that is not, named.
    """
    for name, value, kind in pairs:
        if value is not None and not isinstance(value, kind):
            raise TextrnnError(f"{name} must be a {kind.__name__} or None, got {type(value).__name__}", param=name)


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` if it is an integer in ``[0, 2**32 - 1]``.

    Raises:
        TextrnnError: anything else.
    """
    return check_int(name, seed, 0, MAX_SEED)


def check_max_norm(value: Any, name: str = "clip_grad_norm") -> float:
    """A gradient-clipping threshold: a finite number >= 0 (0 = no clipping).

    Raises:
        TextrnnError: NaN, infinite or negative.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
        raise TextrnnError(f"{name} must be a finite number >= 0 (0 = no clipping), got {value}", param=name)
    return float(value) + 0.0


def check_fields(obj: Any, rules: dict[str, tuple], what: str) -> None:
    """Check the fields of a config object against ``rules``: ``name -> (kind, *args)`` with
    ``kind`` one of ``"int" (lo, hi)``, ``"float" (lo, hi, hi_open)``, ``"bool"``, ``"choice" (choices)``,
    ``"optional_int" (lo, hi)``, ``"optional_float" (lo, hi)``.

    Raises:
        TextrnnError: the first bad field.
    """
    for name, (kind, *args) in rules.items():
        value = getattr(obj, name)
        if kind.startswith("optional_"):
            if value is None:
                continue
            kind = kind.removeprefix("optional_")
        if kind == "int":
            check_int(name, value, *args, what=what)
        elif kind == "float":
            lo, hi, *rest = args
            setattr(obj, name, check_float(name, value, lo, hi, hi_open=bool(rest and rest[0]),
                                           lo_open=bool(len(rest) > 1 and rest[1]), what=what))
        elif kind == "bool":
            check_bool(name, value, what=what)
        elif kind == "choice":
            check_choice(name, value, args[0], what=what)
        else:  # pragma: no cover - a typo in a rules table
            raise AssertionError(f"unknown rule {kind!r}")


def parse_range(value: str | Sequence[int], what: str = "ngram_range") -> tuple[int, int]:
    """An n-gram range: ``"1,2"`` / ``"1-2"`` / ``"2"`` / ``(1, 2)`` -> ``(1, 2)`` (the one grammar of the CLI, specs and configs).

    Raises:
        TextrnnError: not two positive integers with min <= max (e.g. ``"2,1"``, ``"a,b"``).
    """
    param = what if what.isidentifier() else None
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,6})\s*(?:[,\-:]\s*(\d{1,6})\s*)?", value)
        if not m:
            raise TextrnnError(f"{what} {value!r} is invalid; expected MIN,MAX with positive integers, e.g. 1,2", param)
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    elif (isinstance(value, (list, tuple)) and len(value) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        lo, hi = value
    else:
        raise TextrnnError(f"{what} {value!r} is invalid; expected two positive integers, e.g. (1, 2)", param)
    if lo < 1 or hi < lo or hi > 100:
        raise TextrnnError(f"{what} {lo},{hi} is invalid; expected 1 <= MIN <= MAX <= 100, e.g. 1,2", param)
    return lo, hi


def df_counts(min_df: int | float, max_df: int | float, n_docs: int) -> tuple[float, float]:
    """The document counts ``min_df`` and ``max_df`` stand for among ``n_docs`` documents
    (scikit-learn's reading: an int is a count, a float a fraction of ``n_docs``)."""
    low = min_df if isinstance(min_df, int) else min_df * n_docs
    high = max_df if isinstance(max_df, int) else max_df * n_docs
    return float(low), float(high)


def check_df_counts(min_df: int | float, max_df: int | float, n_docs: int) -> None:
    """Refuse ``min_df`` / ``max_df`` that no term of ``n_docs`` documents can meet, before any fitting.

    Raises:
        TextrnnError: ``min_df`` above the number of documents, or ``max_df`` allowing fewer
            documents than ``min_df`` needs (the message names both values and the counts they mean).
    """
    low, high = df_counts(min_df, max_df, n_docs)

    def said(name: str, value: int | float, count: float) -> str:
        return f"{name}={value!r}" + ("" if isinstance(value, int) else f" ({count:g} of {n_docs} documents)")

    if low > n_docs:
        raise TextrnnError(f"{said('min_df', min_df, low)} keeps terms found in at least {low:g} documents, but there "
                           f"are {n_docs} documents; expected min_df <= {n_docs}", param="min_df")
    if high < low:
        raise TextrnnError(f"{said('min_df', min_df, low)} and {said('max_df', max_df, high)} leave no term: a term "
                           f"needs at least {low:g} and at most {high:g} of the {n_docs} documents; expected max_df to "
                           f"allow at least as many documents as min_df", param=("min_df", "max_df"))
