"""``textrnn lm train``, ``textrnn lm evaluate`` and ``textrnn generate``: JSON metrics, seeded samples, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import textrnn
from tests.conftest import LM_TEXT, run_cli
from textrnn.files import write_json

TINY = ["--hidden-size", "48", "--embed-dim", "16", "--seq-len", "16", "--batch-size", "4", "--lr", "0.01"]


@pytest.fixture(scope="module")
def lm_run(tmp_path_factory) -> tuple:
    """A char LM trained through the CLI, with what `lm train` printed."""

    d = tmp_path_factory.mktemp("lm_cli")
    (d / "t.txt").write_text(LM_TEXT, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "textrnn.cli", "lm", "train", str(d / "t.txt"), "--val", str(d / "t.txt"),
                           "--out", str(d / "run"), *TINY, "--max-steps", "120", "--threads", "1"],
                          capture_output=True, text=True, timeout=300)
    return d, proc


def test_lm_train_prints_the_final_metrics_as_json_and_progress_on_stderr(lm_run):
    d, proc = lm_run
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["loss_nats_per_char"] < 0.5 and result["steps"] == 120 and result["n_chars"] == len(LM_TEXT) - 1
    assert set(result) >= {"loss_nats_per_char", "bits_per_char", "perplexity", "n_unknown_chars", "train_seconds"}
    assert "char LM: gru 1x48" in proc.stderr and "nats/char" in proc.stderr
    assert proc.stdout.count("\n") == 1


def test_lm_evaluate_scores_a_file(lm_run, capsys):
    d, _ = lm_run
    code, out, err = run_cli(capsys, "lm", "evaluate", d / "run", d / "t.txt", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result == pytest.approx(textrnn.load(d / "run", device="cpu").evaluate_text(LM_TEXT))
    assert result["n_chars"] == len(LM_TEXT) - 1
    code, out, _ = run_cli(capsys, "lm", "evaluate", d / "run", d / "t.txt")
    assert code == 0 and out == (f"{result['loss_nats_per_char']:.4f} nats/char  {result['bits_per_char']:.4f} bits/char  "
                                 f"perplexity {result['perplexity']:.3f}  ({result['n_chars']} characters)\n")
    (d / "other.txt").write_text("hello Щ world\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "lm", "evaluate", d / "run", d / "other.txt")
    assert code == 0 and err == "textrnn: warning: 1 characters not in the model's vocabulary ('Щ') are scored as <unk>\n"


def test_generate_is_seeded_and_prints_the_prime_first(lm_run, capsys):
    d, _ = lm_run
    gen = ["generate", d / "run", "--prime", "hel", "--length", "30", "--seed", "5", "--temperature", "1.0"]
    code, a, _ = run_cli(capsys, *gen)
    _, b, _ = run_cli(capsys, *gen)
    assert code == 0 and a == b and a.startswith("hel") and len(a.rstrip("\n")) == 33
    assert a == "hel" + textrnn.load(d / "run").generate("hel", 30, 1.0, 0, 5) + "\n"
    # sample i uses seed + i
    code, two, _ = run_cli(capsys, "generate", d / "run", "--prime", "hel", "--length", "30", "--temperature", "1.0",
                           "--seed", "4", "--num-samples", "2")
    assert code == 0 and two.splitlines(keepends=True)[-1] == a.splitlines(keepends=True)[-1]
    code, out, err = run_cli(capsys, "generate", d / "run", "--prime", "Щhel", "--length", "5")
    assert code == 0 and "textrnn: warning: 1 prime character(s) not in the model's vocabulary" in err and "'Щ'" in err


def test_generate_without_a_seed_says_the_one_it_drew(lm_run, capsys):
    import re

    d, _ = lm_run
    gen = ["generate", d / "run", "--prime", "hel", "--length", "40", "--temperature", "1.0", "--num-samples", "2"]
    code, out, err = run_cli(capsys, *gen)
    m = re.fullmatch(r"textrnn: seed (\d+) \(pass --seed (\d+) to generate the same text again\)\n", err)
    assert code == 0 and m and m.group(1) == m.group(2), err
    code, again, err = run_cli(capsys, *gen, "--seed", m.group(1))
    assert code == 0 and again == out and err == ""
    # greedy decoding draws nothing: no seed to tell
    code, _, err = run_cli(capsys, "generate", d / "run", "--prime", "hel", "--length", "5", "--temperature", "0")
    assert code == 0 and err == ""


def test_both_spellings_of_the_lm_options_train_the_same_model(tmp_path, capsys):
    (tmp_path / "t.txt").write_text(LM_TEXT, encoding="utf-8")
    short = ["--model", "lstm", "--embed-dim", "8", "--clip", "0.5"]
    long = ["--cell", "lstm", "--embedding-dim", "8", "--clip-grad-norm", "0.5"]
    for name, spelling in (("a", short), ("b", long)):
        code, _, err = run_cli(capsys, "lm", "train", tmp_path / "t.txt", "--out", tmp_path / name, "--hidden-size", "8",
                               "--max-steps", "2", "--threads", "1", "--quiet", *spelling)
        assert code == 0, err
    a, b = (json.loads((tmp_path / n / "config.json").read_text(encoding="utf-8")) for n in ("a", "b"))
    assert a["model"] == b["model"] and a["model"]["cell"] == "lstm" and a["model"]["embedding_dim"] == 8
    assert a["training"] == b["training"] and a["training"]["clip_grad_norm"] == 0.5
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "b" / "model.safetensors").read_bytes()


def test_bad_inputs_are_one_line_and_exit_code_2(lm_run, tmp_path, capsys):
    d, _ = lm_run
    run = d / "run"
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "short.txt").write_text("abc", encoding="utf-8")
    (tmp_path / "clf").mkdir()
    write_json(tmp_path / "clf" / "config.json", {})
    for argv, msg in (
        (["lm", "train", tmp_path / "empty.txt", "--out", tmp_path / "r2"], "is empty, expected UTF-8 text"),
        (["lm", "train", tmp_path / "bin.dat", "--out", tmp_path / "r2"], "contains NUL bytes: it looks binary"),
        (["lm", "train", d / "t.txt", "--out", run], "already exists; pass --force to replace it"),
        (["lm", "train", tmp_path / "short.txt", "--out", tmp_path / "r2"],
         "too short to hold out validation; give validation files (--val)"),
        (["lm", "train", tmp_path / "short.txt", "--val", tmp_path / "short.txt", "--out", tmp_path / "r2"],
         "text of 3 characters is too short for --batch-size 32; expected at least 33 characters"),
        (["lm", "evaluate", run, tmp_path / "missing.txt"], "not found"),
        (["generate", run, "--temperature", "-1"], "--temperature must be a finite number >= 0 (0 = greedy), got -1.0"),
        (["generate", run, "--top-k", "-2"], "--top-k must be an integer >= 0 (0 = no limit), got -2"),
        (["generate", run, "--length", "-1"], "--length must be an integer in [0, 1,000,000] characters, got -1"),
        (["generate", run, "--length", "1000000000000"], "--length must be an integer in [0, 1,000,000]"),
        (["generate", run, "--seed", "4294967295", "--num-samples", "2"], "--seed + --num-samples - 1 must be <= 4294967295"),
        (["generate", run, "--num-samples", "0"], "--num-samples must be in [1, 10000], got 0"),
        (["generate", tmp_path / "clf"], "is not a textrnn model directory"),
        (["generate", tmp_path / "nope"], "does not exist"),
    ):
        code, _, err = run_cli(capsys, *argv)
        assert code == 2, (argv, err)
        assert err.count("\n") == 1 and err.startswith("textrnn: error:") and msg in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "r2").exists()


def test_the_console_script_exits_2_on_a_binary_file(tmp_path):
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02")
    p = subprocess.run([sys.executable, "-m", "textrnn.cli", "lm", "train", str(tmp_path / "bin.dat"),
                        "--out", str(tmp_path / "r")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "binary" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "r").exists()
