import pytest
import torch

from textrnn.errors import TextrnnError
from textrnn.vocab import PAD_ID, UNK_ID, Vocabulary


def test_special_ids_and_frequency_order():
    v = Vocabulary.build([["b", "a", "b"], ["c", "b", "a"]])
    assert v.itos == ["<pad>", "<unk>", "b", "a", "c"]
    assert (PAD_ID, UNK_ID) == (0, 1)


def test_unknown_words_map_to_unk_and_are_never_dropped():
    v = Vocabulary.build([["кот", "спит"]])
    assert v.encode(["кот", "собака", "спит"]) == [2, UNK_ID, 3]


def test_max_size_counts_special_tokens_and_min_freq_filters():
    v = Vocabulary.build([["a", "a", "a", "b", "b", "c"]], max_size=3)
    assert v.itos == ["<pad>", "<unk>", "a"]
    v = Vocabulary.build([["a", "a", "b"]], min_freq=2)
    assert v.itos == ["<pad>", "<unk>", "a"]


def test_encode_batch_truncates_pads_and_keeps_lengths():
    v = Vocabulary.build([["a", "b", "c"]])
    ids, lengths = v.encode_batch([["a", "b", "c"], ["b"], []], max_len=2)
    assert ids.dtype == torch.int64 and lengths.dtype == torch.int64
    assert ids.tolist() == [[2, 3], [3, 0], [UNK_ID, 0]]
    assert lengths.tolist() == [2, 1, 1]


def test_round_trip_and_bad_input():
    v = Vocabulary.build([["x", "y"]])
    assert Vocabulary.from_dict(v.to_dict()).itos == v.itos
    with pytest.raises(TextrnnError, match="must start with"):
        Vocabulary(["a", "b"])
    with pytest.raises(TextrnnError, match="max vocabulary size"):
        Vocabulary.build([["a"]], max_size=2)
