"""Classification: labels <-> indices, the loss on raw logits, probabilities, prediction in input order, the task."""

import math

import pytest
import torch

from tests.conftest import untrained_net
from textrnn.config import ModelConfig
from textrnn.data.batching import EncodedTexts
from textrnn.errors import TextrnnError
from textrnn.tasks.classify import (
    ClassificationTask,
    balanced_class_weights,
    check_labels,
    encode_texts,
    evaluate_logits,
    label_indices,
    loss_fn,
    predict_logits,
    probabilities,
)
from textrnn.tasks.metrics import classification_metrics
from textrnn.vocab import Vocab


def random_texts(n: int, longest: int = 25, seed: int = 4) -> EncodedTexts:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, longest + 1, (n,), generator=g)
    ids = torch.zeros((n, int(lengths.max())), dtype=torch.int64)
    for i, length in enumerate(lengths.tolist()):
        ids[i, :length] = torch.randint(2, 50, (length,), generator=g)
    return EncodedTexts(ids, lengths, torch.randint(0, 3, (n,), generator=g))


def test_labels_are_sorted_numerically_when_they_are_integers():
    assert check_labels(["10", "9", "2", "9"]) == ["2", "9", "10"]
    assert check_labels(["pos", "neg"], ["neg"]) == ["neg", "pos"]
    with pytest.raises(TextrnnError, match=r"single class \['x'\]; a classifier needs at least 2 labels"):
        check_labels(["x", "x"])
    with pytest.raises(TextrnnError, match=r"validation labels \['z'\] do not occur in the training data"):
        check_labels(["x", "y"], ["z"])
    assert label_indices(["b", "a", "b"], ["a", "b"]).tolist() == [1, 0, 1]
    with pytest.raises(TextrnnError, match=r"labels \['c'\] are not known to the model"):
        label_indices(["c"], ["a", "b"])


def test_two_classes_use_one_logit_with_sigmoid_and_more_a_softmax():
    two = torch.tensor([[0.0], [math.log(3.0)]])
    torch.testing.assert_close(probabilities(two), torch.tensor([[0.5, 0.5], [0.25, 0.75]]))
    three = torch.tensor([[0.0, 0.0, math.log(2.0)]])
    torch.testing.assert_close(probabilities(three), torch.tensor([[0.25, 0.25, 0.5]]))


def test_the_loss_is_on_raw_logits_in_nats_per_text():
    logits = torch.tensor([[0.0], [2.0]])
    targets = torch.tensor([1, 0])
    expected = (math.log(2.0) + math.log(1 + math.exp(2.0))) / 2
    assert float(loss_fn(logits, targets)) == pytest.approx(expected)
    weighted = float(loss_fn(logits, targets, torch.tensor([3.0, 1.0])))  # per-text weights, mean over texts
    assert weighted == pytest.approx((math.log(2.0) * 1 + math.log(1 + math.exp(2.0)) * 3) / 2)
    multi = torch.tensor([[1.0, 2.0, 3.0]])
    assert float(loss_fn(multi, torch.tensor([2]))) == pytest.approx(-math.log(math.exp(3) / (math.e + math.e**2 + math.e**3)))


def test_balanced_class_weights_are_n_over_k_times_count():
    assert balanced_class_weights(torch.tensor([0, 0, 0, 1]), 2).tolist() == pytest.approx([4 / 6, 4 / 2])
    assert balanced_class_weights(torch.tensor([0, 0]), 2).tolist() == pytest.approx([0.5, 1.0])  # an absent class counts as 1


