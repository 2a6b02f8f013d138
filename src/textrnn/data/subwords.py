"""Character n-gram ("subword") ids for words, in the manner of fastText.

A word's vector is its own embedding plus the mean of the embeddings of its character
n-grams, hashed into a fixed number of buckets (Bojanowski et al. 2017, "Enriching Word
Vectors with Subword Information"). Words outside the vocabulary (typos, rare inflections —
common in Russian) still get a meaningful vector from their n-grams.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import torch


@lru_cache(maxsize=500_000)
def ngram_ids(word: str, min_n: int, max_n: int, buckets: int, k: int) -> tuple[int, ...]:
    """Bucket ids (1..buckets; 0 is padding) of the character n-grams of ``<word>``.

    The word is wrapped in ``<`` and ``>`` so prefixes and suffixes differ from inner
    n-grams; n runs from ``min_n`` to ``max_n``; duplicates are dropped; at most ``k``
    ids are kept, longest n-grams last, so a long word keeps its short n-grams first.
    Hashing is CRC-32 of the UTF-8 bytes: stable across processes and Python versions.
    """
    w = f"<{word}>"
    seen: dict[int, None] = {}
    for n in range(min_n, max_n + 1):
        for i in range(len(w) - n + 1):
            seen.setdefault(zlib.crc32(w[i : i + n].encode("utf-8")) % buckets + 1, None)
            if len(seen) >= k:
                return tuple(seen)
    return tuple(seen)


def add_subword_channels(ids: torch.Tensor, token_lists, min_n: int, max_n: int, buckets: int, k: int) -> torch.Tensor:
    """Stack word ids with their n-gram ids.

    Args:
        ids: ``(n, T) int64`` word ids from :meth:`Vocabulary.encode_batch` (already truncated).
        token_lists: the tokens behind ``ids`` (at least ``lengths[i]`` per text; an empty
            text's single ``<unk>`` position gets no n-grams).

    Returns:
        ``(n, T, 1 + k) int64``: channel 0 is the word id, channels 1..k the n-gram
        bucket ids (0 = none / padding).
    """
    n, t = ids.shape
    out = torch.zeros((n, t, 1 + k), dtype=torch.int64)
    out[:, :, 0] = ids
    for row, tokens in enumerate(token_lists):
        for col, token in enumerate(tokens[:t]):
            grams = ngram_ids(token, min_n, max_n, buckets, k)
            if grams:
                out[row, col, 1 : 1 + len(grams)] = torch.tensor(grams, dtype=torch.int64)
    return out
