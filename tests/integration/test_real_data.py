"""Real data: the demo runs end to end, and a short training on RuTweetCorp beats chance by far."""

from __future__ import annotations

import time

import pytest

import textrnn
from tests.conftest import run_cli, shared_data, tiny_classifier
from textrnn.data.tables import read_labeled_csv

pytestmark = pytest.mark.slow


def test_demo_trains_evaluates_predicts_and_saves(tmp_path, capsys):
    code, out, err = run_cli(capsys, "demo", "--out", tmp_path / "demo", "--quiet")
    assert code == 0, err
    assert "test set:" in out and out.count("p=") == 3
    accuracy = float(out.split("accuracy ")[1].split()[0])
    assert accuracy >= 0.6  # 90 balanced test texts; measured 0.72 (navec) / 0.68 (stems)
    clf = textrnn.load(tmp_path / "demo", device="cpu")
    assert clf.predict(["Отличный сервис, всё привезли вовремя, спасибо!", "Ужасное обслуживание, больше никогда не приду."]) == [
        "positive", "negative"]


def test_short_training_on_rutweetcorp_is_well_above_chance():
    d = shared_data("rutweetcorp_sample")
    train, val, test = (read_labeled_csv(d / f"{s}.csv") for s in ("train", "val", "test"))
    start = time.perf_counter()
    rows = list(zip(train.texts[:8000], train.labels[:8000])) + list(zip(val.texts, val.labels))
    clf = tiny_classifier(rows, n_val=len(val.texts), max_size=20000, max_len=40, embedding_dim=64, hidden_size=64,
                          dropout=0.3, embedding_dropout=0.1, epochs=2, batch_size=64, lr=3e-3, patience=0, threads=2)
    metrics = clf.evaluate(test.texts, test.labels)
    print(f"rutweetcorp test accuracy {metrics['accuracy']:.4f} in {time.perf_counter() - start:.1f}s")
    # chance is 0.504; the emoticon brackets that leak the label are removed by the default preprocessing
    assert metrics["accuracy"] > 0.64
    assert metrics["n"] == 2267
