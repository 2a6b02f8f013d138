"""RecurrentTextClassifier.fit: pretrained and frozen embeddings, the held-out validation set, checks, logging."""

import json

import numpy as np
import pytest
import torch

import textrnn
from tests.conftest import tiny_classifier
from textrnn.errors import TextrnnError
from textrnn.text import Preprocessor
from textrnn.training.callbacks import StepTimer
from textrnn.training.classifier import RecurrentTextClassifier


@pytest.fixture()
def glove(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("3 4\nхорошо 1 0 0 0\nплохо 0 1 0 0\nкино 0 0 1 0.5\n", encoding="utf-8")
    return path


def test_frozen_pretrained_embeddings_stay_fixed(glove, tmp_path):
    clf = tiny_classifier(embeddings=str(glove), freeze_embeddings=True, max_len=30, epochs=2)
    assert clf.model_.config.embedding_dim == 4  # set by the vectors
    assert "кино" in clf.vocab_  # the demo texts use it: its row is the pretrained vector, untouched by training
    weights = clf.model_.embedding.words.weight
    np.testing.assert_array_equal(weights[clf.vocab_.stoi["кино"]].detach().numpy(), [0, 0, 1, 0.5])
    assert weights.requires_grad is False and not weights[0].any()
    assert clf.embedding_stats_["found"] == sum(w in clf.vocab_ for w in ("хорошо", "плохо", "кино"))
    config = json.loads((clf.save(tmp_path / "run") / "config.json").read_text(encoding="utf-8"))
    assert config["embeddings"]["source"] == str(glove) and config["embeddings"]["freeze"] is True
    assert clf.n_parameters() == sum(p.numel() for p in clf.model_.parameters()) - weights.numel()


def test_unfrozen_pretrained_embeddings_train(glove):
    clf = tiny_classifier(embeddings=str(glove), max_len=30, epochs=2, lr=0.05)
    row = clf.model_.embedding.words.weight[clf.vocab_.stoi["кино"]].detach().numpy()
    assert clf.model_.embedding.words.weight.requires_grad and not np.array_equal(row, [0, 0, 1, 0.5])


def test_freezing_needs_embeddings():
    with pytest.raises(TextrnnError, match="freeze_embeddings needs embeddings") as e:
        RecurrentTextClassifier(freeze_embeddings=True, device="cpu")
    assert e.value.param == "freeze_embeddings"


def test_without_validation_data_a_stratified_tenth_is_held_out(demo_rows, capsys):
    clf = tiny_classifier(demo_rows[:100], n_val=0, preprocessor=Preprocessor(), threads=1)
    assert clf.summary_["val"]["n"] == 10
    assert clf.summary_["val"]["per_class"]["negative"]["support"] + clf.summary_["val"]["per_class"]["positive"]["support"] == 10
    assert clf.history_[0]["epoch"] == 1 and clf.summary_["best_epoch"] == 1


def test_progress_is_logged_on_stderr_and_quiet_silences_it(demo_rows, capsys):
    texts, labels = [t for t, _ in demo_rows[:60]], [y for _, y in demo_rows[:60]]
    clf = RecurrentTextClassifier(Preprocessor(), train_config=textrnn.TrainConfig(epochs=1, threads=1), device="cpu",
                                  model_config=textrnn.ModelConfig(embedding_dim=8, hidden_size=8, subword_buckets=0))
    clf.fit(texts, labels)
    out, err = capsys.readouterr()
    assert out == ""
    assert "no validation set given: holding out 6 of 60 training texts" in err
    assert "54 training texts, 6 validation texts, labels ['negative', 'positive']" in err
    assert "epoch  1  train_loss" in err
    clf.fit(texts, labels, quiet=True)
    assert capsys.readouterr() == ("", "")


def test_given_tokens_are_used_instead_of_preprocessing(demo_rows):
    texts, labels = [t for t, _ in demo_rows[:60]], [y for _, y in demo_rows[:60]]
    tokens = [["слово"] if y == "positive" else ["другое"] for y in labels]
    clf = RecurrentTextClassifier(Preprocessor(), textrnn.VocabConfig(), textrnn.ModelConfig(
        embedding_dim=8, hidden_size=8, subword_buckets=0), textrnn.TrainConfig(epochs=10, lr=0.02, patience=0), device="cpu")
    clf.fit(texts[:50], labels[:50], texts[50:], labels[50:], quiet=True, train_tokens=tokens[:50], val_tokens=tokens[50:])
    assert sorted(clf.vocab_.tokens) == ["другое", "слово"]  # the texts themselves were never tokenised
    assert clf.summary_["val"]["accuracy"] == 1.0  # one token tells the labels apart


def test_callbacks_see_every_training_step():
    timer = StepTimer()
    clf = tiny_classifier(epochs=2, patience=0, callbacks=[timer])
    assert [e["epoch"] for e in timer.epochs] == [1, 2]
    assert sum(e["steps"] for e in timer.epochs) == clf.summary_["steps"] == 2 * 4  # 60 texts in batches of 16


@pytest.mark.parametrize("args, message", [
    ((["a", "b"], ["x"]), "2 texts but 1 labels"),
    (([], []), "no training texts"),
    ((["a", "b"], ["x", "x"]), r"single class \['x'\]"),
    ((["a", "b"], ["x", "y"], ["c"], ["z"]), r"validation labels \['z'\] do not occur in the training data"),
    ((["a", "b"], ["x", "y"], ["c"], ["x", "y"]), "1 validation texts but 2 labels"),
    (([":)))", "(((", ":)", ":("], ["x", "y", "x", "y"]), "all 4 training texts are empty after preprocessing"),
    ((["a", "b"], ["x", "y"]), r"no validation texts can be held out of 2 training text\(s\): each of the 2 labels"),
])
def test_bad_training_data_is_one_error(args, message):
    clf = RecurrentTextClassifier(Preprocessor(), device="cpu")
    with pytest.raises(TextrnnError, match=message):
        clf.fit(*args, quiet=True)


def test_an_unfitted_classifier_says_to_fit_first():
    clf = RecurrentTextClassifier(Preprocessor(), device="cpu")
    for call in (lambda: clf.predict(["a"]), lambda: clf.labels_, lambda: clf.save("x")):
        with pytest.raises(TextrnnError, match=r"the classifier is not trained; call fit\(\) first"):
            call()


def test_training_is_reproducible_by_seed():
    a, b = tiny_classifier(seed=5), tiny_classifier(seed=5)
    torch.testing.assert_close(a.predict_logits(["Отличный сервис"]), b.predict_logits(["Отличный сервис"]), rtol=0, atol=0)
    assert not torch.equal(tiny_classifier(seed=6).predict_logits(["Отличный сервис"]), a.predict_logits(["Отличный сервис"]))


@pytest.mark.parametrize("call, message", [
    (lambda c, t, y: c.fit(t, y, val_texts=t[:5]), "val_texts given without val_labels"),
    (lambda c, t, y: c.fit(t, y, train_tokens=[["a"]]), "40 texts but 1 token lists in train_tokens"),
    (lambda c, t, y: c.fit(t, y, val_texts=[], val_labels=[]), "no validation texts: val_texts is empty"),
    (lambda c, t, y: c.fit(["раз", "два", "три"], ["a", "b", "c"]), r"no validation texts can be held out of 3 training text\(s\): each of the 3 labels has one text"),
    (lambda c, t, y: RecurrentTextClassifier(model_config={"hidden_size": 8}), "model_config must be a ModelConfig"),
    (lambda c, t, y: RecurrentTextClassifier(train_config=textrnn.TrainConfig(monitor="f1")), "monitor='f1' is unknown"),
])
def test_misused_fit_arguments_are_one_error_before_training(call, message, demo_rows):
    texts, labels = (list(x) for x in zip(*demo_rows[:40]))
    with pytest.raises(TextrnnError, match=message):
        call(RecurrentTextClassifier(device="cpu"), texts, labels)


def test_a_predictor_refuses_a_single_string_and_a_bad_batch_size(demo_rows):
    clf = tiny_classifier(epochs=1)
    with pytest.raises(TextrnnError, match="got a single string"):
        clf.predict("хороший")
    with pytest.raises(TextrnnError, match="batch_size must be an integer >= 1, got 0"):
        clf.predict(["хороший"], batch_size=0)
    with pytest.raises(TextrnnError, match="expected as many labels as texts, got 1 labels for 2"):
        clf.evaluate(["хороший", "плохой"], ["negative"])


def test_train_lm_takes_one_path_as_well_as_a_list(tmp_path):
    from textrnn.config import CharLMConfig, LMTrainConfig

    (tmp_path / "t.txt").write_text("hello world\n" * 30, encoding="utf-8")
    metrics = textrnn.train_lm(str(tmp_path / "t.txt"), tmp_path / "lm", CharLMConfig(hidden_size=8, embedding_dim=8),
                               LMTrainConfig(max_steps=2, batch_size=2, seq_len=8), quiet=True)
    assert metrics["steps"] == 2
    with pytest.raises(TextrnnError, match="train_config must be a LMTrainConfig"):
        textrnn.train_lm(str(tmp_path / "t.txt"), tmp_path / "lm2", train_config=textrnn.TrainConfig())
