"""Pretrained word vectors for the embedding layer: navec (Russian, offline) or a word2vec / GloVe text file.

The vectors are copied into the model's embedding matrix at training time and saved with
its weights (safetensors), so a trained model never needs the vector file again.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from textrnn.errors import TextrnnError
from textrnn.vocab import Vocab

NAVEC_FILE = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"


def _navec_lookup(path: Path) -> tuple[Callable[[str], np.ndarray | None], int, str]:
    try:
        from navec import Navec
    except ImportError:
        raise TextrnnError("navec vectors need the optional extra: pip install 'textrnn[navec]'") from None
    try:
        navec = Navec.load(str(path))
    except Exception as e:  # a tar without navec's meta / vocab / pq members
        raise TextrnnError(
            f"{str(path)!r} is not a navec archive (reading it failed with {type(e).__name__}); expected a navec .tar "
            f"holding meta.json, vocab.bin and pq.bin, e.g. navec_hudlit_v1_12B_500K_300d_100q.tar"
        ) from None

    def lookup(word: str) -> np.ndarray | None:
        return navec[word] if word in navec else None

    return lookup, int(navec.pq.dim), path.name.removesuffix(".tar")


def _load_navec(path: Path | None = None) -> tuple[Callable[[str], np.ndarray | None], int, str]:
    """navec vectors (Kukushkin 2020, github.com/natasha/navec): the news vectors inside the
    `natasha` wheel, or a navec ``.tar`` archive at ``path`` (e.g. the hudlit release).

    Raises:
        TextrnnError: the optional extra is not installed (``pip install textrnn[navec]``),
            or ``path`` is not a navec archive.
    """
    if path is not None:
        return _navec_lookup(path)
    try:
        import navec  # noqa: F401

        ref = resources.files("natasha") / NAVEC_FILE
    except ImportError:
        raise TextrnnError("embeddings navec needs the optional extra: pip install 'textrnn[navec]' (navec + natasha)",
                           param="embeddings") from None
    with resources.as_file(ref) as found:
        if not Path(found).is_file():
            raise TextrnnError(f"navec vectors not found in the natasha package ({NAVEC_FILE})")
        return _navec_lookup(Path(found))


def _load_text_vectors(path: Path, wanted: set[str]) -> tuple[Callable[[str], np.ndarray | None], int, str]:
    """word2vec text format (an optional "count dim" header line) or GloVe (no header).

    Only the vectors of ``wanted`` words are kept in memory.

    Raises:
        TextrnnError: missing file, not UTF-8, ragged or non-numeric lines.
    """
    if not path.is_file():
        raise TextrnnError(f"embeddings file {str(path)!r} not found; expected 'navec', a navec .tar archive or a word2vec/GloVe text file")
    vectors: dict[str, np.ndarray] = {}
    dim = None
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                parts = line.rstrip("\n").rstrip().split(" ")
                if lineno == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                    continue  # word2vec header
                if len(parts) < 2:
                    continue
                if dim is None:
                    dim = len(parts) - 1
                if len(parts) - 1 != dim:
                    raise TextrnnError(f"{str(path)!r} line {lineno}: {len(parts) - 1} numbers, expected {dim}")
                if parts[0] in wanted:
                    try:
                        vectors[parts[0]] = np.asarray(parts[1:], dtype=np.float32)
                    except ValueError:
                        raise TextrnnError(f"{str(path)!r} line {lineno}: not a word followed by numbers") from None
    except UnicodeDecodeError:
        raise TextrnnError(f"{str(path)!r} is not UTF-8 text; expected a word2vec/GloVe text file") from None
    if dim is None:
        raise TextrnnError(f"{str(path)!r} holds no vectors")
    return vectors.get, dim, path.name


def open_vectors(source: str, wanted: set[str]) -> tuple[Callable[[str], np.ndarray | None], int, str]:
    """``(lookup, dim, name)`` of ``"navec"``, a navec ``.tar`` or a word2vec / GloVe text file
    (of which only the ``wanted`` words are kept).

    Raises:
        TextrnnError: unknown source, missing extra, or a bad vector file.
    """
    if source == "navec":
        return _load_navec()
    if Path(source).is_dir():
        raise TextrnnError(f"embeddings path {source!r} is a directory; expected 'navec', a navec .tar archive "
                           f"or a word2vec/GloVe text file")
    if source.lower().endswith(".tar") and Path(source).is_file():
        return _load_navec(Path(source))
    return _load_text_vectors(Path(source), wanted)


class StaticVectors:
    """Frozen pretrained vectors looked up for any word when sentences are encoded, so a word
    outside the training vocabulary still has its vector; never stored in a model (a run
    directory names the source, which prediction opens again).

    Args:
        source: ``"navec"``, a navec ``.tar`` or a word2vec / GloVe text file.
    """

    def __init__(self, source: str) -> None:
        self.source = check_embeddings_source(source)
        self._lookup: Callable[[str], np.ndarray | None] | None = None
        self._text_file = source != "navec" and not source.lower().endswith(".tar")
        self._cache: dict[str, np.ndarray | None] = {}
        self.dim, self.name = (0, "") if self._text_file else self._open(set())[1:]

    def _open(self, wanted: set[str]):
        self._lookup, self.dim, self.name = found = open_vectors(self.source, wanted)
        return found

    def matrix(self, words: Sequence[str]) -> torch.Tensor:
        """``(len(words), dim) float32``: each word's vector, zeros where the vectors lack it."""
        missing = {w for w in words if w not in self._cache}
        if missing:
            if self._text_file:  # a text file is read again for the words not yet seen (only they are kept)
                self._open(missing)
            for w in missing:
                self._cache[w] = self._lookup(w)
        out = np.zeros((len(words), self.dim), dtype=np.float32)
        for i, w in enumerate(words):
            v = self._cache[w]
            if v is not None:
                out[i] = v
        return torch.from_numpy(out)


