"""Training plots saved with a run: loss / accuracy curves per epoch, the confusion matrix, token weights and attention (PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


CURVES = {"val_accuracy": "accuracy", "val_macro_f1": "macro-F1", "val_f1": "entity F1", "val_bits_per_char": "bits per char"}


def _values(history: list[dict], key: str) -> list[float]:
    return [float("nan") if r.get(key) is None else r[key] for r in history]


def plot_curves(history: list[dict], path: Path, unit: str = "text", best: dict | None = None, x: str = "epoch",
                loss_key: str = "val_loss") -> None:
    """``curves.png``: train and validation loss (nats per ``unit``) and the validation accuracy,
    macro-F1, entity F1 or bits per character (those the rows hold) per evaluation.

    Args:
        history: the Trainer's rows, one per evaluation.
        best: the kept row (the best weights, saved): a dashed vertical line on both panels,
            labelled ``kept: epoch N`` (``kept: step S (epoch N)`` when ``x`` is ``"step"``).
        x: the row field on the horizontal axis: ``"epoch"``, or ``"step"`` where a run
            evaluates within epochs (the char LM).
        loss_key: the row field of the validation loss (``val_loss_nats_per_char`` for the char LM).
    """
    xs = [row[x] for row in history]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax1.plot(xs, _values(history, "train_loss"), "o-", label="train")
    ax1.plot(xs, _values(history, loss_key), "o-", label="validation")
    ax1.set(xlabel=x, ylabel=f"loss (nats per {unit})", title="loss")
    for key, label in CURVES.items():
        if key in history[0]:
            ax2.plot(xs, _values(history, key), "o-", label=label)
    ax2.set(xlabel=x, title="validation")
    if best is not None and x in best:
        kept = f"kept: epoch {best['epoch']}" if x == "epoch" else f"kept: {x} {best[x]} (epoch {best['epoch']})"
        for ax in (ax1, ax2):
            ax.axvline(best[x], color="grey", linestyle="--", linewidth=1, label=kept)
    for ax in (ax1, ax2):
        ax.legend()
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_confusion_matrix(matrix: list[list[int]], labels: list[str], path: Path, title: str = "validation") -> None:
    """``confusion_matrix.png``: rows are true labels, columns predicted labels, with counts.

    The figure grows with the number of labels up to 14 inches; counts are written in the cells
    up to 20 labels and label names on the axes up to 60 (beyond that the image is a heat map,
    and ``metrics.json`` keeps the full matrix).
    """
    m = np.asarray(matrix)
    n = len(labels)
    size = min(1.2 + 0.9 * n, 14.0)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(m, cmap="Blues")
    if n <= 60:
        ax.set_xticks(range(n), labels, rotation=30 if n <= 20 else 90, ha="right" if n <= 20 else "center")
        ax.set_yticks(range(n), labels)
    # two lines: at 2-3 labels the figure is ~4 inches wide, narrower than the title on one line
    ax.set(xlabel="predicted", ylabel="true", title=f"confusion matrix\n({title}, {n} labels)")
    for i in range(m.shape[0] if n <= 20 else 0):
        for j in range(m.shape[1]):
            ax.text(j, i, str(m[i, j]), ha="center", va="center", color="white" if m[i, j] > m.max() / 2 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_token_weights(tokens: list[str], weights: list[float], path: Path, title: str, xlabel: str = "score") -> None:
    """Horizontal bars, one per token, for ``textrnn explain --png``: blue for a positive weight,
    red for a negative one, ``xlabel`` saying what they mean (see :func:`textrnn.inference.explain.legend`)."""
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(tokens) + 1.2))
    y = np.arange(len(tokens))
    colors = ["tab:red" if w < 0 else "tab:blue" for w in weights]
    ax.barh(y, weights, color=colors)
    ax.set_yticks(y, tokens)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set(title=title, xlabel=xlabel)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_attention(weights: np.ndarray, source: list[str], output: list[str], path: Path, title: str = "") -> None:
    """The attention matrix of one translation (the GNMT figure): a row per output unit, a column
    per source unit, darker = more weight; ``weights`` is ``(len(output), len(source))``, rows summing to 1."""
    m = np.asarray(weights, dtype=float).reshape(len(output), len(source))
    fig, ax = plt.subplots(figsize=(min(1.5 + 0.4 * len(source), 16.0), min(1.5 + 0.4 * len(output), 16.0)))
    im = ax.imshow(m, cmap="Greys", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(source)), source, rotation=90 if any(len(s) > 1 for s in source) else 0)
    ax.set_yticks(range(len(output)), output)
    ax.set(xlabel="source", ylabel="output", title=title or "attention")
    fig.colorbar(im, ax=ax, fraction=0.046, label="attention weight")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
