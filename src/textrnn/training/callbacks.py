"""Trainer callbacks: progress bars (per epoch, or one per run with its ETA), log lines, CPU thread tuning, best-weights checkpoints, a step timer."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from textrnn.devices import ThreadTuner
from textrnn.logs import get_logger

log = get_logger("textrnn.training")


class ProgressBar:
    """A tqdm bar of the steps of each epoch on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.bar = None

    def on_fit_start(self, trainer) -> None:
        self.enabled = sys.stderr.isatty()

    def _open(self, trainer) -> None:
        from tqdm.auto import tqdm

        epochs = f"/{trainer.config.epochs}" if trainer.config.epochs else ""
        self.bar = tqdm(total=trainer._steps_per_epoch, desc=f"epoch {trainer.epoch}{epochs}", unit="step",
                        leave=False, file=sys.stderr)
        self._epoch = trainer.epoch

    def on_step_end(self, trainer, seconds: float) -> None:
        if not self.enabled:
            return
        if self.bar is None or self._epoch != trainer.epoch:
            self.close()
            self._open(trainer)
        self.bar.update(1)

    def close(self, trainer=None) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    on_epoch_end = close
    on_fit_end = close


class RunProgress:
    """One tqdm bar over a whole training run on stderr — every epoch's steps, the elapsed time and
    the ETA to the step limit (early stopping ends it sooner) — only when stderr is a terminal;
    what ``compare`` shows per model and seed.

    Args:
        desc: the bar's label, e.g. ``"bigru seed 13 (run 2/6)"``.
    """

    def __init__(self, desc: str) -> None:
        self.desc, self.bar = desc, None

    def on_fit_start(self, trainer) -> None:
        if not sys.stderr.isatty():
            return
        from tqdm.auto import tqdm

        self.bar = tqdm(total=trainer.total_steps, desc=self.desc, unit="step", leave=False, file=sys.stderr)

    def on_step_end(self, trainer, seconds: float) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def on_evaluate(self, trainer, row: dict, improved: bool) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"epoch {trainer.epoch}", refresh=False)

    def on_fit_end(self, trainer) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class LogLines:
    """One log line per evaluation (the task's ``describe``, ``*`` marks a new best), and why training stopped."""

    def on_evaluate(self, trainer, row: dict, improved: bool) -> None:
        log.info(trainer.task.describe(row) + ("  *" if improved else ""))

    def on_fit_end(self, trainer) -> None:
        if trainer.stop_reason == "early_stopping":
            log.info(f"early stopping: no {trainer.monitor} improvement for {trainer.config.patience} evaluations; "
                     f"best epoch {trainer.best['epoch']}, step {trainer.best['step']}")


class ThreadTuning:
    """Tune the CPU thread count while training (:class:`~textrnn.devices.ThreadTuner`), between 1 and ``threads``."""

    def __init__(self, threads: int) -> None:
        self.threads = threads

    def on_fit_start(self, trainer) -> None:
        self.tuner = ThreadTuner([self.threads, 1], cores=self.threads)
        self.steps: dict[int, int] = {}

    def on_step_end(self, trainer, seconds: float) -> None:
        used = self.tuner.active  # the count the step just taken ran with
        self.steps[used] = self.steps.get(used, 0) + 1
        self.tuner.record(seconds)

    def on_evaluate(self, trainer, row: dict, improved: bool) -> None:
        row["threads"] = self.tuner.current

    def summary(self) -> dict:
        """``threads``: the count most steps ran with (not the most allowed, ``threads_max``);
        ``thread_steps``: steps per count."""
        used = max(self.steps, key=self.steps.get) if self.steps else self.tuner.current
        return {"threads": used, "threads_max": self.threads, "thread_steps": dict(sorted(self.steps.items())),
                "thread_rates_seconds_per_step": self.tuner.rate, "thread_switches": self.tuner.switches}


class Checkpoint:
    """Write the best weights so far to ``path`` (safetensors, atomically) at each improvement, so a
    long run that is killed leaves its best model's weights behind."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.writes = 0

    def on_evaluate(self, trainer, row: dict, improved: bool) -> None:
        if improved:
            from safetensors.torch import save_file

            from textrnn.files import atomic_file

            with atomic_file(self.path) as tmp:
                save_file(unique_tensors(trainer.best_state), str(tmp))
            self.writes += 1


def unique_tensors(state: dict) -> dict:
    """A state dict that safetensors can write: contiguous CPU tensors, each stored once (a tied
    matrix keeps its first name)."""
    out, seen = {}, set()
    for name, t in state.items():
        key = (t.data_ptr(), t.shape) if t.device.type != "meta" else (name,)
        if key in seen:
            continue
        seen.add(key)
        out[name] = t.detach().to("cpu").contiguous()
    return out


class StepTimer:
    """Wall-clock seconds and counted items (tokens, characters) of the training steps, per epoch:
    what benchmarks read instead of patching the loop."""

    def __init__(self) -> None:
        self.epochs: list[dict] = []

    def on_fit_start(self, trainer) -> None:
        self._seconds, self._items, self._steps = 0.0, trainer.items, 0

    def on_step_end(self, trainer, seconds: float) -> None:
        self._seconds += seconds
        self._steps += 1

    def on_epoch_end(self, trainer) -> None:
        self.epochs.append({"epoch": trainer.epoch, "seconds": self._seconds, "items": trainer.items - self._items,
                            "steps": self._steps})
        self._seconds, self._items, self._steps = 0.0, trainer.items, 0

    @property
    def now(self) -> float:
        return time.perf_counter()
