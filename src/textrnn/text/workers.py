"""The parallel path of :meth:`Preprocessor.transform`: a process pool that gives the serial result."""

from __future__ import annotations

import math
import multiprocessing as mp
import signal
import sys
from typing import TYPE_CHECKING

from textrnn.text.morphology import _MAX_CACHE, get_morph

if TYPE_CHECKING:
    from textrnn.text.pipeline import Preprocessor

# Minimum number of texts for which ``workers > 1`` starts processes (below: serial, same result).
PARALLEL_MIN_TEXTS = 2000


def transform_parallel(pre: Preprocessor, texts: list, workers: int, progress: bool) -> list[list[str]]:
    """Three phases, each a fixed function of its input, so the result equals the serial one.

    1. workers clean chunks of texts (in order) and report the pieces they have not cached;
    2. those distinct pieces are shared out among the workers, so each word form is
       tokenised and lemmatised once in all (not once per worker), and cached here;
    3. workers forked after phase 2 (they inherit the complete cache) map pieces to tokens
       and apply negation and stop words; this process only splits their answers.
       (Where ``fork`` is unavailable, or punctuation is kept, this process does phase 3.)
    """
    global _WORKER
    workers = min(workers, max(1, len(texts) // 500))
    if pre.lemmatize:
        get_morph()  # built once here and inherited by forked workers
    if pre.stopwords:
        pre._stop_set()
    if pre.negation:
        pre._neg_set()
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    n_chunks = workers * 8
    size = max(1, math.ceil(len(texts) / n_chunks))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc="preprocessing", unit=" texts", disable=None, file=sys.stderr)
    fast = pre._fast_path
    cache = pre._piece_cache
    cleaned_chunks: list[list[str]] = []
    pieces: list[list[str]] = []
    global _JOB
    fork = method == "fork"
    _WORKER = pre
    try:
        # With fork the workers inherit the inputs (_JOB): only chunk numbers travel.
        _JOB = chunks if fork else None
        with ctx.Pool(workers, initializer=_worker_init, initargs=(pre.to_dict(),)) as pool:
            if fast:
                new: set[str] = set()
                tasks = range(len(chunks)) if fork else chunks
                for cleaned, fresh in pool.imap(_worker_clean, tasks):
                    cleaned_chunks.append(cleaned)
                    new.update(fresh)
                    if bar is not None:
                        bar.update(len(cleaned) // 2)
                missing = [p for p in new if p not in cache]
            else:
                for part in pool.imap(_worker_pieces, chunks):
                    pieces.extend(part)
                    if bar is not None:
                        bar.update(len(part) // 2)
                missing = list({p for ps in pieces for p in ps if p not in cache})
            if missing:
                msize = max(1, math.ceil(len(missing) / (workers * 4)))
                mchunks = [missing[i : i + msize] for i in range(0, len(missing), msize)]
                if len(cache) + len(missing) >= _MAX_CACHE:
                    cache.clear()
                for mchunk, results in zip(mchunks, pool.imap(_worker_piece_tokens, mchunks)):
                    cache.update(zip(mchunk, results))
        out: list[list[str]] = []
        if fast and fork:
            _JOB = cleaned_chunks
            with ctx.Pool(workers, initializer=_worker_init, initargs=(pre.to_dict(),)) as pool:
                for part in pool.imap(_worker_assemble, range(len(cleaned_chunks))):
                    out.extend(part)
        elif fast:
            out = [pre._assemble(c.split()) for chunk in cleaned_chunks for c in chunk]
        else:
            out = list(map(pre._assemble, pieces))
    finally:
        _WORKER = None
        _JOB = None
    if bar is not None:
        bar.update(len(texts) - bar.n)
        bar.close()
    return out


# The pipeline a worker runs: with fork, the parent's instance (and its caches) inherited from
# transform_parallel; with spawn, rebuilt from the configuration by _worker_init.
_WORKER: Preprocessor | None = None
_JOB: list | None = None  # inputs of the running parallel transform, inherited by forked workers
_REPORTED: set[str] = set()  # in a worker: pieces already reported to the parent


def _worker_init(config: dict) -> None:
    global _WORKER
    # A forked worker inherits the parent's signal handlers: the CLI turns SIGTERM into SystemExit,
    # which a worker blocked on its task queue could swallow, so Pool.terminate() (the end of every
    # `with Pool(...)`) waited for it forever (seen once in ~20 runs). Workers die on SIGTERM and
    # leave Ctrl-C to the parent.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _REPORTED.clear()
    if _WORKER is None or _WORKER.to_dict() != config:  # spawn: rebuild from the configuration
        from textrnn.text.pipeline import Preprocessor  # here: pipeline imports this module

        _WORKER = Preprocessor.from_dict(config)


def _worker_pieces(texts: list) -> list[list[str]]:
    assert _WORKER is not None
    return _WORKER._pieces_many(texts)


def _worker_clean(texts: list | int) -> tuple[list[str], set[str]]:
    """Cleaned texts and the pieces among them that this worker's cache lacks (fast path).

    ``texts`` is a chunk of texts, or (fork) the number of a chunk in the inherited ``_JOB``.
    """
    assert _WORKER is not None
    if isinstance(texts, int):
        texts = _JOB[texts]
    cleaned = _WORKER._clean_many(texts)
    pieces: set[str] = set()
    for c in cleaned:
        pieces.update(c.split())
    cache = _WORKER._piece_cache
    fresh = {p for p in pieces if p not in cache and p not in _REPORTED}
    _REPORTED.update(fresh)  # each worker reports a piece once, not once per chunk
    return cleaned, fresh


def _worker_assemble(cleaned: list[str] | int) -> list[list[str]]:
    """Tokens of cleaned texts (pickle sends each distinct token string once per chunk).

    ``cleaned`` is a chunk of cleaned texts, or (fork) the number of a chunk in ``_JOB``.
    """
    assert _WORKER is not None
    if isinstance(cleaned, int):
        cleaned = _JOB[cleaned]
    assemble = _WORKER._assemble
    return [assemble(c.split()) for c in cleaned]


def _worker_piece_tokens(pieces: list[str]) -> list[tuple[str, ...]]:
    assert _WORKER is not None
    return [_WORKER._piece_tokens(p) for p in pieces]
