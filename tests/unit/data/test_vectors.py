"""Pretrained vectors (word2vec / GloVe text files, navec archives) land in the rows of their words."""

import numpy as np
import pytest
import torch

from textrnn.data.vectors import check_embeddings_source, pretrained_matrix
from textrnn.errors import TextrnnError
from textrnn.vocab import Vocab


@pytest.fixture()
def glove(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("3 4\nхорошо 1 0 0 0\nплохо 0 1 0 0\nкино 0 0 1 0.5\n", encoding="utf-8")
    return path


def test_text_vectors_fill_found_rows_and_report_coverage(glove):
    vocab = Vocab.build([["хорошо", "кино", "кино", "неведомо"]])
    weights, stats = pretrained_matrix(vocab, str(glove), {"хорошо": 1, "кино": 2, "неведомо": 1})
    assert weights.shape == (5, 4)
    assert weights[0].abs().sum() == 0  # <pad>
    np.testing.assert_array_equal(weights[vocab.stoi["кино"]].numpy(), [0, 0, 1, 0.5])
    np.testing.assert_array_equal(weights[vocab.stoi["хорошо"]].numpy(), [1, 0, 0, 0])
    assert stats["found"] == 2 and stats["vocab_coverage"] == pytest.approx(2 / 3)
    assert stats["token_coverage"] == pytest.approx(3 / 4)


def test_a_missing_or_ragged_vector_file_is_one_error(tmp_path):
    vocab = Vocab.build([["a"]])
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

    from textrnn.data.vectors import NAVEC_FILE

    vocab = Vocab.build([["кошка", "собака", "собака", "zzqxj"]])
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


def test_the_cheap_source_check_runs_before_any_work(tmp_path):
    (tmp_path / "v.txt").write_text("1 1\na 1\n", encoding="utf-8")
    assert check_embeddings_source(str(tmp_path / "v.txt")) == str(tmp_path / "v.txt")
    with pytest.raises(TextrnnError, match="embeddings file '.*none.vec' not found; expected 'navec'"):
        check_embeddings_source(str(tmp_path / "none.vec"))
    with pytest.raises(TextrnnError, match="is a directory; expected 'navec'"):
        check_embeddings_source(str(tmp_path))
