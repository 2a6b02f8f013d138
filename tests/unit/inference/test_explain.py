"""explain: one score per token — the attention weights, or gradient x input — for a fitted or a loaded classifier."""

import pytest

import textrnn
from tests.conftest import tiny_classifier
from textrnn.errors import TextrnnError
from textrnn.inference.explain import explain, to_html

TEXT = "Отличный сервис, но доставка ужасная абырвалг"
WORDS = ["отличный", "сервис", "но", "доставка", "ужасная", "абырвалг"]


@pytest.fixture(scope="module", params=["attention", "max", "last"])
def fitted(request):
    return tiny_classifier(pooling=request.param, max_len=30, embedding_dim=4, epochs=2)


def test_explain_scores_every_token_and_marks_unknown_ones(fitted):
    exp = explain(fitted, TEXT)
    assert exp.tokens == [w if w in fitted.vocab_ else f"{w}?" for w in WORDS]
    assert exp.tokens[-1] == "абырвалг?" and exp.tokens[2] == "но"  # "но" occurs in the training texts
    assert len(exp.scores) == len(exp.tokens)
    assert exp.probabilities == pytest.approx(dict(zip(fitted.labels_, fitted.predict_proba([TEXT])[0].tolist())), abs=1e-6)
    assert exp.label == fitted.predict([TEXT])[0] == max(exp.probabilities, key=exp.probabilities.get)
    pooling = fitted.model_config.pooling
    if pooling == "attention":
        assert exp.method == "attention" and sum(exp.scores) == pytest.approx(1.0, abs=1e-5)
        data = fitted.predictor_.encode(fitted.tokenize([TEXT]))
        _, weights = fitted.model_.forward_with_weights(data.ids, data.lengths)
        assert exp.scores == pytest.approx(weights[0].tolist(), abs=1e-6)
    else:
        assert exp.method == "gradient_x_input" and any(abs(s) > 0 for s in exp.scores)
    page = to_html(exp)
    assert page.count("<span") == len(exp.tokens) and "абырвалг?" in page


def test_a_loaded_model_explains_as_the_fitted_one(fitted, tmp_path):
    loaded = textrnn.load(fitted.save(tmp_path / "run", plots=False), device="cpu")
    a, b = explain(fitted, TEXT), explain(loaded, TEXT)
    assert (a.tokens, a.method, a.label) == (b.tokens, b.method, b.label)
    assert a.scores == pytest.approx(b.scores, abs=1e-6)
    assert fitted.model_.training is False  # explaining leaves the model in eval mode


def test_explain_refuses_an_empty_text_and_a_tfidf_model(fitted):
    from textrnn.baselines.tfidf_lr import TfidfLogisticRegression

    with pytest.raises(TextrnnError, match="the text to explain is empty"):
        explain(fitted, "   ")
    tfidf = TfidfLogisticRegression().fit(["хорошо", "плохо"], ["a", "b"], quiet=True)
    with pytest.raises(TextrnnError, match="explain needs a recurrent model"):
        explain(tfidf, "хорошо")


def test_html_escapes_tokens_and_shades_by_score():
    from textrnn.inference.explain import Explanation

    page = to_html(Explanation("<b>", ["<b>", "x"], [0.5, -1.0], "attention", "pos", {"pos": 0.7, "neg": 0.3}))
    assert "&lt;b&gt;" in page and "<b>x" not in page
    assert "rgba(31,119,180,0.500)" in page and "rgba(214,39,40,1.000)" in page
