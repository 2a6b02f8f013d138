"""One Vocab for words and characters: special tokens first by name, unknown tokens -> <unk>, JSON round trips."""

import json

import numpy as np
import pytest
import torch

from textrnn.errors import TextrnnError
from textrnn.vocab import CHAR_SPECIALS, WORD_SPECIALS, Vocab


def test_word_vocab_puts_specials_first_then_tokens_by_frequency():
    v = Vocab.build([["b", "a", "b"], ["c", "b", "a"]])
    assert v.itos == ["<pad>", "<unk>", "b", "a", "c"]
    assert (v.pad_id, v.unk_id) == (0, 1)
    assert v.tokens == ["b", "a", "c"] and v.counts == [3, 2, 1]


def test_unknown_words_map_to_unk_and_are_never_dropped():
    v = Vocab.build([["кот", "спит"]])
    assert v.encode(["кот", "собака", "спит"]) == [2, v.unk_id, 3]
    assert v.decode([2, v.unk_id, 3]) == ["кот", "спит"]
    assert v.decode([2, v.unk_id, 3], keep_specials=True) == ["кот", "<unk>", "спит"]


def test_max_size_counts_special_tokens_and_min_freq_filters():
    v = Vocab.build([["a", "a", "a", "b", "b", "c"]], max_size=3)
    assert v.itos == ["<pad>", "<unk>", "a"]
    v = Vocab.build([["a", "a", "b"]], min_freq=2)
    assert v.itos == ["<pad>", "<unk>", "a"]


def test_encode_batch_truncates_pads_and_keeps_lengths():
    v = Vocab.build([["a", "b", "c"]])
    ids, lengths = v.encode_batch([["a", "b", "c"], ["b"], []], max_len=2)
    assert ids.dtype == torch.int64 and lengths.dtype == torch.int64
    assert ids.tolist() == [[2, 3], [3, 0], [v.unk_id, 0]]  # an empty text is one <unk>
    assert lengths.tolist() == [2, 1, 1]


def test_round_trip_and_bad_input():
    v = Vocab.build([["x", "y", "x"]])
    back = Vocab.from_dict(json.loads(json.dumps(v.to_dict())))
    assert back == v and back.counts == [2, 1]
    with pytest.raises(TextrnnError, match="lists a special token among its tokens"):
        Vocab(["a", "<unk>"])
    with pytest.raises(TextrnnError, match="repeats a token"):
        Vocab(["a", "a"])
    with pytest.raises(TextrnnError, match="entry 3 is not a string"):
        Vocab(["a", 3])
    with pytest.raises(TextrnnError, match=r"max vocabulary size must be >= 3 \(2 special tokens \+ 1\), got 2") as e:
        Vocab.build([["a"]], max_size=2)
    assert e.value.param == "max_size"
    with pytest.raises(TextrnnError, match="has special tokens \\['<pad>', '<unk>'\\], expected"):
        Vocab.from_dict(v.to_dict(), expected_specials=CHAR_SPECIALS)


def test_char_vocab_is_specials_then_characters_by_code_point():
    v = Vocab.build(["мама мыла раму"], CHAR_SPECIALS, order="sorted")
    assert (v.pad_id, v.unk_id, v.bos_id, v.eos_id) == (0, 1, 2, 3)
    assert v.itos[:4] == ["<pad>", "<unk>", "<bos>", "<eos>"]
    assert v.tokens == sorted(set("мама мыла раму")) and len(v) == 4 + len(set("мама мыла раму"))
    ids = v.encode_text("мыла раму")
    assert ids.dtype == np.int64 and ids.min() >= 4
    assert v.decode_text(ids) == "мыла раму"
    assert v.encode_text("мяч").tolist()[1:] == [v.unk_id, v.unk_id]  # я, ч unknown -> <unk>
    assert v.encode_text("").tolist() == []
    assert v.decode([v.bos_id, 4, v.eos_id], keep_specials=True) == ["<bos>", " ", "<eos>"]
    back = Vocab.from_dict(json.loads(json.dumps(v.to_dict())), CHAR_SPECIALS)
    assert back.itos == v.itos and back.counts == v.counts
    assert dict(zip(back.tokens, back.counts))["а"] == 4


def test_char_ids_do_not_depend_on_the_order_the_text_was_read_in():
    assert Vocab.build(["бва"], CHAR_SPECIALS, order="sorted") == Vocab.build(["абв"], CHAR_SPECIALS, order="sorted")


def test_an_empty_vocabulary_is_an_error():
    with pytest.raises(TextrnnError, match="vocabulary is empty"):
        Vocab.build([""], CHAR_SPECIALS, order="sorted")
    with pytest.raises(TextrnnError, match="no token occurs min_freq=3 or more times") as e:
        Vocab.build([["a", "a", "b"]], min_freq=3)
    assert e.value.param == "min_freq"


def test_the_0_1_layouts_load_with_the_ids_they_had():
    words = Vocab.from_dict({"itos": ["<pad>", "<unk>", "кот", "пёс"]}, WORD_SPECIALS)
    assert words.encode(["пёс", "кот", "рыба"]) == [3, 2, 1]
    chars = Vocab.from_dict({"specials": ["<unk>", "<bos>", "<eos>"], "chars": ["a", "b"], "counts": [5, 2]},
                            CHAR_SPECIALS)
    assert (chars.unk_id, chars.bos_id, chars.eos_id) == (0, 1, 2)  # 0.1 char vocabularies had no <pad>
    assert chars.encode_text("bza").tolist() == [4, 0, 3]
    with pytest.raises(TextrnnError, match="no <pad> token"):
        chars.pad_id
    with pytest.raises(TextrnnError, match="not a single character"):
        Vocab.from_dict({"specials": ["<unk>", "<bos>", "<eos>"], "chars": ["ab"]})
