"""``textrnn compare``: several specs on one split, table + compare.json + compare.md."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write_csv
from textrnn.compare import compare_models, format_table, seed_list
from textrnn.csv_input import read_labeled_csv
from textrnn.errors import TextrnnError


run = run_cli


@pytest.fixture()
def split(tmp_path, demo_rows):
    return (write_csv(tmp_path / "train.csv", demo_rows[:240]), write_csv(tmp_path / "val.csv", demo_rows[240:300]),
            write_csv(tmp_path / "test.csv", demo_rows[300:380]))


def test_compare_cli_tfidf_and_tiny_gru(split, tmp_path, capsys):
    train, val, test = split
    out = tmp_path / "cmp"
    code, stdout, err = run(capsys, "compare", train, "--val", val, "--test", test, "--out", out,
                            "--models", "tfidf-lr,tfidf-lr:analyzer=word+char,char_ngram=2-3,gru:emb=8,hidden=8,epochs=1",
                            "--seeds", "2", "--device", "cpu")
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0].split() == ["model", "accuracy", "macro-F1", "train", "s", "predict", "ms/text", "parameters"]
    assert [ln.split()[0] for ln in lines[2:]] == ["tfidf-lr", "tfidf-lr:analyzer=word+char,char_ngram=2-3", "gru:emb=8,hidden=8,epochs=1"]
    assert "±" in lines[2]
    assert "seed 14" in err  # progress log on stderr
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert report["seeds"] == [13, 14] and report["data"]["test"]["n"] == 80 and report["data"]["val"]["n"] == 60
    assert report["command"] == (f"textrnn compare {train} --val {val} --test {test} --models "
                                 f"tfidf-lr,tfidf-lr:analyzer=word+char,char_ngram=2-3,gru:emb=8,hidden=8,epochs=1 --seeds 2 --out {out}")
    tfidf, union, gru = report["models"]
    assert gru["options"] == {"emb": 8, "hidden": 8, "epochs": 1}
    for m in report["models"]:
        assert len(m["runs"]) == 2
        for r in m["runs"]:
            assert r["test"]["n"] == 80 and 0 <= r["test"]["accuracy"] <= 1
            assert r["train_seconds"] > 0 and r["predict_ms_per_text"] > 0 and r["n_parameters"] > 0
    # tfidf-lr is deterministic: both seeds agree, std 0; table value = mean
    s = tfidf["summary"]
    assert tfidf["runs"][0]["test"]["accuracy"] == tfidf["runs"][1]["test"]["accuracy"] == s["accuracy_mean"]
    assert s["accuracy_std"] == 0.0 and f"{s['accuracy_mean']:.4f} ± 0.0000" in lines[2]
    assert tfidf["runs"][0]["val"] is not None
    assert union["summary"]["n_parameters"] > tfidf["summary"]["n_parameters"]
    md = (out / "compare.md").read_text(encoding="utf-8")
    assert "| model | accuracy | macro-F1 | train s | predict ms/text | parameters |" in md
    assert "| tfidf-lr |" in md and "textrnn compare" in md
    # an existing directory needs --force; with it, it is replaced
    code, _, err = run(capsys, "compare", train, "--test", test, "--out", out, "--models", "tfidf-lr", "--quiet")
    assert code == 2 and "already exists" in err
    code, stdout, err = run(capsys, "compare", train, "--test", test, "--out", out, "--models", "tfidf-lr", "--quiet", "--force")
    assert code == 0 and err == "" and len(stdout.splitlines()) == 3
    assert json.loads((out / "compare.json").read_text())["data"]["val"] is None


def test_parameter_count_of_tfidf_is_coefficients_plus_intercepts(split):
    train, _, test = split
    report = compare_models(read_labeled_csv(train), read_labeled_csv(test), "tfidf-lr:ngram=1-1")
    from textrnn.preprocessing import Preprocessor
    from textrnn.vectorize import TextVectorizer

    n_terms = TextVectorizer(word_ngram_range=(1, 1)).fit(Preprocessor().transform(read_labeled_csv(train).texts)).n_features_
    assert report["models"][0]["summary"]["n_parameters"] == n_terms + 1


@pytest.mark.parametrize("args, message", [
    (["--models", "tfidf-lr,svm"], "unknown model 'svm'"),
    (["--models", "tfidf-lr:analyzer=chars"], "analyzer 'chars' is unknown"),
    (["--models", "tfidf-lr,tfidf-lr"], "given twice"),
    (["--models", "gru:hidden=x"], "not a valid int"),
    (["--models", "gru:clip=nan"], "model spec 'gru:clip=nan': clip-grad-norm must be a finite number >= 0"),
    (["--models", "tfidf-lr,gru:lr=-1"], "model spec 'gru:lr=-1': lr must be a positive number, got -1.0"),
    (["--models", "tfidf-lr", "--device", "cpu:1"], "unknown device 'cpu:1'"),
    (["--models", "tfidf-lr,gru:embeddings=/nonexistent.vec"], "model spec 'gru:embeddings=/nonexistent.vec': embeddings file"),
    (["--models", "gru:freeze=1"], "freeze=1 needs embeddings"),
    (["--models", "tfidf-lr:ngram=2,1"], "'1' after 'tfidf-lr:ngram=2' is not a model name"),
    (["--models", "tfidf-lr,tfidf-lr:"], "given twice"),
    (["--seeds", "0"], "seeds must be >= 1"),
])
def test_compare_bad_input(split, tmp_path, capsys, args, message):
    train, val, test = split
    code, _, err = run(capsys, "compare", train, "--test", test, "--out", tmp_path / "o", *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_compare_missing_file_and_unknown_test_labels(split, tmp_path, capsys):
    train, _, test = split
    code, _, err = run(capsys, "compare", train, "--test", tmp_path / "none.csv", "--out", tmp_path / "o", "--models", "tfidf-lr")
    assert code == 2 and "not found" in err
    odd = write_csv(tmp_path / "odd.csv", [("какой-то текст", "neutral")])
    code, _, err = run(capsys, "compare", train, "--test", odd, "--out", tmp_path / "o", "--models", "tfidf-lr")
    assert code == 2 and "test labels ['neutral']" in err and not (tmp_path / "o").exists()


def test_format_table_single_seed_and_markdown():
    report = {"seeds": [13], "models": [{"spec": "tfidf-lr", "summary": {
        "accuracy_mean": 0.71912, "accuracy_std": 0.0, "macro_f1_mean": 0.7, "macro_f1_std": 0.0,
        "train_seconds_mean": 5.04, "predict_ms_per_text_mean": 0.09123, "n_parameters": 167079}}]}
    assert format_table(report).splitlines()[2].split() == ["tfidf-lr", "0.7191", "0.7000", "5.0", "0.091", "167,079"]
    assert format_table(report, markdown=True).splitlines()[2] == "| tfidf-lr | 0.7191 | 0.7000 | 5.0 | 0.091 | 167,079 |"
    assert seed_list(3) == [13, 14, 15]
    with pytest.raises(TextrnnError):
        seed_list(0)


def test_recurrent_spec_training_options_reach_the_train_config():
    from textrnn.specs import build_from_spec, parse_spec

    clf = build_from_spec(parse_spec("bigru-max:clip=0,weight_decay=0.01,lr=0.003,batch=32,epochs=4,patience=1"), seed=7)
    t = clf.train_config
    assert (t.clip_grad_norm, t.weight_decay, t.lr, t.batch_size, t.epochs, t.patience, t.seed) == (0.0, 0.01, 0.003, 32, 4, 1, 7)
    assert build_from_spec(parse_spec("gru"), seed=1).train_config.clip_grad_norm == 1.0
