"""Truncated-BPTT batches for the char LM: contiguous streams, every character scored once, line mode padding."""

import numpy as np
import pytest
import torch

from textrnn.data.streams import IGNORE_INDEX, LineBatches, StreamBatches, stream_eval_batches
from textrnn.data.text_files import split_lines
from textrnn.errors import TextrnnError
from textrnn.vocab import CHAR_SPECIALS, Vocab


def test_stream_batches_are_contiguous_per_row():
    ids = np.arange(1000, dtype=np.int64)
    b = StreamBatches(ids, batch_size=4, seq_len=10)
    batches = list(b.epoch(None))
    assert len(batches) == b.steps_per_epoch() == 25  # 999 pairs // 4 rows = 249 columns
    assert [r for _, _, r in batches] == [True] + [False] * 24
    x0, y0, _ = batches[0]
    x1, _, _ = batches[1]
    assert x0.shape == (4, 10) and x0.dtype == torch.int64
    assert torch.equal(y0, x0 + 1)  # targets are the next character
    assert torch.equal(x1[:, 0], x0[:, -1] + 1)  # batch k+1 continues each row of batch k
    assert x0[1, 0].item() == 249  # rows are contiguous quarters of the text
    shifted = next(StreamBatches(ids, 4, 10).epoch(np.random.default_rng(1)))[0]
    assert 0 <= shifted[0, 0].item() < 10


def test_a_text_too_short_for_the_batch_names_the_batch_size():
    with pytest.raises(TextrnnError, match="text of 4 characters is too short for batch_size 4; expected at least 5") as e:
        StreamBatches(np.arange(4), batch_size=4, seq_len=2)
    assert e.value.param == "batch_size"


def test_stream_eval_scores_every_character_once():
    ids = np.arange(1, 1001, dtype=np.int64)
    targets = torch.cat([y for _, y, _ in stream_eval_batches(ids, batch_size=7, seq_len=16)], dim=1)
    kept = targets.reshape(-1)[targets.reshape(-1) != IGNORE_INDEX]
    assert kept.tolist() == list(range(2, 1001))
    assert list(stream_eval_batches(np.arange(1), 4, 4)) == []  # one character: nothing to predict


def test_line_batches_wrap_bos_eos_and_pad():
    v = Vocab.build(["ab\nabc"], CHAR_SPECIALS, order="sorted")
    lb = LineBatches(split_lines("ab\n\nabc\r\n"), v, batch_size=2, seq_len=8)
    assert lb.n_targets() == 3 + 4
    (x, y, reset), = list(lb.epoch(None))
    assert reset and x.shape == (2, 4)
    assert x[0].tolist() == [v.bos_id, v.stoi["a"], v.stoi["b"], v.eos_id]  # padded with <eos> input
    assert y[0].tolist() == [v.stoi["a"], v.stoi["b"], v.eos_id, IGNORE_INDEX]
    assert y[1].tolist() == [v.stoi["a"], v.stoi["b"], v.stoi["c"], v.eos_id]


def test_a_long_line_is_cut_into_windows_with_the_state_carried():
    v = Vocab.build(["abcdefg"], CHAR_SPECIALS, order="sorted")
    lb = LineBatches(["abcdefg"], v, batch_size=1, seq_len=3)
    chunks = list(lb.epoch(None))
    assert lb.steps_per_epoch() == len(chunks) == 3  # <bos> a..g = 8 inputs in windows of 3
    assert [reset for _, _, reset in chunks] == [True, False, False]
    assert v.decode_text(torch.cat([y for _, y, _ in chunks], 1)[0].tolist()) == "abcdefg"
