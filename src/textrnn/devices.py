"""Choosing the torch device: ``auto``, ``cpu`` or ``cuda[:N]``."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

from textrnn.errors import TextrnnError


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; otherwise ``torch.device(device)``.

    Raises:
        TextrnnError: an unknown device string, or CUDA asked for but not available.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise TextrnnError(f"unknown device {device!r}; expected auto, cpu or cuda[:N]") from None
    if dev.type not in ("cpu", "cuda"):
        raise TextrnnError(f"unknown device {device!r}; expected auto, cpu or cuda[:N]")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise TextrnnError(f"device {device!r} asked for, but CUDA is not available here")
    return dev


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
