"""train_lm: a tiny corpus overfits, the state is carried between windows, the run directory is written atomically."""

from __future__ import annotations

import json
import math

import pytest
import torch

import textrnn
from tests.conftest import LM_TEXT, TINY_LM_MODEL, TINY_LM_TRAIN, tiny_char_lm
from textrnn.config import CharLMConfig, LMTrainConfig
from textrnn.errors import TextrnnError
from textrnn.nn import CharLM
from textrnn.training.lm import train_lm


def test_a_tiny_corpus_overfits_and_the_saved_weights_are_the_best(tiny_lm_run):
    run, metrics = tiny_lm_run
    final = metrics["final"]
    assert final["loss_nats_per_char"] < 0.15
    assert metrics["history"][0]["val_loss_nats_per_char"] > final["loss_nats_per_char"]
    assert math.isclose(final["bits_per_char"], final["loss_nats_per_char"] / math.log(2))
    assert math.isclose(final["perplexity"], math.exp(final["loss_nats_per_char"]))
    assert final["n_chars"] == len(LM_TEXT) - 1
    assert metrics["steps"] == 150 and metrics["stop_reason"] == "max_steps"
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "curves.png", "metrics.json", "model.safetensors",
                                                     "vocab.json"]
    cfg = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert cfg["kind"] == "char_lm" and cfg["format_version"] == 2 and cfg["textrnn_version"] == textrnn.__version__
    assert cfg["model"] == {**CharLMConfig(**TINY_LM_MODEL).to_dict(), "vocab_size": len(set(LM_TEXT)) + 4}
    # The saved checkpoint is the best one and reproduces the reported metric.
    again = textrnn.load(run, kind="char_lm").evaluate_text(LM_TEXT)
    assert again["loss_nats_per_char"] == pytest.approx(final["loss_nats_per_char"], rel=1e-5)
    assert metrics["best"]["val_loss_nats_per_char"] == min(h["val_loss_nats_per_char"] for h in metrics["history"])


def test_the_training_loop_feeds_each_window_the_detached_state_of_the_previous_one(tmp_path, monkeypatch):
    seen = []
    original = CharLM.forward

    def spy(self, x, state=None):
        if self.training:
            seen.append(None if state is None else (state.grad_fn is None, state.requires_grad, state.clone()))
        logits, new = original(self, x, state)
        if self.training:
            seen.append(("out", new.detach().clone()))
        return logits, new

    monkeypatch.setattr(CharLM, "forward", spy)
    tiny_char_lm(tmp_path, max_steps=6, evals=0)
    inputs, outputs = seen[0::2], seen[1::2]
    assert len(inputs) == 6
    assert inputs[0] is None  # epoch start: zero state
    for k in range(1, 6):
        no_graph, requires_grad, value = inputs[k]
        assert no_graph and not requires_grad
        assert torch.equal(value, outputs[k - 1][1])  # exactly the previous batch's final state


def test_without_validation_files_the_end_of_the_text_is_held_out(tmp_path):
    run, metrics = tiny_char_lm(tmp_path, validate_on_train=False, max_steps=2)
    held = max(2, int(len(LM_TEXT) * LMTrainConfig().val_fraction))
    assert metrics["final"]["n_chars"] == held - 1
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["data"]["n_train_chars"] == len(LM_TEXT) - held and config["data"]["val"] is None
    with pytest.raises(TextrnnError, match="too short to hold out validation; give validation files") as e:
        tiny_char_lm(tmp_path / "short", text="abc", validate_on_train=False, max_steps=2)
    assert e.value.param == "val_paths"


def test_out_dir_needs_force_and_is_never_half_written(tmp_path):
    run, _ = tiny_char_lm(tmp_path, max_steps=2)
    before = (run / "model.safetensors").read_bytes()
    with pytest.raises(TextrnnError, match="output directory '.*run' already exists; set force to replace it") as e:
        tiny_char_lm(tmp_path, max_steps=2)
    assert e.value.param == "force"
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(TextrnnError, match="is empty"):
        train_lm([tmp_path / "empty.txt"], run, force=True, quiet=True)
    assert (run / "model.safetensors").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "run", "train.txt"]  # no temp dirs left behind
    run, _ = tiny_char_lm(tmp_path, max_steps=2, seed=1, force=True)
    assert (run / "model.safetensors").read_bytes() != before


def test_a_time_budget_stops_training_with_the_learning_rate_annealed(tmp_path):
    m = tiny_char_lm(tmp_path, text=LM_TEXT * 5, validate_on_train=False, time_budget=1.0)[1]
    assert m["stop_reason"] == "time_budget"
    assert 1.0 <= m["train_seconds"] < 5.0  # stops at the first step past the budget (loose: shared CPUs)
    assert m["history"][-1]["lr"] < 0.2 * TINY_LM_TRAIN["lr"]  # the schedule annealed within the budget
    assert m["epochs_run"] == m["epochs_completed"] + 1  # the epoch the budget cut short is run, not completed


def test_tuned_threads_record_the_count_the_steps_ran_with(tmp_path, monkeypatch):
    # a busy machine: the tuner allows 2 threads but starts with 1 and never probes 2 (it would not fit)
    import textrnn.devices
    import textrnn.training.lm

    monkeypatch.setattr(textrnn.training.lm, "default_threads", lambda: 2)
    monkeypatch.setattr(textrnn.devices.os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    m = tiny_char_lm(tmp_path, threads=0, max_steps=12)[1]
    assert m["threads"] == 1 and m["threads_max"] == 2 and m["thread_steps"] == {1: 12}
    assert {row["threads"] for row in m["history"]} == {1}


def test_progress_goes_to_the_log_on_stderr_not_to_stdout(tmp_path, capsys):
    (tmp_path / "t.txt").write_text(LM_TEXT, encoding="utf-8")
    train_lm([tmp_path / "t.txt"], tmp_path / "run", CharLMConfig(**TINY_LM_MODEL),
             LMTrainConfig(**TINY_LM_TRAIN, max_steps=4, threads=1))
    out, err = capsys.readouterr()
    assert out == ""
    assert "char LM: gru 1x48, vocab 13" in err and "done: 4 steps" in err and "nats/char" in err
    train_lm([tmp_path / "t.txt"], tmp_path / "quiet", CharLMConfig(**TINY_LM_MODEL),
             LMTrainConfig(**TINY_LM_TRAIN, max_steps=2, threads=1), quiet=True)
    assert capsys.readouterr() == ("", "")


def test_the_learning_curves_plot_every_evaluation_by_step_and_mark_the_kept_one(tmp_path, monkeypatch):
    from tests.conftest import tiny_char_lm
    from textrnn import plots

    shown = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: shown.append(fig))
    run, metrics = tiny_char_lm(tmp_path, max_steps=40)
    loss, validation = shown[0].axes
    best = metrics["best"]
    assert loss.get_xlabel() == "step" and loss.get_ylabel() == "loss (nats per char)"
    curves = {line.get_label(): line for line in loss.get_lines()}
    assert list(curves["validation"].get_ydata()) == [r["val_loss_nats_per_char"] for r in metrics["history"]]
    assert list(curves[f"kept: step {best['step']} (epoch {best['epoch']})"].get_xdata()) == [best["step"]] * 2
    bpc = next(line for line in validation.get_lines() if line.get_label() == "bits per char")
    assert list(bpc.get_ydata()) == [r["val_bits_per_char"] for r in metrics["history"]]
    assert (run / "curves.png").stat().st_size > 1000
