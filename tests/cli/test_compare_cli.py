"""``textrnn compare``: several specs on one split, table + compare.json + compare.md."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_csv


run = run_cli


@pytest.fixture()
def split(tmp_path, demo_rows):
    return (write_csv(tmp_path / "train.csv", demo_rows[:240]), write_csv(tmp_path / "val.csv", demo_rows[240:300]),
            write_csv(tmp_path / "test.csv", demo_rows[300:380]))


def test_compare_trains_every_spec_per_seed_and_writes_the_report(split, tmp_path, capsys):
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
            cm = r["test"]["confusion_matrix"]
            assert r["test"]["n"] == 80 == sum(map(sum, cm))
            assert r["test"]["accuracy"] == pytest.approx((cm[0][0] + cm[1][1]) / 80)
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
    assert code == 2 and "already exists; pass --force to replace it" in err
    code, stdout, err = run(capsys, "compare", train, "--test", test, "--out", out, "--models", "tfidf-lr", "--quiet", "--force")
    assert code == 0 and err == "" and len(stdout.splitlines()) == 3
    assert json.loads((out / "compare.json").read_text())["data"]["val"] is None


@pytest.mark.parametrize("args, message", [
    (["--models", "tfidf-lr,svm"], "unknown model 'svm' in spec 'svm'; expected tfidf-lr, default or"),
    (["--models", "tfidf-lr:analyzer=chars"], "analyzer 'chars' is unknown"),
    (["--models", "tfidf-lr,tfidf-lr"], "given twice"),
    (["--models", "gru:hidden=x"], "not a valid int"),
    (["--models", "gru:clip=nan"], "model spec 'gru:clip=nan': clip_grad_norm must be a finite number >= 0"),
    (["--models", "tfidf-lr,gru:lr=-1"], "model spec 'gru:lr=-1': training option lr=-1.0 is invalid; expected a number in (0.0"),
    (["--models", "tfidf-lr", "--device", "cpu:1"], "unknown device 'cpu:1'"),
    (["--models", "tfidf-lr,gru:embeddings=/nonexistent.vec"], "model spec 'gru:embeddings=/nonexistent.vec': embeddings file"),
    (["--models", "gru:freeze=1"], "freeze=1 needs embeddings"),
    (["--models", "tfidf-lr:ngram=2,1"], "'1' after 'tfidf-lr:ngram=2' is not a model name"),
    (["--models", "tfidf-lr,tfidf-lr:"], "given twice"),
    (["--seeds", "0"], "seeds must be >= 1, got 0"),
])
def test_a_bad_spec_or_option_is_one_line_before_any_training(split, tmp_path, capsys, args, message):
    train, val, test = split
    code, _, err = run(capsys, "compare", train, "--test", test, "--out", tmp_path / "o", *args)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()


def test_a_missing_file_or_unknown_test_labels_stop_compare(split, tmp_path, capsys):
    train, _, test = split
    code, _, err = run(capsys, "compare", train, "--test", tmp_path / "none.csv", "--out", tmp_path / "o", "--models", "tfidf-lr")
    assert code == 2 and "not found" in err
    odd = write_csv(tmp_path / "odd.csv", [("какой-то текст", "neutral")])
    code, _, err = run(capsys, "compare", train, "--test", odd, "--out", tmp_path / "o", "--models", "tfidf-lr")
    assert code == 2 and "test labels ['neutral']" in err and not (tmp_path / "o").exists()


def test_the_default_models_are_both_tfidf_baselines_and_the_train_default():
    import inspect

    from textrnn.cli.baselines import compare_command
    from textrnn.compare.specs import parse_specs

    default = inspect.signature(compare_command).parameters["models"].default.default
    assert default == "tfidf-lr,tfidf-lr:analyzer=word+char,default"
    assert [(s.name, s.options) for s in parse_specs(default)] == [
        ("tfidf-lr", {}), ("tfidf-lr", {"analyzer": "word+char"}), ("default", {})]