def test_metrics_are_scikit_learn_s_by_hand():
    m = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], ["a", "b"])
    assert m["n"] == 4 and m["accuracy"] == 0.75 and m["confusion_matrix"] == [[1, 1], [0, 2]]
    assert m["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    e = evaluate_logits(torch.tensor([[-1.0], [1.0], [1.0], [1.0]]), torch.tensor([0, 0, 1, 1]), ["a", "b"])
    assert e["accuracy"] == 0.75 and e["loss"] == pytest.approx(float(loss_fn(torch.tensor([[-1.0], [1.0], [1.0], [1.0]]),
                                                                               torch.tensor([0, 0, 1, 1]))))


def test_encode_texts_adds_subword_channels_when_the_model_has_them():
    vocab = Vocab.build([["кот", "спит"]])
    plain = encode_texts([["кот", "спит"], ["пёс"]], vocab, 8, ModelConfig(subword_buckets=0), ["a", "b"], ["a", "b"])
    assert plain.ids.tolist() == [[2, 3], [1, 0]] and plain.targets.tolist() == [0, 1]
    sub = encode_texts([["кот", "спит"], ["пёс"]], vocab, 8, ModelConfig(subword_buckets=100, max_subwords=5))
    assert sub.ids.shape == (2, 2, 6) and sub.targets is None
    assert torch.equal(sub.ids[..., 0], plain.ids)
    assert (sub.ids[1, 0, 1:] > 0).any() and not sub.ids[1, 1].any()  # the unknown word has n-grams; padding none


@pytest.fixture()
def one_thread():
    """203 tiny forward calls: with 2 OpenMP threads on a loaded machine each can stall 100+ ms."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("cell,bidirectional,pooling", [("lstm", True, "last"), ("gru", False, "mean"), ("rnn", True, "attention")])
def test_predict_logits_restores_input_order(cell, bidirectional, pooling, one_thread):
    data = random_texts(203)
    model = untrained_net(cell, pooling, bidirectional, dropout=0.0).train()
    batched = predict_logits(model, data, batch_size=16)
    assert model.training is True  # predict_logits left the model in the mode it found it in
    model.eval()
    with torch.no_grad():
        one_by_one = torch.cat([model(data.ids[i : i + 1, : int(data.lengths[i])], data.lengths[i : i + 1])
                                for i in range(len(data))])
    torch.testing.assert_close(batched, one_by_one, atol=1e-5, rtol=1e-4)
    with pytest.raises(TextrnnError, match="no texts to predict"):
        predict_logits(model, EncodedTexts(torch.zeros((0, 1), dtype=torch.int64), torch.zeros(0, dtype=torch.int64)))


def test_the_task_trains_on_every_text_once_per_epoch_and_scores_validation():
    train, val = random_texts(100, seed=1), random_texts(30, seed=2)
    task = ClassificationTask(train, val, ["a", "b", "c"], batch_size=16)
    task.setup(torch.device("cpu"), seed=0)
    batches = list(task.train_batches(1))
    assert len(batches) == task.steps_per_epoch() == 7
    assert sum(task.count(b) for b in batches) == train.n_tokens()
    assert sorted(t for _, _, targets in batches for t in targets.tolist()) == sorted(train.targets.tolist())
    model = untrained_net()
    with torch.no_grad():
        assert float(task.loss(model, batches[0])) == pytest.approx(float(loss_fn(model(*batches[0][:2]), batches[0][2])))
    metrics = task.evaluate(model)
    expected = evaluate_logits(predict_logits(model, val), val.targets, ["a", "b", "c"])
    assert metrics["loss"] == pytest.approx(expected["loss"]) and metrics["accuracy"] == expected["accuracy"]
    again = ClassificationTask(train, val, ["a", "b", "c"], batch_size=16)
    again.setup(torch.device("cpu"), seed=0)
    assert all(torch.equal(a[0], b[0]) for a, b in zip(batches, again.train_batches(1)))  # the seed fixes the order


def test_many_classes_store_the_top_confusions_instead_of_the_matrix():
    import json

    import numpy as np

    n = 2000
    names = [f"class{i}" for i in range(n)]
    y_true = np.arange(n).repeat(2)
    y_pred = y_true.copy()
    y_pred[1::2] = (y_true[1::2] + 1) % n  # every second text goes to the next class
    y_pred[1] = 7  # one class0 text to class7 instead of class1
    y_pred[3] = 7
    m = classification_metrics(y_true, y_pred, names)
    assert m["confusion_matrix"] is None and m["accuracy"] == 0.5
    assert len(m["top_confusions"]) == 100
    assert m["top_confusions"][0] == {"true": "class0", "predicted": "class7", "count": 1}
    assert all(c["count"] == 1 for c in m["top_confusions"])
    assert len(json.dumps(m)) < 400_000  # linear in the classes (a full matrix: 4 M cells)
    small = classification_metrics([0, 1], [1, 1], ["a", "b"])
    assert small["confusion_matrix"] == [[0, 1], [0, 1]] and "top_confusions" not in small
