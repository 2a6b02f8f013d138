"""The one Trainer: stopping limits, evaluation by epoch and by progress, early stopping with the
best weights restored, the divergence check, the learning-rate schedule and the callbacks."""

from __future__ import annotations

import math
import time

import pytest
import torch
from torch import nn

from textrnn.config import LMTrainConfig, TrainConfig
from textrnn.errors import TextrnnError
from textrnn.training.callbacks import Checkpoint, StepTimer
from textrnn.training.optim import lr_at
from textrnn.training.trainer import Trainer


class ScriptedTask:
    """A regression toy whose validation scores are given in advance, so the Trainer's decisions can be checked exactly."""

    unit = "items"
    metric_modes = {"score": "max", "loss": "min"}

    def __init__(self, steps: int = 4, scores=(), diverge_at: int | None = None, sleep: float = 0.0) -> None:
        self.steps, self.scores, self.diverge_at, self.sleep = steps, list(scores), diverge_at, sleep
        self.seen = 0

    def setup(self, device, seed):
        self.generator, self.evaluations = torch.Generator().manual_seed(seed), 0

    def steps_per_epoch(self):
        return self.steps

    def train_batches(self, epoch):
        for _ in range(self.steps):
            yield torch.randn(8, 3, generator=self.generator)

    def loss(self, model, batch):
        self.seen += 1
        if self.sleep:
            time.sleep(self.sleep)
        loss = model(batch).pow(2).mean()
        return loss * float("nan") if self.diverge_at is not None and self.seen >= self.diverge_at else loss

    def count(self, batch):
        return len(batch)

    def evaluate(self, model):
        score = self.scores[self.evaluations] if self.evaluations < len(self.scores) else 0.0
        self.evaluations += 1
        return {"score": score, "loss": -score, "per_class": {"ignored": "not a scalar"}}

    @staticmethod
    def describe(row):
        return f"step {row['step']}"


class Recorder:
    """Every event in order, and a copy of the weights at each evaluation."""

    def __init__(self):
        self.events, self.weights = [], []

    def on_fit_start(self, trainer):
        self.events.append("fit_start")

    def on_step_end(self, trainer, seconds):
        self.events.append("step")

    def on_evaluate(self, trainer, row, improved):
        self.events.append(f"evaluate:{row['reason']}:{'best' if improved else '-'}")
        self.weights.append({k: v.clone() for k, v in trainer.model.state_dict().items()})

    def on_epoch_end(self, trainer):
        self.events.append("epoch_end")

    def on_fit_end(self, trainer):
        self.events.append("fit_end")


def fit(task, **config) -> tuple[Trainer, Recorder]:
    torch.manual_seed(0)
    recorder = Recorder()
    config = {"monitor": "score", "patience": 0, **config}
    trainer = Trainer(nn.Linear(3, 1), task, TrainConfig(**config), torch.device("cpu"), [recorder]).fit()
    return trainer, recorder


def test_training_runs_the_given_epochs_and_evaluates_after_each():
    trainer, rec = fit(ScriptedTask(steps=4, scores=[0.1, 0.2, 0.3]), epochs=3)
    assert (trainer.step, trainer.epochs_completed, trainer.stop_reason) == (12, 3, "epochs")
    assert [r["reason"] for r in trainer.history] == ["epoch"] * 3
    assert [r["step"] for r in trainer.history] == [4, 8, 12]
    assert rec.events[0] == "fit_start" and rec.events[-1] == "fit_end"
    assert rec.events.count("step") == 12 and rec.events.count("epoch_end") == 3


def test_a_step_limit_ends_mid_epoch_with_a_final_evaluation():
    trainer, _ = fit(ScriptedTask(steps=4), epochs=None, max_steps=6)
    assert (trainer.step, trainer.stop_reason, trainer.epochs_completed) == (6, "max_steps", 1)
    assert [(r["reason"], r["step"]) for r in trainer.history] == [("epoch", 4), ("end", 6)]


def test_a_time_budget_counts_training_seconds_only():
    trainer, _ = fit(ScriptedTask(steps=100, sleep=0.01), epochs=None, time_budget=0.05)
    assert trainer.stop_reason == "time_budget"
    # every step sleeps 0.01 s, so the budget is spent after at most 5 steps (fewer on a slow machine)
    assert 0.05 <= trainer.train_seconds and 1 <= trainer.step <= 6


def test_evaluations_spread_by_progress_come_besides_the_epoch_ends():
    trainer, _ = fit(ScriptedTask(steps=8), epochs=1, evals=4)
    assert [(r["reason"], r["step"]) for r in trainer.history] == [
        ("progress", 2), ("progress", 4), ("progress", 6), ("epoch", 8)]


