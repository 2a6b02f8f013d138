"""Choosing the torch device: ``auto``, ``cpu`` (or ``cpu:0``) or ``cuda[:N]``."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

from textrnn.errors import TextrnnError


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; otherwise ``torch.device(device)``.

    ``"cpu:0"`` is the same as ``"cpu"`` (torch has one CPU device); ``"cuda:N"`` must name a GPU
    that exists (``0 <= N < torch.cuda.device_count()``).

    Raises:
        TextrnnError: an unknown device string, a CPU index other than 0, CUDA asked for but not
            available, or a GPU index past the last GPU.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    expected = "expected auto, cpu, cpu:0, cuda or cuda:N"
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise TextrnnError(f"unknown device {device!r}; {expected}") from None
    if dev.type not in ("cpu", "cuda") or (dev.type == "cpu" and dev.index not in (None, 0)):
        raise TextrnnError(f"unknown device {device!r}; {expected}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise TextrnnError(f"device {device!r} asked for, but CUDA is not available here; use cpu or auto")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise TextrnnError(f"device {device!r} asked for, but this machine has "
                           f"{torch.cuda.device_count()} GPU(s): cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    return torch.device("cpu") if dev.type == "cpu" else dev


@contextmanager
def fits_in_memory(what: str, options: str) -> Iterator[None]:
    """Turn torch's allocation failure (CPU ``DefaultCPUAllocator`` or CUDA out of memory) inside
    the block into one :class:`TextrnnError` line naming ``what`` and the ``options`` to lower."""
    try:
        yield
    except RuntimeError as e:
        if "alloc" not in str(e):
            raise
        reason = str(e).splitlines()[0][:160]
        raise TextrnnError(f"{what} does not fit in memory ({reason}); lower {options}") from None