def navec_available() -> bool:
    """True when the optional navec extra (navec + natasha's bundled vectors) is installed."""
    import importlib.util

    return importlib.util.find_spec("navec") is not None and importlib.util.find_spec("natasha") is not None


def check_embeddings_source(source: str) -> str:
    """The cheap checks of an ``--embeddings`` value, before any work: ``navec`` needs the
    optional extra installed; a path must be an existing file.

    Raises:
        TextrnnError: the extra is missing, or the path does not exist or is a directory.
    """
    if source == "navec":
        if not navec_available():
            raise TextrnnError("embeddings navec needs the optional extra: pip install 'textrnn[navec]' (navec + natasha)",
                               param="embeddings")
        return source
    path = Path(source)
    if path.is_dir():
        raise TextrnnError(f"embeddings path {source!r} is a directory; expected 'navec', a navec .tar archive "
                           f"or a word2vec/GloVe text file")
    if not path.is_file():
        raise TextrnnError(f"embeddings file {source!r} not found; expected 'navec', a navec .tar archive "
                           f"or a word2vec/GloVe text file")
    return source


def pretrained_matrix(vocab: Vocab, source: str, token_counts: dict[str, int] | None = None,
                      seed: int = 13) -> tuple[torch.Tensor, dict]:
    """An embedding matrix for ``vocab`` from pretrained vectors.

    Args:
        vocab: the model's vocabulary.
        source: ``"navec"`` (the news vectors in the natasha wheel), the path of a navec
            ``.tar`` archive, or the path of a word2vec / GloVe text file.
        token_counts: training-set token frequencies, for the running-token coverage.
        seed: seeds the random init of words that have no vector.

    Returns:
        ``(len(vocab), dim) float32`` weights — ``<pad>`` is all zeros, words without a
        pretrained vector get N(0, σ²) with σ the standard deviation of the found vectors —
        and stats: ``source``, ``dim``, ``found`` words, ``vocab_coverage`` (share of the
        vocabulary, special tokens excluded) and ``token_coverage`` (share of running training tokens).

    Raises:
        TextrnnError: unknown source, missing extra, or a bad vector file.
    """
    if source == "navec":
        lookup, dim, name = _load_navec()
    elif Path(source).is_dir():
        raise TextrnnError(f"embeddings path {source!r} is a directory; expected 'navec', a navec .tar archive "
                           f"or a word2vec/GloVe text file")
    elif source.lower().endswith(".tar") and Path(source).is_file():
        lookup, dim, name = _load_navec(Path(source))
    else:
        lookup, dim, name = _load_text_vectors(Path(source), set(vocab.itos))
    rows, found_ids = {}, []
    first = len(vocab.specials)
    for i, word in enumerate(vocab.itos[first:], start=first):
        vec = lookup(word)
        if vec is not None:
            rows[i] = np.asarray(vec, dtype=np.float32)
            found_ids.append(i)
    std = float(np.std(np.stack(list(rows.values())))) if rows else 0.1
    gen = torch.Generator().manual_seed(seed)
    weights = torch.randn((len(vocab), dim), generator=gen) * (std if math.isfinite(std) and std > 0 else 0.1)
    for i, vec in rows.items():
        weights[i] = torch.from_numpy(vec)
    weights[vocab.pad_id] = 0.0
    n_words = max(len(vocab) - first, 1)
    stats = {"vectors": name, "dim": dim, "found": len(found_ids), "vocab_coverage": len(found_ids) / n_words}
    if token_counts:
        total = sum(token_counts.values())
        known = sum(c for w, c in token_counts.items() if w in vocab.stoi and vocab.stoi[w] in rows)
        stats["token_coverage"] = known / total if total else 0.0
    return weights, stats