def test_early_stopping_restores_the_weights_of_the_best_evaluation():
    trainer, rec = fit(ScriptedTask(steps=3, scores=[0.5, 0.7, 0.6, 0.65, 0.9]), epochs=10, patience=2)
    assert (trainer.stop_reason, trainer.epoch, trainer.best["epoch"]) == ("early_stopping", 4, 2)
    assert trainer.summary()["stopped_early"] is True
    for name, value in trainer.model.state_dict().items():
        assert torch.equal(value, rec.weights[1][name])  # the best evaluation's weights, not the last
    assert not torch.equal(rec.weights[1]["weight"], rec.weights[3]["weight"])
    assert [e for e in rec.events if e.startswith("evaluate")] == [
        "evaluate:epoch:best", "evaluate:epoch:best", "evaluate:epoch:-", "evaluate:epoch:-"]


def test_a_minimised_monitor_keeps_the_lowest_value():
    trainer, _ = fit(ScriptedTask(steps=2, scores=[0.3, 0.9, 0.1]), epochs=3, monitor="loss")
    assert trainer.best["val_loss"] == -0.9 and trainer.best["epoch"] == 2


def test_history_rows_keep_scalars_only_and_the_mean_train_loss():
    trainer, _ = fit(ScriptedTask(steps=2, scores=[0.4]), epochs=1)
    row = trainer.history[0]
    assert row["val_score"] == 0.4 and "val_per_class" not in row
    assert row["items_per_s"] > 0 and row["train_loss"] > 0


def test_an_unknown_monitor_names_the_parameter():
    with pytest.raises(TextrnnError, match="monitor='f1' is unknown; expected one of score, loss") as e:
        Trainer(nn.Linear(3, 1), ScriptedTask(), TrainConfig(monitor="f1"), torch.device("cpu"))
    assert e.value.param == "monitor"


def test_a_diverging_loss_is_one_error_naming_the_learning_rate():
    with pytest.raises(TextrnnError, match=r"training diverged at step 4 \(loss nan\); lower the learning rate lr") as e:
        fit(ScriptedTask(steps=4, diverge_at=3), epochs=2)
    assert e.value.param == "lr"


def test_a_callback_can_stop_training():
    class StopAtThree:
        def on_step_end(self, trainer, seconds):
            if trainer.step == 3:
                trainer.should_stop = True

    trainer = Trainer(nn.Linear(3, 1), ScriptedTask(steps=10), TrainConfig(monitor="score", patience=0),
                      torch.device("cpu"), [StopAtThree()]).fit()
    assert trainer.step == 3 and [r["reason"] for r in trainer.history] == ["end"]


def test_the_checkpoint_callback_writes_the_best_weights(tmp_path):
    from safetensors.torch import load_file

    checkpoint = Checkpoint(tmp_path / "best.safetensors")
    trainer = Trainer(nn.Linear(3, 1), ScriptedTask(steps=2, scores=[0.2, 0.5, 0.1]),
                      TrainConfig(epochs=3, monitor="score", patience=0), torch.device("cpu"), [checkpoint]).fit()
    assert checkpoint.writes == 2  # two improvements
    saved = load_file(str(tmp_path / "best.safetensors"))
    assert all(torch.equal(saved[k], v) for k, v in trainer.model.state_dict().items())


def test_the_step_timer_counts_each_epochs_items():
    timer = StepTimer()
    Trainer(nn.Linear(3, 1), ScriptedTask(steps=5), TrainConfig(epochs=2, monitor="score", patience=0),
            torch.device("cpu"), [timer]).fit()
    assert [(e["epoch"], e["steps"], e["items"]) for e in timer.epochs] == [(1, 5, 40), (2, 5, 40)]
    assert all(e["seconds"] > 0 for e in timer.epochs)


def test_a_constant_schedule_warms_up_linearly_then_stays():
    c = TrainConfig(lr=0.1, warmup_steps=4)
    assert [round(lr_at(c, s, 0.0), 6) for s in range(6)] == [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]


def test_the_cosine_schedule_follows_progress_down_to_its_floor():
    c = LMTrainConfig(lr=1.0, warmup_steps=0, min_lr_ratio=0.1)
    assert lr_at(c, 100, 0.0) == pytest.approx(1.0)
    assert lr_at(c, 100, 0.5) == pytest.approx(0.1 + 0.9 * 0.5)
    assert lr_at(c, 100, 1.0) == pytest.approx(0.1)
    assert lr_at(c, 100, 7.0) == pytest.approx(0.1)  # past the end: the floor
    assert lr_at(LMTrainConfig(lr=1.0, warmup_steps=50), 4, 0.0) == pytest.approx(5 / 50)


def test_the_learning_rate_the_trainer_sets_follows_the_schedule():
    seen = []

    class Watch:
        def on_step_end(self, trainer, seconds):
            seen.append(trainer.optimizer.param_groups[0]["lr"])

    config = LMTrainConfig(lr=1.0, warmup_steps=0, min_lr_ratio=0.0, max_steps=4, evals=0, monitor="score")
    Trainer(nn.Linear(3, 1), ScriptedTask(steps=10), config, torch.device("cpu"), [Watch()]).fit()
    assert seen == pytest.approx([0.5 * (1 + math.cos(math.pi * s / 4)) for s in range(4)])
