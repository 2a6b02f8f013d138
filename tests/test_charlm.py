"""Tests of the character-level language model (issue 7). Tiny models: the file runs in seconds."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from textrnn.charlm.config import TrainConfig
from textrnn.charlm.data import (
    IGNORE_INDEX,
    LineBatches,
    StreamBatches,
    read_text,
    read_texts,
    split_lines,
    stream_eval_batches,
)
from textrnn.charlm.model import CharLM
from textrnn.charlm.sampling import UnknownCharWarning, generate, load_lm
from textrnn.charlm.train import evaluate_text, train_lm, train_step
from textrnn.charlm.vocab import CharVocab
from textrnn.errors import TextrnnError
from textrnn.io import write_json

TINY = "hello world\n" * 40
NAMES = ["анна", "борис", "вера", "глеб", "дарья", "егор"] * 10
TINY_CFG = dict(hidden_size=48, embed_dim=16, seq_len=16, batch_size=4, lr=1e-2, warmup_steps=5, evals=2)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[Path, dict]:
    """A GRU overfitted on a tiny repetitive corpus (val = the same text)."""
    d = tmp_path_factory.mktemp("tiny")
    (d / "train.txt").write_text(TINY, encoding="utf-8")
    metrics = train_lm([d / "train.txt"], d / "run", TrainConfig(max_steps=150, **TINY_CFG),
                       val_paths=[d / "train.txt"], log=None)
    return d / "run", metrics


@pytest.fixture(scope="module")
def names_run(tmp_path_factory) -> tuple[Path, dict]:
    d = tmp_path_factory.mktemp("names")
    (d / "names.txt").write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    metrics = train_lm([d / "names.txt"], d / "run",
                       TrainConfig(max_steps=150, line_mode=True, **TINY_CFG | {"batch_size": 8}),
                       val_paths=[d / "names.txt"], log=None)
    return d / "run", metrics


# ---------------------------------------------------------------- vocabulary and data


def test_vocab_specials_roundtrip_and_unknown():
    v = CharVocab.from_text("мама мыла раму")
    assert (v.unk_id, v.bos_id, v.eos_id) == (0, 1, 2)
    assert v.itos[:3] == ["<unk>", "<bos>", "<eos>"]
    assert len(v) == 3 + len(set("мама мыла раму"))
    ids = v.encode("мыла раму")
    assert ids.dtype == np.int64 and ids.min() >= 3
    assert v.decode(ids) == "мыла раму"
    assert v.encode("мяч").tolist()[1:] == [0, 0]  # я, ч unknown -> <unk>
    assert v.decode([v.bos_id, 3, v.eos_id], keep_specials=True).startswith("<bos>")
    v2 = CharVocab.from_dict(json.loads(json.dumps(v.to_dict())))
    assert v2.itos == v.itos and v2.counts == v.counts and v2.counts["а"] == 4
    with pytest.raises(TextrnnError, match="empty"):
        CharVocab.from_text("")


def test_read_text_errors(tmp_path):
    with pytest.raises(TextrnnError, match="not found"):
        read_text(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(TextrnnError, match="empty"):
        read_text(tmp_path / "empty.txt")
    (tmp_path / "bin.dat").write_bytes(bytes(range(256)))
    with pytest.raises(TextrnnError, match="binary"):
        read_text(tmp_path / "bin.dat")
    (tmp_path / "cp1251.txt").write_bytes("привет".encode("cp1251"))
    with pytest.raises(TextrnnError, match="not valid UTF-8"):
        read_text(tmp_path / "cp1251.txt")
    with pytest.raises(TextrnnError, match="directory"):
        read_text(tmp_path)
    (tmp_path / "a.txt").write_bytes("\ufeffab".encode("utf-8"))
    (tmp_path / "b.txt").write_text("cd\n", encoding="utf-8")
    assert read_texts([tmp_path / "a.txt", tmp_path / "b.txt"]) == "ab\ncd\n"


def test_stream_batches_are_contiguous_per_row():
    ids = np.arange(1000, dtype=np.int64)
    b = StreamBatches(ids, batch_size=4, seq_len=10)
    batches = list(b.epoch(None))
    assert len(batches) == b.steps_per_epoch() == 25  # 999 pairs // 4 rows = 249 columns
    assert [r for _, _, r in batches] == [True] + [False] * 24
    x0, y0, _ = batches[0]
    x1, _, _ = batches[1]
    assert x0.shape == (4, 10) and x0.dtype == torch.int64
    assert torch.equal(y0, x0 + 1)  # targets are the next character
    assert torch.equal(x1[:, 0], x0[:, -1] + 1)  # batch k+1 continues each row of batch k
    assert x0[1, 0].item() == 249  # rows are contiguous quarters of the text
    shifted = next(StreamBatches(ids, 4, 10).epoch(np.random.default_rng(1)))[0]
    assert 0 <= shifted[0, 0].item() < 10


def test_stream_eval_scores_every_character_once():
    ids = np.arange(1, 1001, dtype=np.int64)
    targets = torch.cat([y for _, y, _ in stream_eval_batches(ids, batch_size=7, seq_len=16)], dim=1)
    kept = targets.reshape(-1)[targets.reshape(-1) != IGNORE_INDEX]
    assert kept.tolist() == list(range(2, 1001))


def test_line_batches_wrap_bos_eos_and_pad():
    v = CharVocab.from_text("ab\nabc")
    lb = LineBatches(split_lines("ab\n\nabc\r\n"), v, batch_size=2, seq_len=8)
    assert lb.n_targets() == 3 + 4
    (x, y, reset), = list(lb.epoch(None))
    assert reset and x.shape == (2, 4)
    assert x[0].tolist() == [v.bos_id, v.stoi["a"], v.stoi["b"], v.eos_id]  # padded with <eos> input
    assert y[0].tolist() == [v.stoi["a"], v.stoi["b"], v.eos_id, IGNORE_INDEX]
    assert y[1].tolist() == [v.stoi["a"], v.stoi["b"], v.stoi["c"], v.eos_id]


# ---------------------------------------------------------------- model and training


def test_model_shapes_cells_and_tying():
    for cell in ("rnn", "lstm", "gru"):
        m = CharLM(10, 8, 16, num_layers=2, cell=cell, dropout=0.1)
        logits, state = m(torch.zeros(3, 5, dtype=torch.int64))
        assert logits.shape == (3, 5, 10) and logits.dtype == torch.float32
        h = state[0] if cell == "lstm" else state
        assert h.shape == (2, 3, 16)
    tied = CharLM(10, 16, 16, tie_weights=True)
    assert tied.output.weight is tied.embedding.weight
    with pytest.raises(TextrnnError, match="weight tying"):
        CharLM(10, 8, 16, tie_weights=True)
    with pytest.raises(TextrnnError, match="unknown model"):
        CharLM(10, cell="transformer")


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_tbptt_state_is_carried_and_detached(cell):
    torch.manual_seed(0)
    m = CharLM(12, 8, 16, cell=cell)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    x = torch.randint(3, 12, (2, 6))
    y = torch.randint(3, 12, (2, 6))
    _, s1 = train_step(m, opt, x, y, None)
    for t in s1 if cell == "lstm" else (s1,):
        assert t.grad_fn is None and not t.requires_grad
    # A second step from the carried state backpropagates only through its own window:
    # without the detach this would raise "Trying to backward through the graph a second time".
    _, s2 = train_step(m, opt, x, y, s1)
    h1 = s1[0] if cell == "lstm" else s1
    h2 = s2[0] if cell == "lstm" else s2
    assert h2.grad_fn is None and not torch.equal(h1, h2)
    # The carried state matters: the step's output depends on it.
    with torch.no_grad():
        a, _ = m(x, s1)
        b, _ = m(x, None)
    assert not torch.allclose(a, b)


def test_training_loop_feeds_detached_state_from_previous_batch(tmp_path, monkeypatch):
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
    (tmp_path / "t.txt").write_text(TINY, encoding="utf-8")
    train_lm([tmp_path / "t.txt"], tmp_path / "run", TrainConfig(max_steps=6, evals=0, **{
        k: v for k, v in TINY_CFG.items() if k != "evals"}), val_paths=[tmp_path / "t.txt"], log=None)
    inputs, outputs = seen[0::2], seen[1::2]
    assert inputs[0] is None  # epoch start: zero state
    for k in range(1, 6):
        no_graph, requires_grad, value = inputs[k]
        assert no_graph and not requires_grad
        assert torch.equal(value, outputs[k - 1][1])  # exactly the previous batch's final state


def test_tiny_corpus_overfits(tiny_run):
    run, metrics = tiny_run
    assert metrics["final"]["loss_nats_per_char"] < 0.15
    assert metrics["history"][0]["loss_nats_per_char"] > metrics["final"]["loss_nats_per_char"]
    assert math.isclose(metrics["final"]["bits_per_char"], metrics["final"]["loss_nats_per_char"] / math.log(2))
    assert math.isclose(metrics["final"]["perplexity"], math.exp(metrics["final"]["loss_nats_per_char"]))
    assert metrics["final"]["n_chars"] == len(TINY) - 1
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "metrics.json", "model.safetensors", "vocab.json"]
    cfg = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert cfg["kind"] == "char_lm" and cfg["format_version"] == 1 and cfg["textrnn_version"]
    # The saved checkpoint is the best one and reproduces the reported metric.
    model, vocab, _ = load_lm(run)
    again = evaluate_text(model, vocab, TINY)
    assert again["loss_nats_per_char"] == pytest.approx(metrics["final"]["loss_nats_per_char"], rel=1e-5)
    assert metrics["best"]["loss_nats_per_char"] == min(h["loss_nats_per_char"] for h in metrics["history"])


def test_generation_seed_greedy_topk(tiny_run):
    model, vocab, _ = load_lm(tiny_run[0])
    a = generate(model, vocab, "hel", 60, temperature=1.0, seed=123)
    assert a == generate(model, vocab, "hel", 60, temperature=1.0, seed=123)
    assert len(a) == 60
    greedy = generate(model, vocab, "hel", 60, temperature=0)
    assert greedy.startswith("lo world\nhello world")
    for t in (0.5, 1.0, 3.0):
        assert generate(model, vocab, "hel", 60, temperature=t, top_k=1, seed=7) == greedy
    assert generate(model, vocab, "hel", 60, temperature=1e-6, seed=1) == greedy  # T -> 0 is greedy
    hot = {generate(model, vocab, "", 40, temperature=5.0, seed=s) for s in range(4)}
    assert len(hot) > 1  # different seeds, different text
    assert "<" not in "".join(hot)  # specials are never produced
    assert generate(model, vocab, "hel", 0) == ""


def test_generation_bad_options_and_unknown_prime(tiny_run):
    model, vocab, _ = load_lm(tiny_run[0])
    for kwargs, msg in (({"temperature": -0.1}, "temperature"), ({"top_k": -1}, "top-k"),
                        ({"length": -5}, "length"), ({"temperature": float("nan")}, "temperature")):
        with pytest.raises(TextrnnError, match=msg):
            generate(model, vocab, "h", **{"length": 5} | kwargs)
    with pytest.warns(UnknownCharWarning, match="'ЖЯ'"):
        out = generate(model, vocab, "Яhello Жw", 10, temperature=0)
    assert len(out) == 10


def test_line_mode_stops_at_eos(names_run):
    run, metrics = names_run
    assert metrics["final"]["n_chars"] == sum(len(n) + 1 for n in NAMES)
    assert metrics["final"]["loss_nats_per_char"] < 1.0
    model, vocab, cfg = load_lm(run)
    assert cfg["line_mode"] is True
    samples = [generate(model, vocab, "", 50, temperature=0.5, seed=s, line_mode=True) for s in range(10)]
    assert all(0 < len(s) < 50 and "\n" not in s for s in samples)
    assert sum(s in set(NAMES) for s in samples) >= 7  # an overfitted model recites the names
    assert generate(model, vocab, "бо", 50, temperature=0, line_mode=True) == "рис"
    scored = evaluate_text(model, vocab, "\n".join(NAMES) + "\n", line_mode=True)
    assert scored["n_unknown_chars"] == 0  # line breaks are <eos>, not unknown characters
    assert scored["loss_nats_per_char"] == pytest.approx(metrics["final"]["loss_nats_per_char"], rel=1e-5)


def test_tied_weights_save_and_load(tmp_path):
    (tmp_path / "t.txt").write_text(TINY, encoding="utf-8")
    cfg = TrainConfig(max_steps=3, tie_weights=True, **TINY_CFG | {"embed_dim": 48})
    train_lm([tmp_path / "t.txt"], tmp_path / "run", cfg, log=None)
    model, _, _ = load_lm(tmp_path / "run")
    assert model.output.weight is model.embedding.weight


def test_out_dir_needs_force_and_is_never_half_written(tmp_path, tiny_run):
    (tmp_path / "t.txt").write_text(TINY, encoding="utf-8")
    cfg = TrainConfig(max_steps=2, **TINY_CFG)
    train_lm([tmp_path / "t.txt"], tmp_path / "run", cfg, log=None)
    before = (tmp_path / "run" / "model.safetensors").read_bytes()
    with pytest.raises(TextrnnError, match="--force"):
        train_lm([tmp_path / "t.txt"], tmp_path / "run", cfg, log=None)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(TextrnnError, match="empty"):
        train_lm([tmp_path / "empty.txt"], tmp_path / "run", cfg, force=True, log=None)
    assert (tmp_path / "run" / "model.safetensors").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "t.txt", "empty.txt"][:0] + sorted(
        ["run", "t.txt", "empty.txt"])  # no temp dirs left behind


def test_load_rejects_other_kinds(tmp_path):
    write_json(tmp_path / "config.json", {"kind": "classifier", "format_version": 1})
    with pytest.raises(TextrnnError, match="expected a 'char_lm' model"):
        load_lm(tmp_path)
    with pytest.raises(TextrnnError, match="does not exist"):
        load_lm(tmp_path / "nope")


def test_config_rejects_bad_values():
    for kwargs, msg in (({"hidden_size": 0}, "--hidden-size"), ({"lr": -1.0}, "--lr"),
                        ({"time_budget": 0.0}, "--time-budget"), ({"dropout": 1.0}, "--dropout"),
                        ({"model": "cnn"}, "--model"), ({"epochs": 0}, "--epochs")):
        with pytest.raises(TextrnnError, match=msg):
            TrainConfig(**kwargs).check()


def test_time_budget_stops_training(tmp_path):
    (tmp_path / "t.txt").write_text(TINY * 5, encoding="utf-8")
    m = train_lm([tmp_path / "t.txt"], tmp_path / "run", TrainConfig(time_budget=1.0, **TINY_CFG), log=None)
    assert 1.0 <= m["train_seconds"] < 5.0  # stops at the first step past the budget (loose: shared CPUs)
    assert m["history"][-1]["lr"] < 0.2 * TINY_CFG["lr"]  # the schedule annealed within the budget


# ---------------------------------------------------------------- command line


def run_cli(argv, capsys) -> tuple[int, str, str]:
    from textrnn.cli import main

    with pytest.raises(SystemExit) as e:
        main(argv)
    out = capsys.readouterr()
    return e.value.code or 0, out.out, out.err


def test_cli_train_evaluate_generate(tmp_path, capsys):
    (tmp_path / "t.txt").write_text(TINY, encoding="utf-8")
    run = str(tmp_path / "run")
    code, out, err = run_cli(["lm", "train", str(tmp_path / "t.txt"), "--val", str(tmp_path / "t.txt"),
                              "--out", run, "--hidden-size", "48", "--embed-dim", "16", "--seq-len", "16",
                              "--batch-size", "4", "--lr", "0.01", "--max-steps", "120"], capsys)
    assert code == 0, err
    assert json.loads(out)["loss_nats_per_char"] < 0.5
    assert "nats/char" in err
    code, out, _ = run_cli(["lm", "evaluate", run, str(tmp_path / "t.txt"), "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and set(result) >= {"loss_nats_per_char", "bits_per_char", "perplexity", "n_chars"}
    assert result["n_chars"] == len(TINY) - 1
    gen = ["generate", run, "--prime", "hel", "--length", "30", "--seed", "5", "--temperature", "1.0"]
    code, a, _ = run_cli(gen, capsys)
    _, b, _ = run_cli(gen, capsys)
    assert code == 0 and a == b and a.startswith("hel") and len(a.rstrip("\n")) == 33
    code, out, err = run_cli(["generate", run, "--prime", "Щhel", "--length", "5"], capsys)
    assert code == 0 and "warning" in err and "Щ" in err
    # Bad inputs: one line on stderr, exit 2.
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    write_json(tmp_path / "clf" / "config.json", {}) if (tmp_path / "clf").mkdir() is None else None
    for argv, msg in (
        (["lm", "train", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "r2")], "empty"),
        (["lm", "train", str(tmp_path / "bin.dat"), "--out", str(tmp_path / "r2")], "binary"),
        (["lm", "train", str(tmp_path / "t.txt"), "--out", run], "--force"),
        (["lm", "evaluate", run, str(tmp_path / "missing.txt")], "not found"),
        (["generate", run, "--temperature", "-1"], "temperature"),
        (["generate", run, "--top-k", "-2"], "top-k"),
        (["generate", run, "--length", "-1"], "length"),
        (["generate", str(tmp_path / "clf")], "not a textrnn model"),
        (["generate", str(tmp_path / "nope")], "does not exist"),
    ):
        code, _, err = run_cli(argv, capsys)
        assert code == 2, argv
        assert err.count("\n") == 1 and err.startswith("textrnn: error:") and msg in err, err
        assert "Traceback" not in err


def test_cli_subprocess_exit_code(tmp_path):
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02")
    p = subprocess.run([sys.executable, "-m", "textrnn.cli", "lm", "train", str(tmp_path / "bin.dat"),
                        "--out", str(tmp_path / "r")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "binary" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "r").exists()


def test_thread_tuner_keeps_the_faster_count():
    from textrnn.charlm.train import ThreadTuner

    before = torch.get_num_threads()
    try:
        idle = lambda: 0.0  # noqa: E731
        t = ThreadTuner([2, 1], probe_every=5, probe_len=3, first_probe=5, load_fn=idle)
        assert t.current == 2
        speed = {2: 1.0, 1: 0.5}  # one thread is twice as fast
        for _ in range(12):
            t.record(speed[t.active])
        assert t.current == 1 and t.rate == {2: 1.0, 1: 0.5} and t.switches == 1
        t2 = ThreadTuner([2, 1], probe_every=5, probe_len=3, first_probe=5, load_fn=idle)
        slow = {2: 1.0, 1: 5.0}  # a hopeless candidate: probe cut after one step, interval doubles
        for _ in range(6):
            t2.record(slow[t2.active])
        assert t2.current == 2 and t2.rate[1] == 5.0 and t2.probe_every == 10
        busy = lambda: 3.0  # noqa: E731  other jobs keep both cores busy
        t3 = ThreadTuner([2, 1], probe_every=5, probe_len=3, first_probe=5, load_fn=busy)
        assert t3.current == 1 and torch.get_num_threads() == 1
        for _ in range(30):
            t3.record(1.0)
            assert t3.active == 1  # 2 threads are never tried while the machine is busy
    finally:
        torch.set_num_threads(before)
