"""Training loop for recurrent classifiers: Adam, loss on logits, early stopping, best weights kept."""

from __future__ import annotations

import copy
import math
import sys
import time
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from textrnn.batching import EncodedTexts, iter_batches, to_device
from textrnn.errors import TextrnnError
from textrnn.metrics import classification_metrics
from textrnn.optim import check_max_norm, clip_and_step
from textrnn.seeds import check_seed

MONITORS = {"macro_f1": "max", "accuracy": "max", "val_loss": "min"}


@dataclass
class TrainConfig:
    """How to train (stored in ``config.json``).

    Attributes:
        epochs: the most passes over the training set.
        batch_size: texts per batch.
        lr: Adam learning rate.
        weight_decay: Adam (decoupled, AdamW) weight decay.
        clip_grad_norm: the largest gradient L2 norm (0 = no clipping).
        seed: seeds weights, dropout and batch order.
        patience: stop after this many epochs without improvement of ``monitor`` (0 = never stop early).
        monitor: validation metric for early stopping and the best epoch: ``macro_f1``, ``accuracy`` or ``val_loss``.
        class_weight: ``None`` or ``"balanced"`` (weights n / (k * n_c) in the loss).
    """

    epochs: int = 10
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 0.0
    clip_grad_norm: float = 1.0
    seed: int = 13
    patience: int = 3
    monitor: str = "macro_f1"
    class_weight: str | None = None

    def validate(self) -> "TrainConfig":
        if self.epochs < 1:
            raise TextrnnError(f"epochs must be >= 1, got {self.epochs}")
        if self.batch_size < 1:
            raise TextrnnError(f"batch-size must be >= 1, got {self.batch_size}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise TextrnnError(f"lr must be a positive number, got {self.lr}")
        if self.weight_decay < 0:
            raise TextrnnError(f"weight-decay must be >= 0, got {self.weight_decay}")
        self.clip_grad_norm = check_max_norm(self.clip_grad_norm, "clip-grad-norm")
        check_seed(self.seed, "seed")
        if self.patience < 0:
            raise TextrnnError(f"patience must be >= 0, got {self.patience}")
        if self.monitor not in MONITORS:
            raise TextrnnError(f"unknown monitor {self.monitor!r}; expected one of {list(MONITORS)}")
        if self.class_weight not in (None, "balanced"):
            raise TextrnnError(f"class-weight must be 'balanced' or absent, got {self.class_weight!r}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def loss_fn(logits: torch.Tensor, targets: torch.Tensor, class_weights: torch.Tensor | None) -> torch.Tensor:
    """Mean loss in nats per text.

    One output column: ``binary_cross_entropy_with_logits`` (targets 0/1); more:
    ``cross_entropy`` on raw logits. ``class_weights``: ``(num_classes,) float32`` or ``None``.
    """
    if logits.shape[1] == 1:
        t = targets.to(logits.dtype)
        weight = class_weights[targets] if class_weights is not None else None
        return F.binary_cross_entropy_with_logits(logits.squeeze(1), t, weight=weight)
    return F.cross_entropy(logits, targets, weight=class_weights)


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(batch, num_classes)`` from logits (sigmoid for one column, else softmax)."""
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits)
        return torch.cat([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


@torch.no_grad()
def predict_logits(model: nn.Module, data: EncodedTexts, batch_size: int = 256, device: str | torch.device = "cpu") -> torch.Tensor:
    """Logits ``(n, num_outputs) float32`` for every text, in input order (model in eval mode)."""
    was_training = model.training
    model.eval()
    indices, chunks = [], []
    for index, ids, lengths, _ in iter_batches(data, batch_size, shuffle=False, device=device):
        indices.append(index)
        chunks.append(model(ids, lengths).float())  # stays on the device: one copy back at the end
    model.train(was_training)
    if not chunks:
        raise TextrnnError("no texts to predict")
    logits = torch.cat(chunks).cpu()
    out = torch.empty_like(logits)
    out[torch.cat(indices)] = logits
    return out


def evaluate_logits(logits: torch.Tensor, targets: torch.Tensor, label_names: list[str], class_weights=None) -> dict:
    """Metrics for given logits: ``loss`` (nats per text) plus :func:`classification_metrics`."""
    loss = float(loss_fn(logits, targets, class_weights))
    pred = probabilities(logits).argmax(1).numpy()
    return {"loss": loss, **classification_metrics(targets.numpy(), pred, label_names)}


def balanced_class_weights(targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """scikit-learn's "balanced" weights: n / (num_classes * count_c)."""
    counts = torch.bincount(targets, minlength=num_classes).clamp_min(1).float()
    return len(targets) / (num_classes * counts)


class _Log:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)


def train_classifier(
    model: nn.Module,
    train: EncodedTexts,
    val: EncodedTexts,
    label_names: list[str],
    config: TrainConfig,
    device: str | torch.device = "cpu",
    quiet: bool = False,
) -> tuple[list[dict], dict]:
    """Train ``model`` in place and load the weights of its best validation epoch.

    Per epoch: the mean train loss over all batches (nats per text), the validation loss,
    accuracy and macro-F1. Early stopping watches ``config.monitor`` with
    ``config.patience``. A tqdm progress bar shows batches (stderr; hidden when ``quiet``).

    Returns:
        ``history`` (one dict per epoch) and ``summary`` (``best_epoch``, ``val`` metrics of
        the best epoch, ``train_seconds``, ``train_tokens_per_s``, ``stopped_early``).
    """
    config.validate()
    device = torch.device(device)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model.to(device)
    # fused AdamW: one kernel over all parameters; on 1 CPU thread a step over the 12 M parameters
    # of a 300-d / 2 x 256 biLSTM takes 34 ms instead of 190 ms (benchmarks/RESULTS.md, "Throughput")
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay,
                                  fused=device.type in ("cpu", "cuda"))
    num_classes = len(label_names)
    class_weights = balanced_class_weights(train.targets, num_classes) if config.class_weight == "balanced" else None
    cw_device = class_weights.to(device) if class_weights is not None else None
    n_train_tokens = train.n_tokens()
    train = to_device(train, device)  # CUDA: the encoded texts live on the GPU, a batch is one gather
    val_inputs = to_device(EncodedTexts(val.ids, val.lengths), device)
    log = _Log(quiet)
    sign = 1.0 if MONITORS[config.monitor] == "max" else -1.0
    best_score, best_epoch, best_state, best_val = -math.inf, 0, None, None
    history: list[dict] = []
    bad_epochs = 0
    train_seconds = 0.0
    stopped_early = False
    for epoch in range(1, config.epochs + 1):
        model.train()
        start = time.perf_counter()
        batch_losses = []  # kept on the device and summed after the epoch: no sync or extra launch per batch
        bar = tqdm(total=len(train), desc=f"epoch {epoch}/{config.epochs}", unit="text", disable=quiet or not sys.stderr.isatty(), leave=False, file=sys.stderr)
        for _, ids, lengths, targets in iter_batches(train, config.batch_size, shuffle=True, generator=generator, device=device):
            logits = model(ids, lengths)
            loss = loss_fn(logits, targets, cw_device)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            clip_and_step(optimizer, params, config.clip_grad_norm)  # clipping folded into the fused step
            batch_losses.append(loss.detach())
            bar.update(len(lengths))
            if len(batch_losses) % 20 == 0 and not bar.disable:
                bar.set_postfix(loss=f"{float(torch.stack(batch_losses[-20:]).mean()):.4f}")
        bar.close()
        # waits for the device: the epoch's work is done before the clock is read
        train_loss = float(torch.stack(batch_losses).sum()) / len(batch_losses) if batch_losses else 0.0
        epoch_seconds = time.perf_counter() - start
        train_seconds += epoch_seconds
        if not math.isfinite(train_loss):
            raise TextrnnError(f"training diverged at epoch {epoch} (loss {train_loss}); lower --lr (now {config.lr})")
        val_metrics = evaluate_logits(predict_logits(model, val_inputs, device=device), val.targets, label_names, class_weights)
        row = {
            "epoch": epoch,
            "train_loss": train_loss,
            "val_loss": val_metrics["loss"],
            "val_accuracy": val_metrics["accuracy"],
            "val_macro_f1": val_metrics["macro_f1"],
            "seconds": epoch_seconds,
        }
        history.append(row)
        score = sign * (val_metrics["loss"] if config.monitor == "val_loss" else val_metrics[config.monitor])
        improved = score > best_score
        if improved:
            best_score, best_epoch, best_val = score, epoch, val_metrics
            best_state = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
            bad_epochs = 0
        else:
            bad_epochs += 1
        log(
            f"epoch {epoch:>2}/{config.epochs}  train_loss {train_loss:.4f}  val_loss {val_metrics['loss']:.4f}  "
            f"val_acc {val_metrics['accuracy']:.4f}  val_macro_f1 {val_metrics['macro_f1']:.4f}  "
            f"{epoch_seconds:.1f}s{'  *' if improved else ''}"
        )
        if config.patience and bad_epochs >= config.patience:
            stopped_early = epoch < config.epochs
            log(f"early stopping: no {config.monitor} improvement for {config.patience} epochs; best epoch {best_epoch}")
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    summary = {
        "best_epoch": best_epoch,
        "monitor": config.monitor,
        "val": best_val,
        "train_seconds": train_seconds,
        "train_tokens_per_s": n_train_tokens * len(history) / train_seconds if train_seconds > 0 else None,
        "stopped_early": stopped_early,
        "epochs_run": len(history),
    }
    return history, summary


def set_threads(threads: int | None) -> None:
    """Use ``threads`` intra-op CPU threads (``None``: torch's default, one per core)."""
    if threads is not None:
        if threads < 1:
            raise TextrnnError(f"threads must be >= 1, got {threads}")
        torch.set_num_threads(threads)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()
