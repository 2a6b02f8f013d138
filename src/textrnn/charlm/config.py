"""Training hyper-parameters of the character LM (no torch import, so the CLI can read defaults)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from textrnn.errors import TextrnnError
from textrnn.optim import check_max_norm
from textrnn.seeds import check_seed


@dataclass
class TrainConfig:
    """Hyper-parameters of ``textrnn lm train``.

    The defaults are the CPU configuration chosen for the tinyshakespeare target
    (<= 1.55 nats/char on val with ``time_budget=300`` on 2 cores): a 1-layer GRU of 256
    units, 64-dim embeddings, 32 streams x 128-character truncated-BPTT windows, Adam with
    peak ``lr`` 3e-3, 50 warm-up steps and cosine decay to ``min_lr_ratio * lr``, gradient
    norm clipped at 1.0, no dropout (the run is too short to overfit). Batch 32 beat batch
    64 per second of training on this machine (see ``benchmarks/RESULTS.md`` for figures).

    Units: ``lr`` per step; ``time_budget`` in seconds of training (validation excluded);
    ``seq_len`` in characters; ``evals`` = validations spread over the run (plus one per
    epoch); ``val_fraction`` = share of the training text held out when no validation
    file is given; ``threads`` = 0 tunes the CPU thread count while training.

    Stopping: training stops at whichever of ``epochs``, ``max_steps``, ``time_budget``
    (training seconds, validation excluded) comes first; with none given, 10 epochs.
    """

    model: str = "gru"
    embed_dim: int = 64
    hidden_size: int = 256
    num_layers: int = 1
    dropout: float = 0.0
    tie_weights: bool = False
    seq_len: int = 128
    batch_size: int = 32
    lr: float = 3e-3
    min_lr_ratio: float = 0.05
    warmup_steps: int = 50
    weight_decay: float = 0.0
    clip: float = 1.0
    epochs: int | None = None
    max_steps: int | None = None
    time_budget: float | None = None
    line_mode: bool = False
    evals: int = 10
    val_fraction: float = 0.05
    seed: int = 0
    threads: int = 0

    def check(self) -> None:
        """Raise :class:`TextrnnError` naming the first invalid value."""
        positive = {"--hidden-size": self.hidden_size, "--embed-dim": self.embed_dim,
                    "--num-layers": self.num_layers, "--seq-len": self.seq_len,
                    "--batch-size": self.batch_size}
        for name, v in positive.items():
            if v < 1:
                raise TextrnnError(f"{name} must be >= 1, got {v}")
        if self.model not in ("rnn", "lstm", "gru"):
            raise TextrnnError(f"--model must be one of rnn, lstm, gru, got {self.model!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise TextrnnError(f"--lr must be a positive number, got {self.lr}")
        if not 0.0 <= self.dropout < 1.0:
            raise TextrnnError(f"--dropout must be in [0, 1), got {self.dropout}")
        if self.epochs is not None and self.epochs < 1:
            raise TextrnnError(f"--epochs must be >= 1, got {self.epochs}")
        if self.max_steps is not None and self.max_steps < 1:
            raise TextrnnError(f"--max-steps must be >= 1, got {self.max_steps}")
        if self.time_budget is not None and not (self.time_budget > 0 and math.isfinite(self.time_budget)):
            raise TextrnnError(f"--time-budget must be a positive number of seconds, got {self.time_budget}")
        self.clip = check_max_norm(self.clip, "--clip")
        check_seed(self.seed, "--seed")
        if self.threads < 0:
            raise TextrnnError(f"--threads must be >= 0 (0 = tuned while training), got {self.threads}")
        if not 0.0 < self.val_fraction < 1.0:
            raise TextrnnError(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        if self.tie_weights and self.embed_dim != self.hidden_size:
            raise TextrnnError(
                f"--tie-weights needs --embed-dim == --hidden-size, got {self.embed_dim} and {self.hidden_size}"
            )
