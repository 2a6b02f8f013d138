"""The classifier's run directory: saving and loading never changes a logit, for every cell x pooling x direction."""

import itertools
import json

import pytest
import torch

import textrnn
from tests.conftest import tiny_classifier, untrained_net
from textrnn.config import CELLS, POOLINGS, VocabConfig
from textrnn.errors import TextrnnError
from textrnn.inference.classifier import ClassifierPredictor
from textrnn.text import Preprocessor
from textrnn.vocab import Vocab

WORDS = [a + b for a in "абвгдежзик" for b in "лмнопрс"][:58]  # with <pad> and <unk>: the 60 ids of untrained_net


@pytest.mark.parametrize("cell,pooling,bidirectional", list(itertools.product(CELLS, POOLINGS, [False, True])))
def test_save_load_gives_identical_logits_for_every_architecture(tmp_path, cell, pooling, bidirectional):
    model = untrained_net(cell, pooling, bidirectional)
    predictor = ClassifierPredictor(Preprocessor(), Vocab(WORDS), ["a", "b", "c"], model, VocabConfig(max_len=16))
    loaded = textrnn.load(predictor.save(tmp_path / "run"), device="cpu")
    assert isinstance(loaded, ClassifierPredictor) and loaded.model_config == model.config
    g = torch.Generator().manual_seed(0)
    ids, lengths = torch.randint(1, 60, (5, 9), generator=g), torch.tensor([9, 7, 7, 3, 1])
    torch.testing.assert_close(loaded.model(ids, lengths), model(ids, lengths), rtol=0, atol=0)
    texts = [" ".join(WORDS[i::7]) for i in range(4)] + ["слово вне словаря"]
    torch.testing.assert_close(loaded.predict_logits(texts), predictor.predict_logits(texts), rtol=0, atol=0)


@pytest.mark.parametrize("labels", [["neg", "pos"], ["negative", "neutral", "positive"]])
def test_a_trained_classifier_predicts_the_same_after_loading(tmp_path, demo_rows, labels):
    rows = [(t, labels[i % len(labels)]) for i, (t, _) in enumerate(demo_rows[:60])]
    clf = tiny_classifier(rows, n_val=10, cell="lstm", pooling="attention", bidirectional=True)
    texts = [t for t, _ in rows]
    loaded = textrnn.load(clf.save(tmp_path / "run"), device="cpu")
    assert loaded.labels_ == sorted(labels)
    torch.testing.assert_close(loaded.predict_logits(texts), clf.predict_logits(texts), rtol=0, atol=0)
    assert clf.predict_logits(texts).shape == (60, 1 if len(labels) == 2 else 3)
    assert loaded.predict(texts) == clf.predict(texts)
    assert loaded.summary_["best_epoch"] == clf.summary_["best_epoch"] == 1
    assert loaded.record["training"] == clf.train_config.to_dict() | {"betas": list(clf.train_config.betas)}
    assert (tmp_path / "run" / "curves.png").exists() and (tmp_path / "run" / "history.csv").exists()


def test_subword_embeddings_keep_padding_invariance_and_give_oov_words_their_own_vectors(tmp_path, demo_rows):
    clf = tiny_classifier(demo_rows[:60], n_val=10, pooling="mean", bidirectional=False, subword_buckets=1000)
    data = clf.predictor_.encode([["абырвалг"], ["главрыба"], ["абырвалг", "и", "ещё", "много", "слов"]])
    assert data.ids.shape[2] == 1 + 24 and data.ids[0, 0, 0] == clf.vocab_.unk_id  # OOV word id is <unk> ...
    vectors = clf.model_.embedding(data.ids[:2, :1])
    assert not torch.allclose(vectors[0], vectors[1])  # ... but its n-grams still tell the words apart
    alone = clf.predict_logits(["абырвалг"])
    in_batch = clf.predict_logits(["абырвалг", "абырвалг и ещё очень много разных слов подряд"])[:1]
    torch.testing.assert_close(in_batch, alone, atol=1e-6, rtol=1e-5)
    texts = [t for t, _ in demo_rows[:60]]
    loaded = textrnn.load(clf.save(tmp_path / "run"), device="cpu")
    torch.testing.assert_close(loaded.predict_logits(texts), clf.predict_logits(texts), rtol=0, atol=0)


def test_the_loaded_predictor_holds_what_was_trained(tiny_run_dir):
    p = textrnn.load(tiny_run_dir, device="cpu", kind="classifier")
    config = json.loads((tiny_run_dir / "config.json").read_text(encoding="utf-8"))
    assert p.labels_ == ["negative", "positive"] and p.model_config.num_outputs == 1
    assert p.vocab_config == VocabConfig(max_size=500, max_len=20) and len(p.vocab) == p.model_config.vocab_size
    assert p.preprocessor.to_dict() == Preprocessor().to_dict() == config["preprocessing"]
    assert p.describe() == {"kind": "classifier", "model_type": "recurrent", "labels": ["negative", "positive"],
                            "model": config["model"], "n_parameters": p.n_parameters()}
    probs = p.predict_proba(["Отличный сервис", "Ужасно"])
    assert probs.shape == (2, 2) and abs(probs.sum(1) - 1).max() < 1e-6
    assert p.predict(["Отличный сервис", "Ужасно"]) == [p.labels_[i] for i in probs.argmax(1)]


def test_evaluate_names_labels_the_model_does_not_know(tiny_run_dir):
    p = textrnn.load(tiny_run_dir, device="cpu")
    with pytest.raises(TextrnnError, match=r"labels \['neutral'\] are not known to the model \(labels: \['negative', 'positive'\]\)"):
        p.evaluate(["текст"], ["neutral"])
    m = p.evaluate(["Отличный сервис", "Ужасно"], ["positive", "negative"])
    assert m["n"] == 2 and m["accuracy"] == sum(a == b for a, b in zip(p.predict(["Отличный сервис", "Ужасно"]),
                                                                      ["positive", "negative"])) / 2
