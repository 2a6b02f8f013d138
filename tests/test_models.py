"""Padding must never change a prediction; saving and loading must not change logits."""

import itertools

import pytest
import torch

from textrnn.classifier import RecurrentTextClassifier, VocabConfig
from textrnn.errors import TextrnnError
from textrnn.models import ModelConfig, RecurrentClassifier
from textrnn.pooling import POOLINGS
from textrnn.training import TrainConfig

CASES = list(itertools.product(["rnn", "lstm", "gru"], POOLINGS, [False, True]))


def make_model(cell, pooling, bidirectional, num_layers=2):
    torch.manual_seed(0)
    cfg = ModelConfig(cell=cell, vocab_size=50, num_outputs=3, embedding_dim=8, hidden_size=6,
                      num_layers=num_layers, bidirectional=bidirectional, pooling=pooling, dropout=0.2)
    return RecurrentClassifier(cfg).eval()


@pytest.mark.parametrize("cell,pooling,bidirectional", CASES)
def test_padding_never_changes_logits(cell, pooling, bidirectional):
    model = make_model(cell, pooling, bidirectional)
    short = torch.tensor([[5, 9, 3]])
    alone = model(short, torch.tensor([3]))
    # the same text padded to 10, in a batch with longer texts
    batch = torch.zeros((3, 10), dtype=torch.int64)
    batch[0, :10] = torch.arange(10, 20)
    batch[1, :3] = short[0]
    batch[2, :7] = torch.arange(20, 27)
    together = model(batch, torch.tensor([10, 3, 7]))
    torch.testing.assert_close(together[1:2], alone, atol=1e-6, rtol=1e-5)
    # garbage in the padding positions must not matter either
    batch[1, 3:] = 42
    torch.testing.assert_close(model(batch, torch.tensor([10, 3, 7]))[1:2], alone, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("padded", [True, False])
@pytest.mark.parametrize("cell,pooling", list(itertools.product(["rnn", "lstm", "gru"], ["last", "mean", "max"])))
def test_unidirectional_paths_equal_each_text_run_alone(cell, pooling, padded, monkeypatch):
    # a unidirectional net runs over the padded batch or packed sequences (runs_padded); either
    # way every row must equal the text run on its own through the recurrent module
    model = make_model(cell, pooling, False)
    monkeypatch.setattr(model, "runs_padded", lambda device: padded)
    lengths = torch.tensor([6, 2, 4, 1])
    ids = torch.full((4, 6), 33)  # garbage padding
    for row, n in enumerate(lengths.tolist()):
        ids[row, :n] = torch.arange(1, n + 1) + 5 * row
    pooled, _ = model.encode(ids, lengths)
    for row, n in enumerate(lengths.tolist()):
        out, _ = model.rnn(model.embedding(ids[row : row + 1, :n]))  # (1, n, H)
        expected = {"last": out[0, -1], "mean": out[0].mean(0), "max": out[0].max(0).values}[pooling]
        torch.testing.assert_close(pooled[row], expected, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lengths_outside_the_padded_width_are_an_error(bidirectional):
    model = make_model("gru", "max", bidirectional)
    ids = torch.tensor([[4, 7, 2], [5, 0, 0]])
    for bad in ([3, 0], [4, 1]):
        with pytest.raises(TextrnnError, match=r"lengths must be in \[1, 3\]"):
            model(ids, torch.tensor(bad))


def test_which_nets_run_padded():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert [make_model(c, "max", False).runs_padded(cpu) for c in ("rnn", "lstm", "gru")] == [True, False, True]  # eval
    assert [make_model(c, "max", False).train().runs_padded(cpu) for c in ("rnn", "lstm", "gru")] == [True, True, True]
    assert [make_model(c, "max", False).runs_padded(cuda) for c in ("rnn", "lstm", "gru")] == [True, True, True]
    assert not any(make_model(c, "max", True).runs_padded(d) for c in ("rnn", "lstm", "gru") for d in (cpu, cuda))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_last_pooling_bidirectional_uses_forward_last_and_backward_first(cell):
    model = make_model(cell, "last", True, num_layers=1)
    ids, lengths = torch.tensor([[4, 7, 2, 0, 0]]), torch.tensor([3])
    pooled, _ = model.encode(ids, lengths)
    out, _ = model.rnn(model.embedding(ids[:, :3]))  # unpadded run, (1, 3, 2H)
    h = model.config.hidden_size
    torch.testing.assert_close(pooled[0, :h], out[0, 2, :h])  # forward state after the last real token
    torch.testing.assert_close(pooled[0, h:], out[0, 0, h:])  # backward state after reading back to token 0


def test_attention_weights_are_a_distribution_over_real_tokens():
    model = make_model("gru", "attention", True)
    ids = torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0]])
    logits, weights = model.forward_with_weights(ids, torch.tensor([4, 2]))
    assert logits.shape == (2, 3) and weights.shape == (2, 4)
    torch.testing.assert_close(weights.sum(1), torch.ones(2))
    assert weights[1, 2:].abs().max() == 0


