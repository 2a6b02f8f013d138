"""Temporary shim: the preprocessing code now lives in :mod:`textrnn.text`; import from there.

This module only re-exports the names that code, tests and benchmarks imported from here, and
goes away once nothing does. ``_FAST_LEMMA`` and ``PARALLEL_MIN_TEXTS`` are read live from
:mod:`textrnn.text.morphology` / :mod:`textrnn.text.workers`; setting (or monkeypatching) them
here changes nothing: set them in those modules.
"""

from __future__ import annotations

import multiprocessing as mp  # noqa: F401  (tests patched pp.mp.get_all_start_methods)
from pathlib import Path  # noqa: F401  (tests used pp.Path)

from textrnn.text import (  # noqa: F401
    CONFIG_VERSION,
    DEFAULTS,
    IMPLEMENTATION_VERSION,
    NUM_TOKEN,
    SAD_TOKEN,
    SMILE_TOKEN,
    Preprocessor,
    clear_caches,
    dawg_extension_available,
    default_cache_dir,
    default_stopwords,
    get_morph,
    lemma,
    stem,
    transform_file_cached,
)
from textrnn.text import morphology as _morphology
from textrnn.text import workers as _workers
from textrnn.text.morphology import _LEMMA_CACHE, _top_normal_form  # noqa: F401
from textrnn.text.patterns import CYRILLIC_RE  # noqa: F401
from textrnn.text.workers import _worker_init  # noqa: F401

_DEFAULTS = DEFAULTS  # the same dict, under its old private name

_LIVE = {"_FAST_LEMMA": _morphology, "PARALLEL_MIN_TEXTS": _workers}


def __getattr__(name: str):
    if name in _LIVE:
        return getattr(_LIVE[name], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Preprocessor",
    "clear_caches",
    "default_cache_dir",
    "default_stopwords",
    "dawg_extension_available",
    "get_morph",
    "lemma",
    "stem",
    "transform_file_cached",
    "PARALLEL_MIN_TEXTS",
]
