"""What a tfidf-lr model weighs: coefficients per label, a text's contributions (coefficient x tf-idf)."""

import math

import numpy as np
import pytest

from textrnn.baselines.lr_explain import as_explanation, class_weights, contributions, top_weights
from textrnn.baselines.tfidf_lr import TfidfLogisticRegression
from textrnn.errors import TextrnnError

TEXTS = ["отличный сервис", "очень хороший сервис", "отличный фильм", "ужасный сервис", "плохой фильм",
         "ужасный плохой день", "обычный день", "обычный фильм", "день как день"]
LABELS = ["pos", "pos", "pos", "neg", "neg", "neg", "neutral", "neutral", "neutral"]


@pytest.fixture(scope="module")
def binary():
    return TfidfLogisticRegression(word_ngram_range=(1, 1)).fit(TEXTS[:6], LABELS[:6], quiet=True)


@pytest.fixture(scope="module")
def three():
    return TfidfLogisticRegression(word_ngram_range=(1, 1)).fit(TEXTS, LABELS, quiet=True)


def test_two_labels_weigh_each_feature_with_opposite_signs(binary):
    assert binary.labels_ == ["neg", "pos"]
    coef = binary.model_.coef_[0]
    terms = binary.vectorizer_.terms()
    weights = top_weights(binary, 2)
    best = int(np.argmax(coef))
    assert weights["pos"]["highest"][0] == (terms[best], pytest.approx(coef[best]))
    assert weights["neg"]["lowest"][0] == (terms[best], pytest.approx(-coef[best]))
    assert weights["neg"]["highest"][0] == (terms[int(np.argmin(coef))], pytest.approx(-coef.min()))
    assert [w for _, w in weights["pos"]["highest"]] == sorted((w for _, w in weights["pos"]["highest"]), reverse=True)
    assert {t for t, _ in weights["pos"]["highest"]} <= {"отличный", "очень", "хороший", "фильм"}
    assert {t for t, _ in weights["neg"]["highest"]} <= {"ужасный", "плохой", "день"}


def test_several_labels_take_their_own_coefficient_row(three):
    coef = three.model_.coef_
    weights = top_weights(three, 1)
    for k, name in enumerate(three.labels_):
        j = int(np.argmax(coef[k]))
        assert weights[name]["highest"] == [(three.vectorizer_.terms()[j], pytest.approx(coef[k, j]))]
        assert weights[name]["lowest"][0][1] == pytest.approx(coef[k].min())
    with pytest.raises(TextrnnError, match="top=0 is invalid"):
        top_weights(three, 0)


@pytest.mark.parametrize("which", ["binary", "three"])
def test_contributions_add_up_to_the_predicted_labels_score(which, request):
    clf = request.getfixturevalue(which)
    c = contributions(clf, "Отличный сервис, но ужасный день абырвалг")
    proba = clf.predict_proba(["Отличный сервис, но ужасный день абырвалг"])[0]
    assert c["label"] == clf.labels_[int(proba.argmax())]
    assert c["probabilities"] == pytest.approx(dict(zip(clf.labels_, proba.tolist())), abs=1e-6)
    k = clf.labels_.index(c["label"])
    x = clf.vectorizer_.transform(clf.tokenize(["Отличный сервис, но ужасный день абырвалг"])).toarray()[0]
    weights, intercept = class_weights(clf)
    assert sorted(f["term"] for f in c["features"]) == ["день", "отличный", "сервис", "ужасный"]  # "но": unseen
    assert sorted(f["term"] for f in c["features"]) == sorted(t for t, v in zip(clf.vectorizer_.terms(), x) if v)
    for f in c["features"]:
        j = clf.vectorizer_.terms().index(f["term"])
        assert (f["tfidf"], f["weight"]) == (pytest.approx(x[j]), pytest.approx(weights[k, j]))
        assert f["contribution"] == pytest.approx(x[j] * weights[k, j])
    assert c["score"] == pytest.approx(float(x @ weights[k] + intercept[k]))
    if which == "binary":  # the predicted label's log-odds
        assert c["score"] == pytest.approx(math.log(proba[k] / (1 - proba[k])), abs=1e-5)
    sizes = [abs(f["contribution"]) for f in c["features"]]
    assert sizes == sorted(sizes, reverse=True)
    exp = as_explanation("t", c)
    assert exp.method == "coefficient_x_tfidf" and exp.tokens == [f["term"] for f in c["features"]]


def test_contributions_refuse_an_empty_or_unknown_text_and_a_recurrent_model(binary):
    with pytest.raises(TextrnnError, match="the text to explain is empty"):
        contributions(binary, "  ")
    with pytest.raises(TextrnnError, match="none of the model's features"):
        contributions(binary, "абырвалг")
    with pytest.raises(TextrnnError, match="need a tfidf-lr model"):
        top_weights(object(), 3)
