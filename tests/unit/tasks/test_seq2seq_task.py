"""Seq2seq data and metrics: units, pair files, exact match with alternatives, edit distance, CER, BLEU."""

import pytest

from textrnn.data.pairs import join_units, read_pairs, split_units
from textrnn.errors import TextrnnError
from textrnn.tasks.seq2seq import edit_distance, encode_pairs, gather, seq2seq_metrics
from textrnn.vocab import CHAR_SPECIALS, WORD_SPECIALS, Vocab

UNITS = [
    ("стол <NOUN> <gent> <plur>", "char", ["с", "т", "о", "л", "<NOUN>", "<gent>", "<plur>"]),
    ("<VERB><past> идти", "char", ["<VERB>", "<past>", "и", "д", "т", "и"]),
    ("a b", "char", ["a", " ", "b"]),
    ("x < y > z", "char", ["x", " ", "<", " ", "y", " ", ">", " ", "z"]),  # not a symbol: spaces inside
    ("Мама мыла раму.", "word", ["Мама", "мыла", "раму", "."]),
    ("что-то случилось", "word", ["что-то", "случилось"]),
]


@pytest.mark.parametrize("text,units,expected", UNITS)
def test_split_units(text, units, expected):
    assert split_units(text, units) == expected


def test_join_units_inverts_outputs():
    assert join_units(["с", "т", "о", "л", "о", "в"], "char") == "столов"
    assert join_units(["Мама", "мыла"], "word") == "Мама мыла"
    with pytest.raises(TextrnnError, match="units 'bpe' is unknown"):
        split_units("a", "bpe")


def test_read_pairs_groups_alternatives(tmp_path):
    p = tmp_path / "p.tsv"
    p.write_text("мама <ablt>\tмамой\nмама <ablt>\tмамою\n\nстол <gent>\tстола\r\n", encoding="utf-8")
    pairs = read_pairs(p)
    assert pairs.sources == ["мама <ablt>", "мама <ablt>", "стол <gent>"]
    assert pairs.targets == ["мамой", "мамою", "стола"]
    assert pairs.lines == [1, 2, 4]
    assert pairs.grouped() == (["мама <ablt>", "стол <gent>"], [["мамой", "мамою"], ["стола"]])


@pytest.mark.parametrize("content,message", [
    ("стол стола\n", "line 1 has no tab"),
    ("a\tb\nc\td\te\n", "line 2 has 3 tab-separated columns"),
    ("\tстола\n", "line 1 has an empty source"),
    ("стол\t \n", "line 1 has an empty target"),
    ("\n\n", "is empty"),
    ("a\tb\n   \nc\td\n", "line 2 is only whitespace"),
])
def test_read_pairs_errors_name_the_line(tmp_path, content, message):
    p = tmp_path / "bad.tsv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(TextrnnError, match=message):
        read_pairs(p)


def test_read_sources_only(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("стол <gent>\nмама <ablt>\tмамой\n\n", encoding="utf-8")
    assert read_pairs(p, require_targets=False).sources == ["стол <gent>", "мама <ablt>"]
    p.write_text("стол <gent>\n\nмама <ablt>\n", encoding="utf-8")  # outputs would no longer follow the lines
    with pytest.raises(TextrnnError, match="line 2 is empty; expected one source a line"):
        read_pairs(p, require_targets=False)


def test_batches_shift_the_target_right():
    src = Vocab(["a", "b"], WORD_SPECIALS)
    tgt = Vocab(["x", "y"], CHAR_SPECIALS)
    data = encode_pairs([["a", "b"], ["b"]], src, [["x", "y", "x"], ["y"]], tgt)
    import torch

    source, lengths, target_in, target_out = gather(data, torch.tensor([0, 1]), torch.device("cpu"), bos=2)
    x, y, eos = tgt.stoi["x"], tgt.stoi["y"], 3
    assert target_out.tolist() == [[x, y, x, eos], [y, eos, 0, 0]]
    assert target_in.tolist() == [[2, x, y, x], [2, y, eos, 0]]
    assert lengths.tolist() == [2, 1] and source.tolist() == [[2, 3], [3, 0]]


EDITS = [("столов", "столов", 0), ("стола", "столов", 2), ("", "мама", 4), ("шла", "шёл", 2), ("kitten", "sitting", 3)]


@pytest.mark.parametrize("a,b,d", EDITS)
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d == edit_distance(b, a)


def test_metrics_count_any_accepted_answer():
    m = seq2seq_metrics(["мамою", "стола", "шли"], [["мамой", "мамою"], ["столов"], ["шла"]])
    assert m["n"] == 3
    assert m["accuracy"] == pytest.approx(1 / 3)
    assert m["mean_edit_distance"] == pytest.approx((0 + 2 + 1) / 3)
    assert m["cer"] == pytest.approx(3 / (5 + 6 + 3))  # distances over the closest answers' lengths
    assert "bleu" not in m


def test_word_metrics_add_bleu_and_chrf():
    pytest.importorskip("sacrebleu")
    a, b = "мама мыла раму утром в субботу", "кот спит на тёплом диване весь день"
    perfect = seq2seq_metrics([a, b], [[a], ["кошка спит на диване", b]], "word")
    assert perfect["bleu"] == pytest.approx(100.0) and perfect["chrf"] == pytest.approx(100.0)
    worse = seq2seq_metrics([a.replace("раму", "окно"), b], [[a], [b]], "word")
    assert 0 < worse["bleu"] < 100 and 0 < worse["chrf"] < 100


def test_metrics_errors():
    with pytest.raises(TextrnnError, match="2 outputs but 1"):
        seq2seq_metrics(["a", "b"], [["a"]])
    with pytest.raises(TextrnnError, match="at least one accepted"):
        seq2seq_metrics(["a"], [[]])
