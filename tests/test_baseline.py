"""The TF-IDF + logistic regression baseline: interface, multi-class, save -> load, CLI reuse."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import write_csv
from textrnn.baseline import TfidfLogisticRegression
from textrnn.classifier import load_classifier
from textrnn.cli import main
from textrnn.errors import TextrnnError
from textrnn.specs import build_from_spec

THREE = [
    ("отличный банк, всё быстро", "positive"), ("спасибо, очень доволен", "positive"),
    ("прекрасное обслуживание", "positive"), ("хороший сервис и приятные люди", "positive"),
    ("ужасный банк, всё медленно", "negative"), ("очень недоволен, кошмар", "negative"),
    ("отвратительное обслуживание", "negative"), ("плохой сервис и грубые люди", "negative"),
    ("банк открыл отделение на улице", "neutral"), ("курс доллара сегодня", "neutral"),
    ("отделение работает до шести", "neutral"), ("новый тариф с понедельника", "neutral"),
]


@pytest.fixture(scope="module")
def demo_split(demo_rows):
    texts = [t for t, _ in demo_rows]
    labels = [y for _, y in demo_rows]
    return texts[:300], labels[:300], texts[300:], labels[300:]


@pytest.fixture(scope="module")
def fitted(demo_split):
    tr_x, tr_y, te_x, te_y = demo_split
    return TfidfLogisticRegression().fit(tr_x, tr_y, te_x, te_y, quiet=True)


def test_fit_predict_interface(fitted, demo_split):
    _, _, te_x, te_y = demo_split
    proba = fitted.predict_proba(te_x)
    assert proba.shape == (len(te_x), 2) and proba.dtype == np.float32
    assert np.allclose(proba.sum(1), 1.0, atol=1e-6)
    assert fitted.labels_ == ["negative", "positive"] and fitted.history_ == []
    tr_x, tr_y, _, _ = demo_split
    assert np.mean(np.array(fitted.predict(tr_x)) == np.array(tr_y)) > 0.95  # C=4 fits the training set
    m = fitted.evaluate(te_x, te_y)
    assert m["n"] == len(te_x) and m["accuracy"] > 0.7 and m["seconds"] > 0
    assert set(m["per_class"]) == {"negative", "positive"}
    s = fitted.summary_
    assert s["val"]["accuracy"] == pytest.approx(m["accuracy"]) and s["train_seconds"] > 0 and s["converged"]
    # binary: one coefficient row + one intercept
    assert fitted.n_parameters() == fitted.summary_["n_features"] + 1 == fitted.model_.coef_.size + 1


def test_defaults_match_the_issue(fitted):
    v = fitted.vectorizer_
    assert (v.kind, v.analyzer, v.word_ngram_range, v.char_ngram_range, v.sublinear_tf) == ("tfidf", "word", (1, 2), (2, 5), True)
    assert fitted.C == 4.0 and fitted.model_.solver == "lbfgs"
    assert any(" " in t for t in v.terms())  # bigrams


def test_save_load_identical_probabilities(fitted, demo_split, tmp_path):
    _, _, te_x, _ = demo_split
    out = fitted.save(tmp_path / "m", extra={"data": {"train": "x.csv"}})
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "labels.json", "metrics.json",
                                                      "model.safetensors", "vectorizer.json"]
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["kind"] == "classifier" and config["model_type"] == "tfidf-lr" and config["format_version"] == 1
    assert "textrnn_version" in config and config["preprocessing"]["type"] == "Preprocessor"
    assert config["data"] == {"train": "x.csv"} and config["tfidf"]["analyzer"] == "word"
    assert json.loads((out / "labels.json").read_text())["labels"] == ["negative", "positive"]
    assert not any(b"pickle" in p.read_bytes()[:200] or p.suffix in (".pkl", ".joblib") for p in out.iterdir())
    loaded = load_classifier(out)
    assert isinstance(loaded, TfidfLogisticRegression)
    assert np.array_equal(loaded.predict_proba(te_x), fitted.predict_proba(te_x))
    assert loaded.summary_["n_features"] == fitted.summary_["n_features"]
    with pytest.raises(TextrnnError, match="already exists"):
        fitted.save(out)


def test_three_classes_word_plus_char_round_trip(tmp_path):
    texts, labels = [t for t, _ in THREE], [y for _, y in THREE]
    clf = build_from_spec("tfidf-lr:analyzer=word+char,char_ngram=2-4,C=10", seed=1)
    clf.fit(texts, labels, quiet=True)
    assert clf.summary_["val"] is None
    assert clf.labels_ == ["negative", "neutral", "positive"]
    proba = clf.predict_proba(["очень доволен банком", "кошмар и грубые люди", "отделение на улице"])
    assert proba.shape == (3, 3)
    assert [clf.labels_[i] for i in proba.argmax(1)] == ["positive", "negative", "neutral"]
    assert clf.n_parameters() == 3 * clf.vectorizer_.n_features_ + 3
    assert any(t.startswith("c:") for t in clf.vectorizer_.terms())
    loaded = load_classifier(clf.save(tmp_path / "m3"))
    new = ["новый банк", "недоволен тарифом", "zzz"]
    assert np.array_equal(loaded.predict_proba(new), clf.predict_proba(new))
    top = clf.top_features(2)
    assert set(top) == {"negative", "neutral", "positive"} and len(top["positive"]) == 2


def test_spec_options_reach_the_model():
    clf = build_from_spec("tfidf-lr:analyzer=char_wb,ngram=1-3,char_ngram=3-4,C=0.5,min_df=2,sublinear=0,lang=en", seed=5)
    v = clf.vectorizer_
    assert (v.analyzer, v.word_ngram_range, v.char_ngram_range, v.min_df, v.sublinear_tf) == ("char_wb", (1, 3), (3, 4), 2, False)
    assert clf.C == 0.5 and clf.seed == 5 and clf.preprocessor.lang == "en"


def test_errors(fitted):
    with pytest.raises(TextrnnError, match="analyzer"):
        TfidfLogisticRegression(analyzer="chars")
    with pytest.raises(TextrnnError, match="C="):
        TfidfLogisticRegression(C=0)
    with pytest.raises(TextrnnError, match="single class"):
        TfidfLogisticRegression().fit(["a", "b"], ["x", "x"], quiet=True)
    with pytest.raises(TextrnnError, match="do not occur"):
        TfidfLogisticRegression().fit(["a", "b"], ["x", "y"], ["c"], ["z"], quiet=True)
    with pytest.raises(TextrnnError, match="not trained"):
        TfidfLogisticRegression().predict_proba(["a"])
    with pytest.raises(TextrnnError, match="not known"):
        fitted.evaluate(["текст"], ["neutral"])


def test_corrupt_directory(fitted, tmp_path):
    out = fitted.save(tmp_path / "bad")
    (out / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(TextrnnError, match="cannot load"):
        load_classifier(out)


def test_evaluate_and_predict_commands_read_the_baseline(fitted, tmp_path, demo_rows, capsys):
    run_dir = fitted.save(tmp_path / "cli")
    test_csv = write_csv(tmp_path / "test.csv", demo_rows[300:340])
    try:
        main(["evaluate", str(run_dir), str(test_csv), "--json"])
    except SystemExit as e:
        assert e.code in (0, None)
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 40 and result["accuracy"] == pytest.approx(fitted.evaluate(
        [t for t, _ in demo_rows[300:340]], [y for _, y in demo_rows[300:340]])["accuracy"])
    try:
        main(["predict", str(run_dir), "Отличный сервис, спасибо!", "--json"])
    except SystemExit as e:
        assert e.code in (0, None)
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["label"] == "positive" and sum(line["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
