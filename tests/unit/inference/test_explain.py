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


def test_html_legend_says_what_the_colours_mean_and_names_the_prediction():
    from textrnn.inference.explain import Explanation, legend

    exp = Explanation("мне не понравилось", ["мне", "понравиться"], [0.2, -1.0], "gradient_x_input", "negative",
                      {"negative": 0.8, "positive": 0.2})
    page = to_html(exp)
    assert "predicted negative (p=0.800)" in page
    assert "pushes toward negative, the predicted label (score &gt; 0)" in page
    assert "pushes away from negative, toward positive (score &lt; 0)" in page
    assert legend(exp)["axis"] == "\u2190 toward positive   gradient_x_input   toward negative \u2192"
    three = Explanation("x", ["x"], [-0.5], "gradient_x_input", "b", {"a": 0.3, "b": 0.5, "c": 0.2})
    assert legend(three)["red"] == "pushes away from b, toward the other labels (score < 0)"
    attention = to_html(Explanation("x y", ["x", "y"], [0.25, 0.75], "attention", "pos", {"pos": 0.6, "neg": 0.4}))
    assert "attention has no sign" in attention and "pushes away" not in attention
    assert attention.count(f"background:rgb(") == 1  # one legend swatch: attention weights are never red


def test_png_bars_carry_an_axis_label_saying_which_way_is_the_prediction(tmp_path, monkeypatch):
    from textrnn import plots

    shown = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: shown.append(fig))
    plots.plot_token_weights(["a", "b"], [0.5, -1.0], tmp_path / "w.png", "predicted neg (p=0.700)",
                             xlabel="\u2190 toward pos   gradient_x_input   toward neg \u2192")
    ax = shown[0].axes[0]
    assert ax.get_xlabel() == "\u2190 toward pos   gradient_x_input   toward neg \u2192"
    assert ax.get_title() == "predicted neg (p=0.700)" and (tmp_path / "w.png").stat().st_size > 0
