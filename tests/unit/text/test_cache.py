"""The on-disk preprocessing cache: keyed by file content, texts and configuration; damaged entries are misses."""

from __future__ import annotations

import pytest

from textrnn.errors import TextrnnError
from textrnn.text import Preprocessor, transform_file_cached
from textrnn.text import cache as text_cache


def test_transform_file_cached_hits_on_the_second_call(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("text\nМне не понравилось\nкоты бегут\n", encoding="utf-8")
    texts = ["Мне не понравилось", "коты бегут"]
    pre = Preprocessor(lemmatize=True)
    first = transform_file_cached(src, texts, pre, cache_dir=tmp_path / "cache")
    assert "cache" not in capsys.readouterr().err
    second = transform_file_cached(src, texts, Preprocessor(lemmatize=True), cache_dir=tmp_path / "cache")
    err = capsys.readouterr().err
    assert second == first == pre.transform(texts)
    assert "found in the cache" in err and "skipping preprocessing" in err and err.count("\n") == 1
    # another configuration, another file content or other texts: a miss
    transform_file_cached(src, texts, Preprocessor(stem=True), cache_dir=tmp_path / "cache")
    assert capsys.readouterr().err == ""
    transform_file_cached(src, texts[:1], pre, cache_dir=tmp_path / "cache")
    assert capsys.readouterr().err == ""
    src.write_text("text\nМне не понравилось\nкоты бегут\nещё\n", encoding="utf-8")
    transform_file_cached(src, texts, pre, cache_dir=tmp_path / "cache")
    assert capsys.readouterr().err == ""


def test_transform_file_cached_honours_env_and_survives_corruption(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TEXTRNN_CACHE_DIR", str(tmp_path / "envcache"))
    assert text_cache.default_cache_dir() == tmp_path / "envcache"
    texts = ["коты"]
    assert transform_file_cached(None, texts, Preprocessor()) == [["коты"]]
    entries = list((tmp_path / "envcache" / "preprocess").glob("*.json"))
    assert len(entries) == 1
    # not JSON, or JSON of the wrong shape (numbers, strings instead of token lists): a miss, recomputed
    for damaged in ('{not json', '{"tokens": [5]}', '{"tokens": ["abc"]}', '{"tokens": [[1]]}'):
        entries[0].write_text(damaged, encoding="utf-8")
        assert transform_file_cached(None, texts, Preprocessor()) == [["коты"]]
        assert "cache" not in capsys.readouterr().err
    assert transform_file_cached(None, texts, Preprocessor()) == [["коты"]]
    assert "found in the cache" in capsys.readouterr().err


def test_default_cache_dir_without_env(monkeypatch):
    monkeypatch.delenv("TEXTRNN_CACHE_DIR", raising=False)
    assert text_cache.default_cache_dir() == text_cache.Path.home() / ".cache" / "textrnn"


def test_transform_file_cached_missing_file(tmp_path):
    with pytest.raises(TextrnnError, match="cannot read"):
        transform_file_cached(tmp_path / "nope.csv", ["a"], Preprocessor(), cache_dir=tmp_path)


def test_unwritable_cache_dir_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert transform_file_cached(None, ["коты"], Preprocessor(), cache_dir=blocker) == [["коты"]]


def test_texts_with_lone_surrogates_are_processed_and_not_cached(tmp_path):
    texts = ["кот \udcff пёс"]
    expected = Preprocessor().transform(texts)
    assert transform_file_cached(None, texts, Preprocessor(), cache_dir=tmp_path) == expected
