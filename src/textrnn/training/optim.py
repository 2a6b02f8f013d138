"""The optimiser: AdamW, its learning-rate schedule, and gradient-norm clipping folded into the fused kernel.

``torch.nn.utils.clip_grad_norm_`` computes the global L2 norm of the gradients, then
multiplies every gradient by ``min(1, max_norm / (norm + 1e-6))`` in place: one extra pass over
all gradients (the 9 M-parameter embedding included) and ~150 µs of Python per step. The fused
Adam / AdamW kernels already divide each gradient by an optional ``grad_scale`` tensor as they
read it (that is how ``torch.amp.GradScaler`` unscales); :func:`clip_and_step` hands the clipping
factor to that argument instead, so clipping costs only the norm. The update is the same as
``clip_grad_norm_`` followed by ``step()`` (same factor, same epsilon) to float rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from textrnn.config import TrainConfig

_EPS = 1e-6  # the epsilon torch.nn.utils.clip_grad_norm_ adds to the norm


def global_grad_norm(params: Sequence[torch.Tensor]) -> torch.Tensor | None:
    """The L2 norm of all gradients of ``params`` taken together: a 0-d float32 tensor on their
    device (no host sync), or ``None`` when no parameter has a gradient."""
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


def make_optimizer(params: Sequence[torch.Tensor], config: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """AdamW (Loshchilov & Hutter 2019) over ``params`` with ``config``'s ``lr``, ``betas`` and
    ``weight_decay``, fused (one kernel over all parameters) on the CPU and CUDA: on 1 CPU thread
    a step over the 12 M parameters of a 300-d / 2 x 256 biLSTM takes 34 ms instead of 190 ms
    (benchmarks/RESULTS.md, "Throughput")."""
    return torch.optim.AdamW(params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay,
                             fused=device.type in ("cpu", "cuda"))


def lr_at(config: TrainConfig, step: int, progress: float) -> float:
    """Learning rate for ``step`` (0-based) at training ``progress`` in [0, 1]: linear warm-up over
    ``warmup_steps``, then ``lr`` (``constant``) or a cosine from ``lr`` down to ``lr * min_lr_ratio``
    (``cosine``, Loshchilov & Hutter 2017, on progress rather than steps so that it anneals within
    a time budget)."""
    warm = min(1.0, (step + 1) / config.warmup_steps) if config.warmup_steps > 0 else 1.0
    if config.schedule == "constant":
        return warm * config.lr
    p = min(max(progress, 0.0), 1.0)
    floor = config.lr * config.min_lr_ratio
    return warm * (floor + (config.lr - floor) * 0.5 * (1.0 + math.cos(math.pi * p)))
