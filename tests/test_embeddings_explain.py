"""Pretrained vectors land in the embedding matrix; explain gives one score per token."""

import numpy as np
import pytest
import torch

from textrnn.classifier import RecurrentTextClassifier, VocabConfig
from textrnn.embeddings import pretrained_matrix
from textrnn.errors import TextrnnError
from textrnn.explain import explain, to_html
from textrnn.models import ModelConfig
from textrnn.training import TrainConfig
from textrnn.vocab import Vocabulary


@pytest.fixture()
def glove(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("3 4\nхорошо 1 0 0 0\nплохо 0 1 0 0\nкино 0 0 1 0.5\n", encoding="utf-8")
    return path


def test_text_vectors_fill_found_rows_and_report_coverage(glove):
    vocab = Vocabulary.build([["хорошо", "кино", "кино", "неведомо"]])
    weights, stats = pretrained_matrix(vocab, str(glove), {"хорошо": 1, "кино": 2, "неведомо": 1})
    assert weights.shape == (5, 4)
    assert weights[0].abs().sum() == 0  # <pad>
    np.testing.assert_array_equal(weights[vocab.stoi["кино"]].numpy(), [0, 0, 1, 0.5])
    np.testing.assert_array_equal(weights[vocab.stoi["хорошо"]].numpy(), [1, 0, 0, 0])
    assert stats["found"] == 2 and stats["vocab_coverage"] == pytest.approx(2 / 3)
    assert stats["token_coverage"] == pytest.approx(3 / 4)


def test_bad_vector_files(tmp_path):
    vocab = Vocabulary.build([["a"]])
    with pytest.raises(TextrnnError, match="not found"):
        pretrained_matrix(vocab, str(tmp_path / "missing.txt"))
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("a 1 2\nb 1\n", encoding="utf-8")
    with pytest.raises(TextrnnError, match="line 2: 1 numbers, expected 2"):
        pretrained_matrix(vocab, str(ragged))


def test_navec_archive_path_gives_the_bundled_vectors(tmp_path):
    pytest.importorskip("navec")
    natasha = pytest.importorskip("natasha")
    from importlib import resources

    from textrnn.embeddings import NAVEC_FILE

    vocab = Vocabulary.build([["кошка", "собака", "собака", "zzqxj"]])
    bundled, stats = pretrained_matrix(vocab, "navec")
    with resources.as_file(resources.files(natasha) / NAVEC_FILE) as tar:
        from_path, path_stats = pretrained_matrix(vocab, str(tar))
    torch.testing.assert_close(from_path, bundled, rtol=0, atol=0)
    assert stats["found"] == path_stats["found"] == 2
    assert path_stats["vectors"] == "navec_news_v1_1B_250K_300d_100q"
    assert abs(float(from_path[vocab.stoi["кошка"]] @ from_path[vocab.stoi["собака"]])) > 0
    not_navec = tmp_path / "vectors.tar"
    not_navec.write_bytes(b"\0" * 1024)
    with pytest.raises(TextrnnError, match="is not a navec archive") as error:
        pretrained_matrix(vocab, str(not_navec))
    assert "\n" not in str(error.value)  # tarfile's own message has one line per method tried
    assert "expected a navec .tar holding meta.json, vocab.bin and pq.bin" in str(error.value)
    (tmp_path / "dir.tar").mkdir()
    with pytest.raises(TextrnnError, match="is a directory; expected 'navec', a navec .tar archive"):
        pretrained_matrix(vocab, str(tmp_path / "dir.tar"))
    with resources.as_file(resources.files(natasha) / NAVEC_FILE) as tar:
        (tmp_path / "UPPER.TAR").symlink_to(tar)
        upper, _ = pretrained_matrix(vocab, str(tmp_path / "UPPER.TAR"))
    torch.testing.assert_close(upper, bundled, rtol=0, atol=0)


def small_classifier(pooling, demo_rows, **kwargs):
    texts = [t for t, _ in demo_rows[:80]]
    labels = [y for _, y in demo_rows[:80]]
    return RecurrentTextClassifier(
        vocab_config=VocabConfig(max_len=30),
        model_config=ModelConfig(cell="gru", embedding_dim=4, hidden_size=8, pooling=pooling, bidirectional=True),
        train_config=TrainConfig(epochs=2, batch_size=16),
        device="cpu", **kwargs,
    ).fit(texts[:60], labels[:60], texts[60:], labels[60:], quiet=True)


def test_frozen_pretrained_embeddings_stay_fixed(glove, demo_rows):
    clf = small_classifier("max", demo_rows, embeddings=str(glove), freeze_embeddings=True)
    row = clf.model_.embedding.weight[clf.vocab_.stoi["хорошо"]] if "хорошо" in clf.vocab_ else None
    if row is not None:
        np.testing.assert_array_equal(row.detach().numpy(), [1, 0, 0, 0])
    assert clf.model_.embedding.weight.requires_grad is False
    assert clf.config_dict()["embeddings"]["source"] == str(glove)


@pytest.mark.parametrize("pooling", ["attention", "max", "last"])
def test_explain_scores_every_token(pooling, demo_rows):
    clf = small_classifier(pooling, demo_rows)
    exp = explain(clf, "Отличный сервис, но доставка ужасная абырвалг")
    assert exp.tokens == ["отличный", "сервис", "но", "доставка", "ужасная", "абырвалг?"] or exp.tokens[-1].endswith("?")
    assert len(exp.scores) == len(exp.tokens)
    assert sum(exp.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
    assert exp.label == max(exp.probabilities, key=exp.probabilities.get)
    if pooling == "attention":
        assert exp.method == "attention" and sum(exp.scores) == pytest.approx(1.0, abs=1e-5)
    else:
        assert exp.method == "gradient_x_input" and any(abs(s) > 0 for s in exp.scores)
    page = to_html(exp)
    assert page.count("<span") == len(exp.tokens) and "абырвалг?" in page


@pytest.mark.parametrize("n_labels", [3, 300])
def test_confusion_matrix_png_stays_small_with_many_labels(tmp_path, n_labels):
    # 300 labels once made a 270-inch figure with 90,000 cell texts (24 GB, killed)
    from PIL import Image

    from textrnn.plots import plot_confusion_matrix

    matrix = [[(i * 7 + j) % 5 for j in range(n_labels)] for i in range(n_labels)]
    path = tmp_path / "cm.png"
    plot_confusion_matrix(matrix, [f"label{i}" for i in range(n_labels)], path)
    width, height = Image.open(path).size
    assert 200 < width <= 15 * 110 and 200 < height <= 14 * 110
