"""A run's training history as files of its run directory: ``history.csv`` and the ``curves.png`` plot."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable


def history_csv(history: list[dict]) -> str:
    """One row per evaluation as CSV text (header from the first row's keys)."""
    if not history:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(history[0]), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(history)
    return buf.getvalue()


def history_files(history: list[dict], best: dict | None, unit: str, plots: bool = True) -> dict[str, Callable[[Path], None]]:
    """``{"history.csv": writer, "curves.png": writer}`` for a run directory's ``files``: the
    history, and with ``plots`` its loss and score curves per epoch with the kept one marked
    (``unit``: what the loss is per, e.g. ``"token"``)."""
    files: dict[str, Callable[[Path], None]] = {
        "history.csv": lambda p: p.write_text(history_csv(history), encoding="utf-8")}
    if plots and history:
        from textrnn.plots import plot_curves

        files["curves.png"] = lambda p: plot_curves(history, p, unit=unit, best=best)
    return files
