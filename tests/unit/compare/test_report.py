"""The compare report: one split, every spec per seed, mean ± std, the table in text and Markdown."""

import pytest

from tests.conftest import write_csv
from textrnn.baselines.vectorize import TextVectorizer
from textrnn.compare.report import compare_models, format_markdown, format_table, seed_list
from textrnn.data.tables import read_labeled_csv
from textrnn.errors import TextrnnError
from textrnn.text import Preprocessor


@pytest.fixture()
def split(tmp_path, demo_rows):
    return (read_labeled_csv(write_csv(tmp_path / "train.csv", demo_rows[:240])),
            read_labeled_csv(write_csv(tmp_path / "test.csv", demo_rows[300:380])))


def test_parameter_count_of_tfidf_is_coefficients_plus_intercepts(split):
    train, test = split
    report = compare_models(train, test, "tfidf-lr:ngram=1-1")
    n_terms = TextVectorizer(word_ngram_range=(1, 1)).fit(Preprocessor().transform(train.texts)).n_features_
    assert report["models"][0]["summary"]["n_parameters"] == n_terms + 1
    assert report["data"]["val"] is None and report["data"]["train"]["n"] == 240


def test_several_seeds_give_the_mean_and_sample_std(split):
    train, test = split
    report = compare_models(train, test, "tfidf-lr,tfidf-lr:C=0.5", seeds=2, first_seed=3)
    assert report["seeds"] == [3, 4]
    for m in report["models"]:
        accuracies = [r["test"]["accuracy"] for r in m["runs"]]
        assert m["summary"]["accuracy_mean"] == pytest.approx(sum(accuracies) / 2)
        assert m["summary"]["accuracy_std"] == 0.0  # lbfgs is deterministic: the seed changes nothing


def test_unknown_test_labels_and_duplicate_specs_are_refused_before_training(split):
    train, test = split
    test.labels[0] = "neutral"
    with pytest.raises(TextrnnError, match=r"test labels \['neutral'\] do not occur in the training data"):
        compare_models(train, test, "tfidf-lr")
    with pytest.raises(TextrnnError, match="model spec 'tfidf-lr' is given twice"):
        compare_models(train, test, "tfidf-lr,tfidf-lr")


def test_format_table_single_seed_and_markdown():
    report = {"seeds": [13], "models": [{"spec": "tfidf-lr", "summary": {
        "accuracy_mean": 0.71912, "accuracy_std": 0.0, "macro_f1_mean": 0.7, "macro_f1_std": 0.0,
        "train_seconds_mean": 5.04, "predict_ms_per_text_mean": 0.09123, "n_parameters": 167079}}]}
    assert format_table(report).splitlines()[2].split() == ["tfidf-lr", "0.7191", "0.7000", "5.0", "0.091", "167,079"]
    assert format_table(report, markdown=True).splitlines()[2] == "| tfidf-lr | 0.7191 | 0.7000 | 5.0 | 0.091 | 167,079 |"
    two = {**report, "seeds": [13, 14]}
    two["models"][0]["summary"]["accuracy_std"] = 0.01234
    assert format_table(two).splitlines()[2].split()[1:4] == ["0.7191", "±", "0.0123"]
    md = format_markdown({**report, "textrnn_version": "0.2.0", "created": "now", "data": {
        "train": {"path": "a.csv", "n": 3}, "val": None, "test": {"path": "b.csv", "n": 2}}}, command="textrnn compare a.csv")
    assert "```\ntextrnn compare a.csv\n```" in md and "- test: `b.csv` (2 texts)" in md and "- val:" not in md


def test_seed_list_counts_up_from_the_first_seed():
    assert seed_list(3) == [13, 14, 15] and seed_list(1, first_seed=0) == [0]
    with pytest.raises(TextrnnError, match="seeds must be >= 1, got 0"):
        seed_list(0)


class _Terminal:
    """A stand-in for stderr that says it is a terminal and keeps what is written."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_shows_a_bar_with_its_eta_per_recurrent_run_only_on_a_terminal(split, monkeypatch):
    import sys

    train, test = split
    specs = "tfidf-lr:ngram=1-1,gru:emb=8,hidden=8,epochs=2,maxlen=20,subwords=0"
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    report = compare_models(train, test, specs, progress=True, device="cpu")
    steps = report["models"][1]["runs"][0]
    bars = terminal.text
    assert f"gru:emb=8,hidden=8,epochs=2,maxlen=20,subwords=0 seed 13 (run 2/2)" in bars
    assert "tfidf-lr" not in bars and "run 1/2" not in bars  # no bar for the baseline, which has no epochs
    assert "step" in bars and "<" in bars  # tqdm's [elapsed<remaining] is the ETA
    assert steps["best_epoch"] in (1, 2)
    piped = _Terminal()
    piped.isatty = lambda: False
    monkeypatch.setattr(sys, "stderr", piped)
    compare_models(train, test, specs, progress=True, device="cpu")  # stderr to a file or a pipe: no bar
    assert piped.text == ""
