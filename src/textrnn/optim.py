"""The optimizer step with gradient-norm clipping folded into the fused Adam kernel.

``torch.nn.utils.clip_grad_norm_`` computes the global L2 norm of the gradients, then
multiplies every gradient by ``min(1, max_norm / (norm + 1e-6))`` in place: one extra pass over
all gradients (the 9 M-parameter embedding included) and ~150 µs of Python per step. The fused
Adam / AdamW kernels already divide each gradient by an optional ``grad_scale`` tensor as they
read it (that is how ``torch.amp.GradScaler`` unscales); :func:`clip_and_step` hands the clipping
factor to that argument instead, so clipping costs only the norm. The update is the same as
``clip_grad_norm_`` followed by ``step()`` (same factor, same epsilon) to float rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import math
from typing import TYPE_CHECKING

from textrnn.errors import TextrnnError

if TYPE_CHECKING:  # torch is imported where it is used: check_max_norm serves torch-free config modules
    import torch

_EPS = 1e-6  # the epsilon torch.nn.utils.clip_grad_norm_ adds to the norm


def check_max_norm(value: float, option: str) -> float:
    """``value`` as a clipping threshold: a finite number >= 0 (0 = no clipping; ``-0.0`` becomes
    ``0.0``).

    Raises:
        TextrnnError: NaN, infinite or negative, naming ``option`` (e.g. ``--clip-grad-norm``).
    """
    if not (math.isfinite(value) and value >= 0):
        raise TextrnnError(f"{option} must be a finite number >= 0 (0 = no clipping), got {value}")
    return float(value) + 0.0


def global_grad_norm(params: Sequence[torch.Tensor]) -> torch.Tensor | None:
    """The L2 norm of all gradients of ``params`` taken together: a 0-d float32 tensor on their
    device (no host sync), or ``None`` when no parameter has a gradient."""
    import torch

    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return None
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def clip_and_step(optimizer: torch.optim.Optimizer, params: Sequence[torch.Tensor], max_norm: float) -> None:
    """Clip the gradients of ``params`` to global L2 norm ``max_norm`` (0 = no clipping), then
    take ``optimizer``'s step.

    With a fused Adam / AdamW (``fused=True``) the factor is passed to the kernel as
    ``grad_scale`` (the gradients themselves are left as they were; nothing reads them after the
    step); with any other optimizer this is ``clip_grad_norm_`` then ``step()``.
    Source: Pascanu et al. 2013, "On the difficulty of training recurrent neural networks" (clipping
    by the global norm); ``torch.optim.Adam`` documentation (``fused``).
    """
    import torch

    if max_norm <= 0:
        optimizer.step()
        return
    if not optimizer.defaults.get("fused"):
        torch.nn.utils.clip_grad_norm_(params, max_norm)
        optimizer.step()
        return
    norm = global_grad_norm(params)
    if norm is None:
        optimizer.step()
        return
    # the kernel computes grad / grad_scale: dividing by (norm + eps) / max_norm, at least 1, is
    # multiplying by clip_grad_norm_'s min(1, max_norm / (norm + eps))
    optimizer.grad_scale = torch.clamp((norm + _EPS) / max_norm, min=1.0)
    try:
        optimizer.step()
    finally:
        del optimizer.grad_scale
