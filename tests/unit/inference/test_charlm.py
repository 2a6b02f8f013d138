"""The char LM Predictor: seeded, greedy and top-k sampling, line mode stopping at <eos>, scoring, loading."""

from __future__ import annotations

import json

import pytest

import textrnn
from tests.conftest import NAMES, tiny_char_lm
from textrnn.errors import TextrnnError
from textrnn.files import write_json
from textrnn.inference.charlm import CharLMPredictor, UnknownCharWarning, generate


@pytest.fixture(scope="module")
def lm(tiny_lm_run) -> CharLMPredictor:
    return textrnn.load(tiny_lm_run[0], kind="char_lm")


def test_generation_is_seeded_greedy_at_temperature_zero_and_top_k_one(lm):
    a = lm.generate("hel", 60, temperature=1.0, seed=123)
    assert a == lm.generate("hel", 60, temperature=1.0, seed=123)
    assert len(a) == 60
    greedy = lm.generate("hel", 60, temperature=0)
    assert greedy.startswith("lo world\nhello world")
    for t in (0.5, 1.0, 3.0):
        assert lm.generate("hel", 60, temperature=t, top_k=1, seed=7) == greedy
    assert lm.generate("hel", 60, temperature=1e-6, seed=1) == greedy  # T -> 0 is greedy
    hot = {lm.generate("", 40, temperature=5.0, seed=s) for s in range(4)}
    assert len(hot) > 1  # different seeds, different text
    assert "<" not in "".join(hot)  # specials are never produced
    assert lm.generate("hel", 0) == ""
    assert generate(lm.model, lm.vocab, "hel", 60, temperature=0) == greedy  # the function the Predictor calls


@pytest.mark.parametrize("kwargs, message, param", [
    ({"temperature": -0.1}, r"temperature must be a finite number >= 0 \(0 = greedy\), got -0.1", "temperature"),
    ({"temperature": float("nan")}, "temperature must be a finite number >= 0", "temperature"),
    ({"top_k": -1}, r"top_k must be an integer >= 0 \(0 = no limit\), got -1", "top_k"),
    ({"length": -5}, r"length must be an integer in \[0, 1,000,000\] characters, got -5", "length"),
    ({"seed": -1}, r"seed=-1 is invalid; expected an integer \[0, 4294967295\]", "seed"),
])
def test_bad_sampling_options_name_the_parameter(lm, kwargs, message, param):
    with pytest.raises(TextrnnError, match=message) as e:
        lm.generate(**{"prime": "h", "length": 5, **kwargs})
    assert e.value.param == param


def test_an_unknown_prime_character_warns_and_maps_to_unk(lm):
    with pytest.warns(UnknownCharWarning, match="2 prime character\\(s\\) not in the model's vocabulary map to <unk>: 'ЖЯ'"):
        out = lm.generate("Яhello Жw", 10, temperature=0)
    assert len(out) == 10


def test_line_mode_stops_at_eos(names_lm_run):
    run, metrics = names_lm_run
    assert metrics["final"]["n_chars"] == sum(len(n) + 1 for n in NAMES)
    assert metrics["final"]["loss_nats_per_char"] < 1.0
    lm = textrnn.load(run, kind="char_lm")
    assert lm.line_mode is True
    assert json.loads((run / "config.json").read_text(encoding="utf-8"))["line_mode"] is True
    samples = [lm.generate("", 50, temperature=0.5, seed=s) for s in range(10)]
    assert all(0 < len(s) < 50 and "\n" not in s for s in samples)
    assert sum(s in set(NAMES) for s in samples) >= 7  # an overfitted model recites the names
    assert lm.generate("бо", 50, temperature=0) == "рис"
    scored = lm.evaluate_text("\n".join(NAMES) + "\n")
    assert scored["n_unknown_chars"] == 0  # line breaks are <eos>, not unknown characters
    assert scored["loss_nats_per_char"] == pytest.approx(metrics["final"]["loss_nats_per_char"], rel=1e-5)


def test_tied_weights_are_stored_once_and_load_tied(tmp_path):
    from safetensors import safe_open

    run, _ = tiny_char_lm(tmp_path, max_steps=3, tie_weights=True, embedding_dim=48)
    with safe_open(str(run / "model.safetensors"), "pt") as f:
        assert "output.weight" not in f.keys() and "embedding.words.weight" in f.keys()
    lm = textrnn.load(run)
    assert lm.model.tied and lm.model.output.weight is lm.model.embedding.words.weight
    assert lm.describe()["n_parameters"] == lm.n_parameters()


def test_load_refuses_other_kinds_and_missing_directories(tmp_path):
    write_json(tmp_path / "config.json", {"kind": "classifier", "format_version": 1})
    with pytest.raises(TextrnnError, match="holds a 'classifier' model, expected a 'char_lm' model"):
        textrnn.load(tmp_path, kind="char_lm")
    with pytest.raises(TextrnnError, match="model directory '.*nope' does not exist"):
        textrnn.load(tmp_path / "nope", kind="char_lm")
