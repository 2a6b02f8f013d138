"""``textrnn vectorize`` (bag-of-words and TF-IDF tables and matrices) and the tfidf-lr baseline through evaluate / predict."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp

from tests.conftest import run_cli, write_csv
from textrnn.baselines.tfidf_lr import TfidfLogisticRegression

run = run_cli


@pytest.fixture()
def toy_csv(tmp_path):
    return write_csv(tmp_path / "docs.csv", [
        ("Заяц, заяц и лес!", "1"), ("Лес, лиса; лиса ЛИСА.", "0"), ("Зайцы (заяцлес)", "1"),
    ])


def test_vectorize_prints_textbook_table(toy_csv, capsys):
    code, out, err = run(capsys, "vectorize", toy_csv, "--kind", "textbook", "--top", "2")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "3 documents x 6 terms (textbook, 7 non-zeros)"
    # doc 1 tokens: заяц заяц и лес -> tf(заяц) = 2/4, idf = log10(3)
    assert lines[1] == "doc 1: Заяц, заяц и лес!"
    assert lines[2].split() == ["заяц", f"{0.5 * math.log10(3):.4f}"]
    assert lines[3].split() == ["и", f"{0.25 * math.log10(3):.4f}"]
    assert lines[4] == "doc 2: Лес, лиса; лиса ЛИСА."
    assert lines[5].split() == ["лиса", f"{0.75 * math.log10(3):.4f}"]


def test_vectorize_count_bigrams(toy_csv, capsys):
    code, out, _ = run(capsys, "vectorize", toy_csv, "--kind", "count", "--ngram-range", "1,2", "--top", "1", "--docs", "2")
    assert code == 0
    assert out.splitlines()[2].split() == ["заяц", "2"]
    assert out.splitlines()[4].split() == ["лиса", "3"]
    assert "doc 3" not in out


def test_vectorize_writes_matrix_and_vocabulary(toy_csv, tmp_path, capsys):
    out_path = tmp_path / "X.npz"
    code, _, err = run(capsys, "vectorize", toy_csv, "--kind", "tfidf", "--output", out_path)
    assert code == 0, err
    X = sp.load_npz(out_path)
    vocab = json.loads((tmp_path / "X.vocab.json").read_text(encoding="utf-8"))
    assert X.shape == (3, len(vocab["terms"])) and len(vocab["idf"]) == len(vocab["terms"])
    assert np.allclose(np.asarray(X.multiply(X).sum(1)).ravel(), 1.0)  # l2-normalised rows
    code, _, err = run(capsys, "vectorize", toy_csv, "--output", out_path)
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "vectorize", toy_csv, "--output", out_path, "--force", "--kind", "binary")
    assert code == 0 and set(sp.load_npz(out_path).data) == {1.0}


@pytest.mark.parametrize("args, message", [
    (["--kind", "tf"], "--kind 'tf' is unknown"),
    (["--ngram-range", "2,1"], "--ngram-range 2,1 is invalid"),
    (["--ngram-range", "a,b"], "--ngram-range 'a,b' is invalid"),
    (["--analyzer", "chars"], "--analyzer 'chars' is unknown"),
    (["--kind", "textbook", "--analyzer", "char_wb"], "textbook"),
    (["--output", "X.csv"], "must end with .npz"),
])
def test_vectorize_bad_options_are_one_line_naming_the_flag(toy_csv, capsys, args, message):
    code, _, err = run(capsys, "vectorize", toy_csv, *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_vectorize_missing_file(tmp_path, capsys):
    code, _, err = run(capsys, "vectorize", tmp_path / "nope.csv")
    assert code == 2 and "not found" in err


def test_evaluate_and_predict_commands_read_the_baseline(tmp_path, demo_rows, capsys):
    texts, labels = [t for t, _ in demo_rows[:300]], [y for _, y in demo_rows[:300]]
    fitted = TfidfLogisticRegression().fit(texts, labels, quiet=True)
    run_dir = fitted.save(tmp_path / "cli")
    test_csv = write_csv(tmp_path / "test.csv", demo_rows[300:340])
    code, out, err = run(capsys, "evaluate", run_dir, test_csv, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["n"] == 40 and result["accuracy"] == pytest.approx(fitted.evaluate(
        [t for t, _ in demo_rows[300:340]], [y for _, y in demo_rows[300:340]])["accuracy"])
    code, out, err = run(capsys, "predict", run_dir, "Отличный сервис, спасибо!", "--json")
    assert code == 0, err
    line = json.loads(out.splitlines()[0])
    assert line["label"] == "positive"
    assert line["probabilities"] == pytest.approx(dict(zip(fitted.labels_, fitted.predict_proba(
        ["Отличный сервис, спасибо!"])[0].tolist())), abs=1e-6)


def test_explain_top_prints_each_labels_highest_and_lowest_weighted_features(tmp_path, demo_rows, capsys):
    from textrnn.baselines.lr_explain import top_weights

    fitted = TfidfLogisticRegression().fit([t for t, _ in demo_rows[:300]], [y for _, y in demo_rows[:300]], quiet=True)
    run_dir = fitted.save(tmp_path / "lr")
    expected = top_weights(fitted, 2)
    code, out, err = run(capsys, "explain", run_dir, "--top", "2")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "negative: highest weights (toward negative)" and len(lines) == 2 * (1 + 2 + 1 + 2)
    assert lines[1:3] == [f"  {w:+.4f}  {t}" for t, w in expected["negative"]["highest"]]
    assert lines[9] == "positive: lowest weights (away from positive)"
    assert lines[10:12] == [f"  {w:+.4f}  {t}" for t, w in expected["positive"]["lowest"]]
    code, out, _ = run(capsys, "explain", run_dir, "--top", "2", "--json")
    result = json.loads(out)
    assert result["labels"]["positive"]["highest"] == [{"term": t, "weight": pytest.approx(w)}
                                                       for t, w in expected["positive"]["highest"]]


def test_explain_a_text_shows_its_features_contributions_toward_the_prediction(tmp_path, demo_rows, capsys):
    from textrnn.baselines.lr_explain import contributions

    fitted = TfidfLogisticRegression().fit([t for t, _ in demo_rows[:300]], [y for _, y in demo_rows[:300]], quiet=True)
    run_dir = fitted.save(tmp_path / "lr")
    text = "Отличный сервис, но доставка ужасная"
    expected = contributions(fitted, text)
    code, out, err = run(capsys, "explain", run_dir, text, "--json", "--html", tmp_path / "e.html")
    assert code == 0, err
    result = json.loads(out)
    assert result["label"] == expected["label"] == fitted.predict([text])[0]
    assert result["method"] == "coefficient_x_tfidf"
    assert [f["term"] for f in result["features"]] == [f["term"] for f in expected["features"]]
    assert [f["contribution"] for f in result["features"]] == pytest.approx([f["contribution"] for f in expected["features"]])
    page = (tmp_path / "e.html").read_text(encoding="utf-8")
    assert page.count("<span") == len(expected["features"]) and f"pushes toward {expected['label']}" in page
    code, out, _ = run(capsys, "explain", run_dir, text, "--top", "3")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 3 and lines[0].startswith(f"predicted {expected['label']}  ")
    first = expected["features"][0]
    assert lines[1].split() == first["term"].split() + [
        f"{first['contribution']:+.4f}", "=", f"{first['weight']:+.4f}", "x", f"{first['tfidf']:.4f}"]


@pytest.mark.parametrize("args,message", [
    ([], "nothing to explain: give a text, or --top N for the model's highest- and lowest-weighted features"),
    (["--top", "3", "--html", "x.html"], "--html and --png draw one text's explanation; give a text"),
    (["абырвалг"], "the text has none of the model's features"),
])
def test_explain_tfidf_errors_are_one_line(tmp_path, demo_rows, capsys, args, message):
    fitted = TfidfLogisticRegression().fit([t for t, _ in demo_rows[:100]], [y for _, y in demo_rows[:100]], quiet=True)
    run_dir = fitted.save(tmp_path / "lr")
    code, out, err = run(capsys, "explain", run_dir, *[str(tmp_path / a) if a.endswith(".html") else a for a in args])
    assert code == 2 and out == "" and err.startswith(f"textrnn: error: {message}")
    assert len(err.strip().splitlines()) == 1


def test_a_tfidf_lr_model_evaluates_and_predicts_with_the_columns_it_was_trained_on(tmp_path, demo_rows, capsys):
    train = write_csv(tmp_path / "r.csv", demo_rows[:80], header=("review", "sentiment"))
    test = write_csv(tmp_path / "t.csv", demo_rows[80:120], header=("review", "sentiment"))
    code, _, err = run(capsys, "train", train, "--model", "tfidf-lr", "--text-col", "review", "--label-col",
                       "sentiment", "--out", tmp_path / "m", "--quiet")
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", tmp_path / "m", test, "--json")
    assert code == 0, err
    assert json.loads(out)["n"] == 40
    code, _, err = run(capsys, "predict", tmp_path / "m", "--input", test, "--output", tmp_path / "p.csv")
    assert code == 0, err
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()[0] == "review,sentiment,label_pred,p_negative,p_positive"


@pytest.mark.parametrize("extra, message", [
    (["--monitor", "bogus"], "--monitor='bogus' is unknown"),
    (["--embeddings", "/nope.vec"], "embeddings file '/nope.vec' not found"),
    (["--freeze-embeddings"], "--freeze-embeddings needs --embeddings"),
])
def test_tfidf_lr_still_refuses_bad_recurrent_options(extra, message, tmp_path, demo_rows, capsys):
    train = write_csv(tmp_path / "r.csv", demo_rows[:40])
    code, out, err = run(capsys, "train", train, "--model", "tfidf-lr", "--out", tmp_path / "m", "--quiet", *extra)
    assert (code, out) == (2, "") and message in err, err
    assert not (tmp_path / "m").exists()


def test_min_df_and_max_df_name_both_flags_and_the_counts(tmp_path, capsys):
    three = tmp_path / "three.csv"
    three.write_text("text,label\nкот спит,1\nкот ест,0\nпёс спит,1\nпёс ест,0\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "vectorize", three, "--min-df", "5")
    assert code == 2 and err == ("textrnn: error: --min-df=5 keeps terms found in at least 5 documents, but there are "
                                 "4 documents; expected --min-df <= 4\n")
    code, _, err = run_cli(capsys, "vectorize", three, "--min-df", "2", "--max-df", "0.25")
    assert code == 2 and err.startswith("textrnn: error: --min-df=2 and --max-df=0.25 (1 of 4 documents) leave no term")
    code, _, err = run_cli(capsys, "train", three, "--out", tmp_path / "r", "--model", "tfidf-lr", "--min-df", "9")
    assert code == 2 and "--min-df=9 keeps terms found in at least 9 documents, but there are 4 documents" in err
    code, _, err = run_cli(capsys, "train", three, "--out", tmp_path / "r", "--model", "tfidf-lr", "--min-df", "2",
                           "--max-df", "2", "--quiet")
    assert code == 0, err
    tfidf = json.loads((tmp_path / "r" / "config.json").read_text())["tfidf"]
    assert tfidf["min_df"] == 2 and tfidf["max_df"] == 2
