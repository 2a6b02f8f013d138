"""One task-agnostic training loop for every recurrent task, with callbacks.

The :class:`Trainer` knows nothing of losses or data: a *task* supplies them (the task
classes in :mod:`textrnn.tasks`). It runs AdamW with gradient-norm clipping folded into the
fused step, the learning-rate schedule, evaluation by epoch and by progress, early stopping on a
monitored metric with the best weights kept, the divergence check and the stopping limits
(epochs, steps, a time budget of training seconds). Progress bars, log lines, thread tuning and
checkpoints are callbacks (minGPT's ``Trainer`` habit).

A task has: ``metric_modes`` (metric name -> ``"max"``/``"min"``), ``unit`` (what :meth:`count`
counts, e.g. ``"tokens"``), ``setup(device, seed)``, ``steps_per_epoch()``,
``train_batches(epoch)`` (batches on the device), ``loss(model, batch) -> 0-d tensor``,
``count(batch) -> int``, ``evaluate(model) -> dict`` and ``describe(row) -> str``.

Callbacks are objects with any of ``on_fit_start(trainer)`` (the model is on its device, the
optimiser not yet built, so a callback may add parameters), ``on_step_end(trainer, seconds)``,
``on_evaluate(trainer, row, improved)``, ``on_epoch_end(trainer)`` and ``on_fit_end(trainer)``;
a callback stops training by setting ``trainer.should_stop``.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any, Sequence

import torch
from torch import nn

from textrnn.config import TrainConfig
from textrnn.errors import TextrnnError
from textrnn.training.optim import clip_and_step, lr_at, make_optimizer

EVENTS = ("on_fit_start", "on_step_end", "on_evaluate", "on_epoch_end", "on_fit_end")


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not available
        return None


class Trainer:
    """Train ``model`` on ``task`` as ``config`` says; the best evaluation's weights are loaded at the end.

    Args:
        model: the module (moved to ``device``).
        task: supplies batches, the loss and validation metrics (see the module docstring).
        config: :class:`~textrnn.config.TrainConfig` (or a subclass); validated here.
        device: a ``torch.device``.
        callbacks: see the module docstring; more with :meth:`add_callback`.

    After :meth:`fit`: ``history`` (one row per evaluation), ``best`` (the best row), ``step``,
    ``epoch``, ``train_seconds`` and :meth:`summary`.

    Raises:
        TextrnnError: ``monitor`` is not one of the task's metrics; training diverged (a
            non-finite loss).
    """

    def __init__(self, model: nn.Module, task: Any, config: TrainConfig, device: torch.device,
                 callbacks: Sequence[Any] = ()) -> None:
        self.model, self.task, self.config, self.device = model, task, config.validate(), torch.device(device)
        self.monitor = "loss" if config.monitor == "val_loss" else config.monitor
        if self.monitor not in task.metric_modes:
            raise TextrnnError(f"training option monitor={config.monitor!r} is unknown; expected one of "
                               f"{', '.join(task.metric_modes)}", param="monitor")
        self.callbacks: list[Any] = []
        for cb in callbacks:
            self.add_callback(cb)
        self.should_stop = False
        self.stop_reason: str | None = None
        self.step = self.epoch = self.epochs_completed = 0
        self.train_seconds = 0.0
        self.items = 0
        self.history: list[dict] = []
        self.best: dict | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self._bad_evals = 0

    def add_callback(self, callback: Any) -> None:
        self.callbacks.append(callback)

    def _trigger(self, event: str, *args: Any) -> None:
        for cb in self.callbacks:
            fn = getattr(cb, event, None)
            if fn is not None:
                fn(self, *args)

    # -- progress and limits ----------------------------------------------------------

    @property
    def total_steps(self) -> int | None:
        """The step limit: ``max_steps`` or ``epochs * steps_per_epoch``, whichever is smaller."""
        c = self.config
        limits = [n for n in (c.max_steps, c.epochs and c.epochs * self._steps_per_epoch) if n]
        return min(limits) if limits else None

    def progress(self) -> float:
        """Training progress in [0, 1+]: the larger of steps done / step limit and seconds / time budget."""
        p = 0.0
        if self.total_steps:
            p = self.step / self.total_steps
        if self.config.time_budget:
            p = max(p, self.train_seconds / self.config.time_budget)
        return p

    def _limit_reached(self) -> str | None:
        c = self.config
        if c.max_steps and self.step >= c.max_steps:
            return "max_steps"
        if c.time_budget and self.train_seconds >= c.time_budget:
            return "time_budget"
        return None

    # -- the loop ---------------------------------------------------------------------

    def fit(self) -> "Trainer":
        """Run training; returns ``self``."""
        c, model, task = self.config, self.model, self.task
        torch.manual_seed(c.seed)
        model.to(self.device)
        task.setup(self.device, c.seed)
        self._steps_per_epoch = max(1, task.steps_per_epoch())
        self._wall_start, self._load_start = time.perf_counter(), _load_average()
        self._trigger("on_fit_start")  # before the optimiser: a callback may still change the model
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = make_optimizer(self.params, c, self.device)
        self.lr = lr_at(c, 0, 0.0)
        self._running, self._last_eval_step, self._next_eval = [], -1, 1
        model.train()
        while not self.should_stop:
            if c.epochs and self.epoch >= c.epochs:
                self.stop_reason = "epochs"
                break
            self.epoch += 1
            if self._run_epoch():
                break
            self.epochs_completed += 1
            self._trigger("on_epoch_end")
            if self._last_eval_step != self.step:  # not just evaluated by progress
                self._evaluate("epoch")
        if self._last_eval_step != self.step:
            self._evaluate("end")
        self.stop_reason = self.stop_reason or "stopped"
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
        model.eval()
        self._trigger("on_fit_end")
        return self

    def _run_epoch(self) -> bool:
        """One pass over the task's batches; True when a limit or a callback ended training inside it."""
        c, model, task, optimizer = self.config, self.model, self.task, self.optimizer
        constant = c.schedule == "constant" and c.warmup_steps == 0
        clock = time.perf_counter()
        for batch in task.train_batches(self.epoch):
            reason = self._limit_reached()
            if reason:
                self.stop_reason = reason
                return True
            if not constant:
                self.lr = lr_at(c, self.step, self.progress())
                for group in optimizer.param_groups:
                    group["lr"] = self.lr
            loss = task.loss(model, batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            clip_and_step(optimizer, self.params, c.clip_grad_norm)
            self._running.append(loss.detach())  # summed at the next evaluation: no device sync per step
            self.step += 1
            self.items += task.count(batch)
            now = time.perf_counter()
            seconds, clock = now - clock, now
            self.train_seconds += seconds
            self._trigger("on_step_end", seconds)
            if self.should_stop:
                return True
            p = self.progress()
            if c.evals and 1.0 > p >= self._next_eval / c.evals:
                self._next_eval = int(p * c.evals) + 1
                self._evaluate("progress")
                clock = time.perf_counter()  # validation time is not training time
                if self.should_stop:
                    return True
        return False

    def _evaluate(self, reason: str) -> None:
        """Validate, record a history row, keep the best weights, apply early stopping."""
        train_loss = None
        if self._running:
            total = float(torch.stack(self._running).sum())  # waits for the device: the clock below is honest
            train_loss = total / len(self._running)
            if not math.isfinite(train_loss):
                raise TextrnnError(f"training diverged at step {self.step} (loss {train_loss}); lower the learning "
                                   f"rate lr (now {self.config.lr})", param="lr")
        since = self.train_seconds - (self.history[-1]["train_seconds"] if self.history else 0.0)
        self._running = []
        start = time.perf_counter()
        metrics = self.task.evaluate(self.model)
        self.model.train()
        row = {"epoch": self.epoch, "step": self.step, "reason": reason, "train_seconds": self.train_seconds,
               "seconds": since, "lr": self.lr, "train_loss": train_loss,
               f"{self.task.unit}_per_s": self.items / self.train_seconds if self.train_seconds > 0 else None,
               **{f"val_{k}": v for k, v in metrics.items() if isinstance(v, (int, float))},
               "eval_seconds": time.perf_counter() - start}
        score = metrics[self.monitor] * (1.0 if self.task.metric_modes[self.monitor] == "max" else -1.0)
        improved = self.best is None or score > self._best_score
        if improved:
            self.best, self._best_score, self.best_metrics = row, score, metrics
            self.best_state = {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}
            self._bad_evals = 0
        else:
            self._bad_evals += 1
        self.history.append(row)
        self._last_eval_step = self.step
        self._trigger("on_evaluate", row, improved)
        if self.config.patience and self._bad_evals >= self.config.patience:
            self.should_stop, self.stop_reason = True, "early_stopping"

    def summary(self) -> dict:
        """JSON-ready: the best row and metrics, why training stopped, steps, epochs, seconds, throughput, load."""
        return {
            "best": self.best, "best_epoch": self.best["epoch"] if self.best else 0,
            "best_step": self.best["step"] if self.best else 0, "monitor": self.monitor,
            "val": getattr(self, "best_metrics", None), "stop_reason": self.stop_reason,
            "stopped_early": self.stop_reason == "early_stopping", "steps": self.step, "epochs_run": self.epoch,
            "epochs_completed": self.epochs_completed, "train_seconds": self.train_seconds,
            "wall_seconds": time.perf_counter() - self._wall_start,
            f"train_{self.task.unit}_per_s": self.items / self.train_seconds if self.train_seconds > 0 else None,
            "device": str(self.device), "loadavg_1min_start": self._load_start, "loadavg_1min_end": _load_average(),
        }
