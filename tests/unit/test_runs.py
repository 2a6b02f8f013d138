"""The run directory: models saved by textrnn 0.1.0 load and predict identically; any kind loads
through ``textrnn.load`` without the training code; a damaged or crafted directory is one line and
exit code 2 — checked before anything is allocated or read without bound."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import textrnn
from textrnn.errors import TextrnnError

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "v0_1_0"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


# -- models written by textrnn 0.1.0 ------------------------------------------------------------

@pytest.mark.parametrize("name", ["bigru_subwords", "lstm_attention", "tfidf_lr"])
def test_classifiers_saved_by_0_1_0_predict_identically(name):
    predictor = textrnn.load(FIXTURES / name, device="cpu")
    proba = predictor.predict_proba(EXPECTED["texts"])
    assert predictor.labels_ == EXPECTED[name]["labels"]
    assert np.abs(proba - np.array(EXPECTED[name]["probabilities"])).max() <= 1e-6


def test_char_lm_saved_by_0_1_0_scores_and_generates_identically():
    lm = textrnn.load(FIXTURES / "char_lm")
    e = EXPECTED["char_lm"]
    assert lm.model.tied  # the tied output matrix was stored once, as the embedding
    scores = lm.evaluate_text(e["text"])
    assert scores["n_chars"] == e["evaluate"]["n_chars"]
    assert abs(scores["loss_nats_per_char"] - e["evaluate"]["loss_nats_per_char"]) <= 1e-6
    assert lm.generate(prime="Кот ", length=40, temperature=0.0) == e["greedy"]
    assert lm.generate(prime="Вечер", length=40, temperature=0.8, top_k=5, seed=3) == e["sampled_seed_3"]


def test_a_0_1_0_directory_resaved_is_format_2_and_predicts_the_same(tmp_path):
    old = textrnn.load(FIXTURES / "bigru_subwords", device="cpu")
    old.save(tmp_path / "again")
    config = json.loads((tmp_path / "again" / "config.json").read_text(encoding="utf-8"))
    assert (config["format_version"], config["textrnn_version"]) == (2, textrnn.__version__)
    again = textrnn.load(tmp_path / "again", device="cpu")
    assert np.array_equal(again.predict_proba(EXPECTED["texts"]), old.predict_proba(EXPECTED["texts"]))


def test_loading_and_predicting_never_imports_the_training_code():
    code = ("import sys, textrnn, textrnn.inference\n"
            f"for name in ('bigru_subwords', 'tfidf_lr', 'char_lm'):\n"
            f"    p = textrnn.load({str(FIXTURES)!r} + '/' + name, device='cpu')\n"
            "    p.generate('Кот', 5, 0.0) if name == 'char_lm' else p.predict(['Хороший день'])\n"
            "print(sorted(m for m in sys.modules if m.startswith('textrnn.training')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[]"


def test_a_newer_format_is_refused_with_the_version(tmp_path):
    run = tmp_path / "m"
    shutil.copytree(FIXTURES / "tfidf_lr", run)
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    (run / "config.json").write_text(json.dumps({**config, "format_version": 99}), encoding="utf-8")
    with pytest.raises(TextrnnError, match="has model format 99.*reads up to 2"):
        textrnn.load(run)


def test_the_wrong_kind_is_refused():
    with pytest.raises(TextrnnError, match="holds a 'char_lm' model, expected a 'classifier' model"):
        textrnn.load(FIXTURES / "char_lm", kind="classifier")


# -- damaged and crafted directories ------------------------------------------------------------

def _edit_json(path: Path, edit) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _set(section: str, key: str, value):
    return lambda run: _edit_json(run / "config.json", lambda c: c[section].__setitem__(key, value))


def _nested(run: Path) -> None:
    (run / "config.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def _huge_int(run: Path) -> None:
    text = (run / "config.json").read_text(encoding="utf-8")
    (run / "config.json").write_text(text.replace('"hidden_size": 16', '"hidden_size": ' + "9" * 100_000), encoding="utf-8")


def _replace_with(name: str, make):
    def edit(run: Path) -> None:
        (run / name).unlink()
        make(run / name)
    return edit


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _weights(edit):
    def apply(run: Path) -> None:
        path = run / "model.safetensors"
        path.write_bytes(edit(path.read_bytes()))
    return apply


def _retyped(data: bytes) -> bytes:
    """The same weights with the output bias stored as int8."""
    import torch
    from safetensors.torch import load, save

    state = load(data)
    state["output.bias"] = state["output.bias"].to(torch.int8)
    return save(state)


def _nan_weight(data: bytes) -> bytes:
    """The same weights with one NaN in the output bias."""
    from safetensors.torch import load, save

    state = load(data)
    state["output.bias"][0] = float("nan")
    return save(state)


def _retyped_numpy(data: bytes, name: str) -> bytes:
    from safetensors.numpy import load, save

    arrays = load(data)
    arrays[name] = arrays[name].astype("int8")
    return save(arrays)


def _nan_numpy(data: bytes) -> bytes:
    from safetensors.numpy import load, save

    arrays = load(data)
    arrays["coef"][0, 0] = float("nan")
    return save(arrays)


def _header_length(n: int):
    return _weights(lambda data: struct.pack("<Q", n) + data[8:])


CRAFTED = {  # case -> (edit of a saved LSTM + attention classifier, what the one-line error must say)
    "hidden_size 10^5": (_set("model", "hidden_size", 10**5), "hidden_size=100000 is invalid; expected an integer [1, 8192]"),
    "hidden_size 10^9": (_set("model", "hidden_size", 10**9), "hidden_size=1000000000 is invalid"),
    "hidden_size 3x10^4": (_set("model", "hidden_size", 30_000), "hidden_size=30000 is invalid"),
    "hidden_size in range, weights smaller": (_set("model", "hidden_size", 4096), "does not match config.json"),
    "attention_size 10^12": (_set("model", "attention_size", 10**12), "attention_size=1000000000000 is invalid"),
    "num_layers 10^6": (_set("model", "num_layers", 10**6), "num_layers=1000000 is invalid"),
    "float hidden_size": (_set("model", "hidden_size", 16.5), "hidden_size=16.5 is invalid"),
    "string hidden_size": (_set("model", "hidden_size", "16"), "hidden_size='16' is invalid"),
    "boolean vocab_size": (_set("model", "vocab_size", True), "vocab_size=True is invalid"),
    "unknown pooling": (_set("model", "pooling", "sum"), "pooling='sum' is unknown"),
    "negative max_len": (_set("vocab", "max_len", -1), "max_len=-1 is invalid"),
    "model section a list": (lambda run: _edit_json(run / "config.json", lambda c: c.__setitem__("model", [1])),
                             "'model' must be an object"),
    "JSON nested 10^5 deep": (_nested, "nested too deeply"),
    "100,000-digit integer": (_huge_int, "cannot be read as JSON"),
    "vocab.json a FIFO": (_replace_with("vocab.json", _fifo), "not a regular file"),
    "vocab.json is /dev/zero": (_replace_with("vocab.json", _dev_zero), "not a regular file"),
    "labels.json is /dev/zero": (_replace_with("labels.json", _dev_zero), "not a regular file"),
    "labels.json a FIFO": (_replace_with("labels.json", _fifo), "not a regular file"),
    "config.json a FIFO": (_replace_with("config.json", _fifo), "not a regular file"),
    "vocab.json not an object": (lambda run: (run / "vocab.json").write_text("[1, 2]", encoding="utf-8"),
                                 "vocab.json must hold a JSON object"),
    "vocab tokens not strings": (lambda run: _edit_json(run / "vocab.json", lambda v: v.update(tokens=[1, 2], counts=[1, 1])),
                                 "is not a string"),
    "vocabulary shorter than the model": (lambda run: _edit_json(run / "vocab.json", lambda v: (v["tokens"].pop(), v["counts"].pop())),
                                          "vocab.json has"),
    "safetensors header length 2^60": (_header_length(2**60), "header length"),
    "safetensors header not JSON": (_weights(lambda d: d[:8] + b"\xff" * (len(d) - 8)), "header is not JSON"),
    "safetensors truncated": (_weights(lambda d: d[: len(d) // 2]), "not a valid safetensors file"),
    "safetensors with bytes appended": (_weights(lambda d: d + b"\0" * 64), "accounts for"),
    "integer weights": (_weights(lambda d: _retyped(d)), "expected floating-point weights"),
    "a NaN weight": (_weights(_nan_weight), "stores non-finite values (NaN or infinity) in output.bias"),
    "model.safetensors a directory": (_replace_with("model.safetensors", lambda p: p.mkdir()), "is a directory"),
    "model.safetensors missing": (lambda run: (run / "model.safetensors").unlink(), "not found"),
}


@pytest.fixture(scope="module")
def saved_lstm(tmp_path_factory) -> Path:
    from tests.conftest import saved_classifier

    return saved_classifier(tmp_path_factory.mktemp("runs") / "model", rows=None, n_val=0, cell="lstm", hidden_size=16,
                            embedding_dim=8, bidirectional=False, pooling="attention", subword_buckets=0, epochs=1)


@pytest.fixture()
def no_hang():
    """Fail instead of blocking forever (a FIFO read would)."""
    def alarm(*_):
        raise TimeoutError("loading blocked")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("case", list(CRAFTED))
def test_a_crafted_run_directory_is_one_line_and_exit_code_2(case, saved_lstm, tmp_path, capsys, no_hang):
    from tests.conftest import run_cli

    run = tmp_path / "m"
    shutil.copytree(saved_lstm, run)
    edit, expected = CRAFTED[case]
    edit(run)
    code, out, err = run_cli(capsys, "predict", run, "Хороший день")
    assert code == 2, err
    assert out == ""
    assert err.startswith("textrnn: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert expected in err


def test_the_unedited_copy_predicts(saved_lstm, tmp_path, capsys):
    from tests.conftest import run_cli

    run = tmp_path / "m"
    shutil.copytree(saved_lstm, run)
    code, out, err = run_cli(capsys, "predict", run, "Хороший день", "--json")
    assert code == 0, err
    assert set(json.loads(out)["probabilities"]) == {"negative", "positive"}


@pytest.mark.parametrize("edit, expected", [
    (lambda run: _edit_json(run / "config.json", lambda c: c["model"].__setitem__("embed_dim", 10**9)),
     "embedding_dim=1000000000 is invalid"),
    (lambda run: _edit_json(run / "config.json", lambda c: c["model"].__setitem__("num_layers", 10**6)),
     "num_layers=1000000 is invalid"),
    (lambda run: _edit_json(run / "config.json", lambda c: c.__setitem__("line_mode", "yes")), "line_mode 'yes'"),
    (_replace_with("vocab.json", _dev_zero), "not a regular file"),
    (lambda run: _edit_json(run / "config.json", lambda c: c["model"].__setitem__("tie_weights", False)),
     "missing ['output.weight']"),
])
def test_a_crafted_char_lm_is_one_line(edit, expected, tmp_path, capsys, no_hang):
    from tests.conftest import run_cli

    run = tmp_path / "lm"
    shutil.copytree(FIXTURES / "char_lm", run)
    edit(run)
    code, out, err = run_cli(capsys, "generate", run, "--length", "5")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and expected in err, err


@pytest.mark.parametrize("edit, expected", [
    (lambda run: _edit_json(run / "vectorizer.json", lambda v: v.__setitem__("parts", "x")), "vectorizer file is damaged"),
    (lambda run: _edit_json(run / "vectorizer.json", lambda v: v["parts"][0].__setitem__("terms", [1, 2])),
     "must be a list of strings"),
    (lambda run: _edit_json(run / "config.json", lambda c: c["tfidf"].__setitem__("word_ngram_range", [1.5, 2])),
     "word n-gram range"),
    (lambda run: _edit_json(run / "vectorizer.json", lambda v: v["parts"][0]["terms"].pop()), "idf has 3460 values for 3459 terms"),
    (lambda run: _edit_json(run / "config.json", lambda c: c["logreg"].__setitem__("seed", "x")), "seed='x' is invalid"),
    (_weights(lambda d: _retyped_numpy(d, "coef")), "expected float32 or float64 coefficients"),
    (_weights(lambda d: _nan_numpy(d)), "non-finite coefficients"),
])
def test_a_crafted_tfidf_model_is_one_line(edit, expected, tmp_path, capsys):
    from tests.conftest import run_cli

    run = tmp_path / "t"
    shutil.copytree(FIXTURES / "tfidf_lr", run)
    edit(run)
    code, out, err = run_cli(capsys, "predict", run, "Хороший день")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and expected in err, err


def test_an_untied_char_lm_said_to_be_tied_is_refused(tmp_path):
    """A tied model stores its output matrix once; a file holding a separate one was saved untied."""
    from tests.conftest import tiny_char_lm

    run, _ = tiny_char_lm(tmp_path / "lm", hidden_size=16, embedding_dim=16, max_steps=2)
    _edit_json(run / "config.json", lambda c: c["model"].__setitem__("tie_weights", True))
    with pytest.raises(TextrnnError, match=r"unexpected \['output.weight'\]"):
        textrnn.load(run)


def test_a_damaged_metrics_json_does_not_block_prediction(tmp_path):
    run = tmp_path / "m"
    shutil.copytree(FIXTURES / "tfidf_lr", run)
    (run / "metrics.json").write_text("{bad", encoding="utf-8")
    assert textrnn.load(run).predict(["Хороший день"]) in (["negative"], ["positive"])


def test_load_names_a_run_dir_that_is_not_a_path():
    import textrnn
    from textrnn.errors import TextrnnError

    with pytest.raises(TextrnnError, match="run_dir must be a path .* got NoneType"):
        textrnn.load(None)
