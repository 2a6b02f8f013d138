"""Tagging specs for `textrnn tag compare`, and the comparison itself on a small set."""

import pytest

from tests.conftest import ner_sentences
from textrnn.baselines.most_frequent import MostFrequentTagger
from textrnn.cli.tag import _split_specs
from textrnn.compare.tagging import build_tagger, compare_taggers, format_tagging_table, parse_tagging_spec
from textrnn.data.tagged import TaggedSentences
from textrnn.errors import TextrnnError


@pytest.mark.parametrize("text, name, options", [
    ("most-frequent", "most-frequent", {}),
    ("bilstm-crf", "bilstm-crf", {}),
    ("gru-softmax:char=lstm,navec=0,hidden=32", "gru-softmax", {"char": "lstm", "navec": False, "hidden": 32}),
    ("default:scheme=bioes", "default", {"scheme": "bioes"}),
])
def test_parse(text, name, options):
    assert parse_tagging_spec(text) == (name, options)


@pytest.mark.parametrize("text, message", [
    ("bilstm", r"unknown model 'bilstm'"),
    ("bilstm-crf:foo=1", r"unknown option 'foo=1'"),
    ("bilstm-crf:hidden=x", r"option hidden='x' is not a valid int"),
    ("most-frequent:char=cnn", r"most-frequent takes no options"),
    ("bilstm-crf:epochs=1,epochs=2", r"option 'epochs' is given twice"),
])
def test_bad_specs(text, message):
    with pytest.raises(TextrnnError, match=message):
        parse_tagging_spec(text)


def test_build():
    tagger = build_tagger("bigru-crf:char=none,navec=0,morph=0,hidden=8,epochs=2", seed=3)
    c = tagger.model_config
    assert (c.cell, c.crf, c.char, c.hidden_size) == ("gru", True, "none", 8)
    assert tagger.train_config.epochs == 2 and tagger.train_config.seed == 3
    assert tagger.static is None and not tagger.morph_features
    assert isinstance(build_tagger("most-frequent", 0), MostFrequentTagger)


def test_split_specs():
    assert _split_specs("most-frequent,bilstm-crf:char=lstm,navec=0,gru-softmax") == [
        "most-frequent", "bilstm-crf:char=lstm,navec=0", "gru-softmax"]


def test_compare_runs_every_spec_on_the_same_data():
    sentences, tags = ner_sentences()
    train, test = TaggedSentences(sentences[:48], tags[:48]), TaggedSentences(sentences[48:], tags[48:])
    spec = "bilstm-crf:navec=0,morph=0,hidden=16,emb=16,epochs=10,lr=0.01,batch=8,dropout=0,word_dropout=0"
    report = compare_taggers(["most-frequent", spec], train, test, test, seeds=[1, 2])
    baseline, crf = report["rows"]
    assert report["entities"] and baseline["seeds"] == 1 and crf["seeds"] == 2
    assert crf["score"] >= 0.9 and 0 <= baseline["score"] <= 1
    table = format_tagging_table(report)
    assert table.splitlines()[0].split()[:3] == ["model", "seeds", "entity"] and "most-frequent" in table
