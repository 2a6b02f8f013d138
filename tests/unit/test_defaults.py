"""Defaults live once: ``RecurrentTextClassifier()``, ``textrnn train`` and compare's ``default`` spec build the same model."""

from __future__ import annotations

import json

from textrnn.compare.specs import build_from_spec
from textrnn.config import ModelConfig, TrainConfig, VocabConfig
from textrnn.training.classifier import RecurrentTextClassifier


def _settings(clf) -> dict:
    return {"preprocessing": clf.preprocessor.to_dict(), "vocab": clf.vocab_config.to_dict(),
            "model": clf.model_config.to_dict(), "training": clf.train_config.to_dict(),
            "embeddings": clf.embeddings}


def test_the_python_default_is_the_compare_default_spec_and_bigru_max():
    python = _settings(RecurrentTextClassifier(device="cpu"))
    assert _settings(build_from_spec("default", device="cpu")) == python
    assert _settings(build_from_spec("bigru-max", device="cpu")) == python


def test_the_python_default_is_the_measured_train_default():
    clf = RecurrentTextClassifier(device="cpu")
    m = clf.model_config
    assert (m.cell, m.bidirectional, m.pooling, m.hidden_size, m.embedding_dim) == ("gru", True, "max", 128, 128)
    assert (m.dropout, m.embedding_dropout, m.subword_buckets) == (0.3, 0.3, 20000)
    assert (clf.train_config.epochs, clf.train_config.patience, clf.train_config.lr) == (8, 2, 2e-3)
    assert clf.preprocessor.lemmatize and clf.preprocessor.lang == "ru"


def test_textrnn_train_with_no_options_builds_the_python_default(tiny_csvs, tmp_path, capsys):
    from tests.conftest import run_cli

    train, val = tiny_csvs
    code, _, err = run_cli(capsys, "train", train, "--val", val, "--out", tmp_path / "m", "--device", "cpu", "--quiet")
    assert code == 0, err
    saved = json.loads((tmp_path / "m" / "config.json").read_text(encoding="utf-8"))
    python = _settings(RecurrentTextClassifier(device="cpu"))
    fitted = {"vocab_size": saved["model"]["vocab_size"], "num_outputs": 1}
    assert saved["model"] == {**python["model"], **fitted}
    assert saved["preprocessing"] == python["preprocessing"]
    assert saved["vocab"] == python["vocab"] == VocabConfig().to_dict()
    assert saved["training"] == {**python["training"], "betas": list(TrainConfig().betas)}
    assert saved["embeddings"] is None
    assert ModelConfig().to_dict() == python["model"]


def test_a_spec_name_changes_only_cell_direction_and_pooling():
    spec = build_from_spec("lstm-attn:hidden=64", device="cpu")
    expected = {**ModelConfig().to_dict(), "cell": "lstm", "bidirectional": False, "pooling": "attention", "hidden_size": 64}
    assert spec.model_config.to_dict() == expected
    assert build_from_spec("gru", device="cpu").model_config.pooling == ModelConfig().pooling


def test_the_preprocessor_signature_reads_its_defaults_from_text_defaults():
    import inspect

    from textrnn.text import DEFAULTS, Preprocessor

    signature = inspect.signature(Preprocessor).parameters
    assert set(signature) - {"unknown"} == set(DEFAULTS)
    assert Preprocessor().get_params() == DEFAULTS
    for name, value in DEFAULTS.items():
        if not isinstance(value, (list, dict)) and value is not None:
            assert signature[name].default == value, name
