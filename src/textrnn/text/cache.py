"""The on-disk cache of preprocessed tokens, keyed by file content, texts and configuration."""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from textrnn.errors import TextrnnError
from textrnn.logs import get_logger

log = get_logger("textrnn.text")

if TYPE_CHECKING:
    from textrnn.text.pipeline import Preprocessor


def default_cache_dir() -> Path:
    """``$TEXTRNN_CACHE_DIR`` if set, else ``~/.cache/textrnn``."""
    env = os.environ.get("TEXTRNN_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "textrnn"


def _file_digest(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _texts_digest(texts: Sequence[Any]) -> str:
    h = hashlib.sha256()
    for t in texts:
        s = "" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t)
        h.update(s.encode("utf-8", "surrogatepass"))
        h.update(b"\x00\x01")
    return h.hexdigest()


def transform_file_cached(
    path: str | os.PathLike | None,
    texts: Sequence[Any],
    preprocessor: Preprocessor,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = 1,
    progress: bool = False,
    quiet: bool = False,
) -> list[list[str]]:
    """``preprocessor.transform(texts)``, kept on disk so the same file is processed once.

    The key is (content hash of ``path``, pipeline configuration, textrnn's implementation
    version, hash of ``texts``): editing the file, the options or the column read gives a new
    entry. On a hit a message goes to stderr and no text is processed. A cache that cannot be
    written or read is skipped silently.

    Args:
        path: the file ``texts`` were read from (``None``: key on the texts alone).
        texts: the raw texts.
        preprocessor: the pipeline.
        cache_dir: default :func:`default_cache_dir` (``$TEXTRNN_CACHE_DIR`` or ``~/.cache/textrnn``).
        workers, progress: passed to :meth:`Preprocessor.transform` on a miss.
        quiet: no message on a cache hit.
    """
    texts = texts if isinstance(texts, list) else list(texts)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    try:
        file_part = _file_digest(path) if path is not None else "-"
    except OSError as e:
        raise TextrnnError(f"cannot read {str(path)!r}: {e.strerror or e}") from None
    key = hashlib.sha256(
        "\n".join([file_part, preprocessor.config_hash(), _texts_digest(texts)]).encode()
    ).hexdigest()[:32]
    entry = root / "preprocess" / f"{key}.json"
    if entry.is_file():
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            tokens = data["tokens"]
            well_formed = isinstance(tokens, list) and len(tokens) == len(texts) and all(
                isinstance(row, list) and all(isinstance(t, str) for t in row) for row in tokens)
            if well_formed:  # anything else (a damaged or foreign file) is a miss, recomputed
                name = Path(path).name if path is not None else "the texts"
                if not quiet:
                    log.info(f"preprocessed tokens of {name} ({len(texts)} texts) found in the cache "
                             f"{str(entry)!r}; skipping preprocessing")
                return tokens
        except (OSError, ValueError, KeyError, TypeError):
            pass
    tokens = preprocessor.transform(texts, workers=workers, progress=progress)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.name}.tmp-", dir=entry.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(
                    {"source": str(path) if path is not None else None, "config": preprocessor.to_dict(),
                     "tokens": tokens},
                    f,
                    ensure_ascii=False,
                )
            os.replace(tmp, entry)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError):  # unwritable directory; text that UTF-8 cannot encode
        pass
    return tokens


def tokenize_file(path: str | os.PathLike | None, texts: Sequence[Any], preprocessor: "Preprocessor",
                  cache: bool = True, workers: int | None = 1, quiet: bool = False) -> list[list[str]] | None:
    """The tokens of ``texts`` read from ``path``: through the on-disk cache
    (:func:`transform_file_cached`) when ``cache``, else computed. ``path=None`` gives ``None``
    (no such file, e.g. no validation set)."""
    if path is None:
        return None
    if cache:
        return transform_file_cached(path, texts, preprocessor, workers=workers, quiet=quiet)
    return preprocessor.transform(texts, workers=workers)
