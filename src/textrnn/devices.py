"""Choosing the torch device: ``auto``, ``cpu`` or ``cuda[:N]``."""

from __future__ import annotations

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
