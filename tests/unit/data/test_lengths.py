"""Empty and over-long token lists: dropped from training, predicted with a warning, counted."""

from __future__ import annotations

import logging

from textrnn.baselines.tfidf_lr import TfidfLogisticRegression
from textrnn.data.lengths import count_truncated, drop_empty, report_empty_predictions, report_truncated


def test_drop_empty_keeps_the_rows_of_every_column_and_says_how_many():
    said = []
    tokens, labels = drop_empty([["a"], [], ["b", "c"], []], ["x", "", "y", "z"], say=said.append)
    assert tokens == [["a"], ["b", "c"]] and labels == ["x", "y"]
    assert said == ["2 of 4 training texts are empty before or after preprocessing: left out"]
    assert drop_empty([["a"]], ["x"], say=said.append) == ([["a"]], ["x"]) and len(said) == 1


def test_truncation_and_empty_predictions_are_counted(caplog):
    said = []
    assert count_truncated([["a"] * 3, ["a"] * 5, []], 4) == 1 and count_truncated([["a"] * 9], None) == 0
    assert report_truncated([["a"] * 3, ["a"] * 5, ["a"] * 6], 4, "training texts", said.append) == 2
    assert said == ["2 training texts truncated to 4 tokens (max_len)"]
    with caplog.at_level(logging.WARNING, logger="textrnn"):
        logging.getLogger("textrnn").propagate = True
        try:
            assert report_empty_predictions([["a"], []]) == 1
        finally:
            logging.getLogger("textrnn").propagate = False
    assert "text 2 is empty after preprocessing; its label is the model's answer for an empty text" in caplog.text


def test_tfidf_lr_leaves_empty_training_texts_out_and_predicts_an_empty_one(demo_rows, capsys):
    texts = [t for t, _ in demo_rows[:100]] + ["", "   ", "!!!"]
    labels = [y for _, y in demo_rows[:100]] + ["", "positive", "negative"]
    clf = TfidfLogisticRegression().fit(texts, labels)
    assert clf.labels_ == ["negative", "positive"] and clf.summary_["n_train"] == 100
    err = capsys.readouterr().err
    assert "3 of 103 training texts are empty before or after preprocessing: left out" in err
    assert clf.predict(["", "хорошо"])[0] in clf.labels_
    assert "text 1 is empty after preprocessing" in capsys.readouterr().err