def test_bad_model_config_names_the_value():
    from textrnn.errors import TextrnnError

    with pytest.raises(TextrnnError, match="unknown pooling 'median'"):
        ModelConfig(pooling="median").validate()
    with pytest.raises(TextrnnError, match=r"dropout must be in \[0, 1\), got 1.5"):
        ModelConfig(dropout=1.5).validate()


@pytest.mark.parametrize("labels", [["neg", "pos"], ["negative", "neutral", "positive"]])
def test_save_load_gives_identical_logits(tmp_path, demo_rows, labels):
    texts = [t for t, _ in demo_rows[:60]]
    y = [labels[i % len(labels)] for i in range(60)]
    clf = RecurrentTextClassifier(
        vocab_config=VocabConfig(max_size=500, max_len=20),
        model_config=ModelConfig(cell="lstm", embedding_dim=8, hidden_size=8, pooling="attention", bidirectional=True),
        train_config=TrainConfig(epochs=1, batch_size=16),
        device="cpu",
    ).fit(texts[:50], y[:50], texts[50:], y[50:], quiet=True)
    clf.save(tmp_path / "run")
    loaded = RecurrentTextClassifier.load(tmp_path / "run", device="cpu")
    assert loaded.labels_ == sorted(labels)
    torch.testing.assert_close(loaded.predict_logits(texts), clf.predict_logits(texts), rtol=0, atol=0)
    assert clf.predict_logits(texts).shape == (60, 1 if len(labels) == 2 else 3)


def test_subword_embeddings_keep_padding_invariance_and_give_oov_words_their_own_vectors(tmp_path, demo_rows):
    texts = [t for t, _ in demo_rows[:60]]
    y = [lab for _, lab in demo_rows[:60]]
    clf = RecurrentTextClassifier(
        vocab_config=VocabConfig(max_size=500, max_len=20),
        model_config=ModelConfig(cell="gru", embedding_dim=8, hidden_size=8, pooling="mean", subword_buckets=1000),
        train_config=TrainConfig(epochs=1, batch_size=16),
        device="cpu",
    ).fit(texts[:50], y[:50], texts[50:], y[50:], quiet=True)
    data = clf.encode([["абырвалг"], ["главрыба"], ["абырвалг", "и", "ещё", "много", "слов"]])
    assert data.ids.shape[2] == 1 + 24 and data.ids[0, 0, 0] == 1  # OOV word id is <unk> ...
    vectors = clf.model_.embed(data.ids[:2, :1])
    assert not torch.allclose(vectors[0], vectors[1])  # ... but its n-grams still tell the words apart
    alone = clf.predict_logits(["абырвалг"])
    in_batch = clf.predict_logits(["абырвалг", "абырвалг и ещё очень много разных слов подряд"])[:1]
    torch.testing.assert_close(in_batch, alone, atol=1e-6, rtol=1e-5)
    clf.save(tmp_path / "run")
    loaded = RecurrentTextClassifier.load(tmp_path / "run", device="cpu")
    torch.testing.assert_close(loaded.predict_logits(texts), clf.predict_logits(texts), rtol=0, atol=0)
