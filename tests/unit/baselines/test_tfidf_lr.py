"""The TF-IDF + logistic regression baseline: the classifier interface, multi-class, save -> load without pickles."""

from __future__ import annotations

import json

import numpy as np
import pytest

import textrnn
from textrnn.baselines.tfidf_lr import TfidfLogisticRegression
from textrnn.compare.specs import build_from_spec
from textrnn.errors import TextrnnError

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


def test_fit_predict_evaluate_like_the_recurrent_classifier(fitted, demo_split):
    _, _, te_x, te_y = demo_split
    proba = fitted.predict_proba(te_x)
    assert proba.shape == (len(te_x), 2) and proba.dtype == np.float32
    assert np.allclose(proba.sum(1), 1.0, atol=1e-6)
    assert fitted.labels_ == ["negative", "positive"] and fitted.history_ == []
    tr_x, tr_y, _, _ = demo_split
    assert np.mean(np.array(fitted.predict(tr_x)) == np.array(tr_y)) > 0.95  # C=4 fits the training set
    m = fitted.evaluate(te_x, te_y)
    # 150 held-out demo rows, 53 % in the larger class: 0.69 (0.71 before hyphenated words were kept whole)
    assert m["n"] == len(te_x) and m["accuracy"] > 0.65 and m["seconds"] > 0
    assert set(m["per_class"]) == {"negative", "positive"}
    s = fitted.summary_
    assert s["val"]["accuracy"] == pytest.approx(m["accuracy"]) and s["train_seconds"] > 0 and s["converged"]
    # binary: one coefficient row + one intercept
    assert fitted.n_parameters() == fitted.summary_["n_features"] + 1 == fitted.model_.coef_.size + 1


def test_the_defaults_are_word_uni_and_bigrams_sublinear_tf_and_c_4(fitted):
    v = fitted.vectorizer_
    assert (v.kind, v.analyzer, v.word_ngram_range, v.char_ngram_range, v.sublinear_tf) == ("tfidf", "word", (1, 2), (2, 5), True)
    assert fitted.C == 4.0 and fitted.model_.solver == "lbfgs"
    assert any(" " in t for t in v.terms())  # bigrams


def test_save_writes_json_and_safetensors_and_load_predicts_identically(fitted, demo_split, tmp_path):
    _, _, te_x, _ = demo_split
    out = fitted.save(tmp_path / "m", extra={"data": {"train": "x.csv"}})
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "labels.json", "metrics.json",
                                                      "model.safetensors", "vectorizer.json"]
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["kind"] == "classifier" and config["model_type"] == "tfidf-lr" and config["format_version"] == 2
    assert "textrnn_version" in config and config["preprocessing"]["type"] == "Preprocessor"
    assert config["data"] == {"train": "x.csv"} and config["tfidf"]["analyzer"] == "word"
    assert json.loads((out / "labels.json").read_text())["labels"] == ["negative", "positive"]
    assert not any(b"pickle" in p.read_bytes()[:200] or p.suffix in (".pkl", ".joblib") for p in out.iterdir())
    loaded = textrnn.load(out)
    assert isinstance(loaded, TfidfLogisticRegression)
    assert np.array_equal(loaded.predict_proba(te_x), fitted.predict_proba(te_x))
    assert loaded.summary_["n_features"] == fitted.summary_["n_features"]
    with pytest.raises(TextrnnError, match="already exists; set force to replace it") as e:
        fitted.save(out)
    assert e.value.param == "force"


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
    loaded = textrnn.load(clf.save(tmp_path / "m3"))
    new = ["новый банк", "недоволен тарифом", "zzz"]
    assert np.array_equal(loaded.predict_proba(new), clf.predict_proba(new))
    top = clf.top_features(2)
    assert set(top) == {"negative", "neutral", "positive"} and len(top["positive"]) == 2


def test_bad_options_and_data_are_one_error(fitted):
    with pytest.raises(TextrnnError, match="analyzer 'chars' is unknown; expected one of word, char_wb, word\\+char"):
        TfidfLogisticRegression(analyzer="chars")
    with pytest.raises(TextrnnError, match="C=0 is invalid; expected a positive finite number"):
        TfidfLogisticRegression(C=0)
    with pytest.raises(TextrnnError, match="single class"):
        TfidfLogisticRegression().fit(["a", "b"], ["x", "x"], quiet=True)
    with pytest.raises(TextrnnError, match="do not occur"):
        TfidfLogisticRegression().fit(["a", "b"], ["x", "y"], ["c"], ["z"], quiet=True)
    with pytest.raises(TextrnnError, match=r"the classifier is not trained; call fit\(\) or load\(\) first"):
        TfidfLogisticRegression().predict_proba(["a"])
    with pytest.raises(TextrnnError, match="not known"):
        fitted.evaluate(["текст"], ["neutral"])


def test_a_corrupt_weights_file_is_one_error_naming_it(fitted, tmp_path):
    out = fitted.save(tmp_path / "bad")
    (out / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(TextrnnError, match="model.safetensors' is not a valid safetensors file"):
        textrnn.load(out)


def test_progress_is_one_log_line_on_stderr(demo_split, capsys):
    tr_x, tr_y, te_x, te_y = demo_split
    TfidfLogisticRegression().fit(tr_x, tr_y, te_x, te_y)
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("tfidf-lr (word): 300 training texts, labels ['negative', 'positive']") and "val accuracy" in err
