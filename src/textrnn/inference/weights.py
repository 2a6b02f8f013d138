"""Reading model weights safely: tensor names and shapes from the safetensors header, checked before any module is built.

A safetensors file starts with an 8-byte little-endian header length and a JSON header naming
every tensor's dtype, shape and byte range (https://huggingface.co/docs/safetensors). The
expected shapes come from building the model on PyTorch's ``meta`` device, which allocates
nothing; only when names, shapes and byte ranges agree, and the byte ranges account for the
whole file, are the tensors read — so the memory a load takes is bounded by the file's size.
"""

from __future__ import annotations

import json
import math
import os
import struct
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from textrnn.errors import TextrnnError
from textrnn.files import check_regular_file

MAX_WEIGHTS_BYTES = 64 << 30
MAX_HEADER_BYTES = 100 << 20
_FLOATS = ("F64", "F32", "F16", "BF16")
_ITEMSIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def read_header(path: str | os.PathLike) -> dict[str, tuple[str, tuple[int, ...]]]:
    """``name -> (dtype, shape)`` of every tensor in a safetensors file, after checking that the
    header is well formed and the byte ranges tile the data exactly.

    Raises:
        TextrnnError: not a regular file, too large, or not a valid safetensors file.
    """
    path = Path(path)
    size = check_regular_file(path, MAX_WEIGHTS_BYTES, "safetensors file")
    bad = f"{str(path)!r} is not a valid safetensors file"
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise TextrnnError(f"{bad}: shorter than its 8-byte header length")
        (n,) = struct.unpack("<Q", head)
        if n > min(MAX_HEADER_BYTES, size - 8):
            raise TextrnnError(f"{bad}: header length {n} does not fit the file ({size} bytes)")
        try:
            meta = json.loads(f.read(n).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise TextrnnError(f"{bad}: the header is not JSON") from None
    if not isinstance(meta, dict):
        raise TextrnnError(f"{bad}: the header is not a JSON object")
    out, ranges = {}, []
    for name, info in meta.items():
        if name == "__metadata__":
            continue
        ok = (isinstance(info, dict) and info.get("dtype") in _ITEMSIZE and isinstance(info.get("shape"), list)
              and all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**40 for d in info["shape"])
              and isinstance(info.get("data_offsets"), list) and len(info["data_offsets"]) == 2
              and all(isinstance(o, int) and not isinstance(o, bool) for o in info["data_offsets"]))
        if not ok:
            raise TextrnnError(f"{bad}: tensor {name!r} has a malformed entry")
        begin, end = info["data_offsets"]
        if end - begin != math.prod(info["shape"]) * _ITEMSIZE[info["dtype"]] or begin < 0:
            raise TextrnnError(f"{bad}: tensor {name!r} has {end - begin} bytes for shape {info['shape']}")
        ranges.append((begin, end))
        out[name] = (info["dtype"], tuple(info["shape"]))
    position = 0
    for begin, end in sorted(ranges):
        if begin != position:
            raise TextrnnError(f"{bad}: its tensors do not tile the data")
        position = end
    if 8 + n + position != size:
        raise TextrnnError(f"{bad}: {size} bytes, but its header accounts for {8 + n + position}")
    return out


def expected_shapes(build: Callable[[], nn.Module]) -> dict[str, tuple[int, ...]]:
    """Parameter names and shapes of the module ``build()`` makes, built on the ``meta`` device (no memory)."""
    with torch.device("meta"):
        module = build()
    return {name: tuple(t.shape) for name, t in module.state_dict().items()}


def load_weights(path: str | os.PathLike, build: Callable[[], nn.Module], rename: Callable[[str], str] = str,
                 optional: frozenset[str] = frozenset(), absent: frozenset[str] = frozenset()) -> nn.Module:
    """Build the module and load its weights from ``path``, after the header matches it.

    Args:
        build: makes the module (called once on ``meta`` to learn the shapes, once for real).
        rename: maps a stored tensor name to the module's (older formats used other names).
        optional: module tensors the file may lack.
        absent: module tensors the file must not hold (a tied output matrix is stored once, as the
            embedding; a file that holds it was saved untied).

    Raises:
        TextrnnError: the file is damaged (integer or non-finite weights included), or its
            tensors do not match the configuration.
    """
    path = Path(path)
    stored = {rename(name): info for name, info in read_header(path).items()}
    expected = expected_shapes(build)
    expected = {k: v for k, v in expected.items() if k not in absent}
    missing = sorted(set(expected) - set(stored) - optional)
    unexpected = sorted(set(stored) - set(expected))
    wrong = sorted(k for k in set(stored) & set(expected) if stored[k][1] != expected[k])
    not_float = sorted(k for k, (dtype, _) in stored.items() if dtype not in _FLOATS)
    if not_float:
        raise TextrnnError(f"{str(path)!r} stores {not_float[0]} as {stored[not_float[0]][0]}; expected floating-point weights")
    if missing or unexpected or wrong:
        detail = "; ".join(filter(None, [
            f"missing {missing[:3]}" if missing else "", f"unexpected {unexpected[:3]}" if unexpected else "",
            ", ".join(f"{k} is {list(stored[k][1])}, expected {list(expected[k])}" for k in wrong[:2])]))
        raise TextrnnError(f"{str(path)!r} does not match config.json: {detail}")
    from safetensors.torch import load_file

    try:
        state = {rename(k): v for k, v in load_file(str(path)).items()}
    except Exception as e:  # safetensors raises its own error types for corrupt files
        raise TextrnnError(f"cannot load {str(path)!r}: {str(e).splitlines()[0]}") from None
    bad = next((k for k, v in state.items() if not bool(torch.isfinite(v).all())), None)
    if bad is not None:  # a damaged or diverged file would otherwise predict p=nan without a word
        raise TextrnnError(f"{str(path)!r} stores non-finite values (NaN or infinity) in {bad}; the file is damaged")
    module = build()
    module.load_state_dict(state, strict=not (optional or absent))
    return module


def prefix_renames(table: dict[str, str]) -> Callable[[str], str]:
    """A ``rename`` for :func:`load_weights` that replaces the first matching name prefix of ``table``."""
    def rename(name: str) -> str:
        for old, new in table.items():
            if name.startswith(old):
                return new + name[len(old):]
        return name
    return rename
