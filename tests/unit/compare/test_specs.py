"""Model specs: one string names a model; a recurrent spec starts from the train default and its options reach the configs."""

import pytest

from textrnn.compare.specs import build_from_spec, parse_spec, parse_specs
from textrnn.config import ModelConfig, TrainConfig
from textrnn.errors import TextrnnError


def test_tfidf_spec_options_reach_the_model():
    clf = build_from_spec("tfidf-lr:analyzer=char_wb,ngram=1-3,char_ngram=3-4,C=0.5,min_df=2,sublinear=0,lang=en", seed=5)
    v = clf.vectorizer_
    assert (v.analyzer, v.word_ngram_range, v.char_ngram_range, v.min_df, v.sublinear_tf) == ("char_wb", (1, 3), (3, 4), 2, False)
    assert clf.C == 0.5 and clf.seed == 5 and clf.preprocessor.lang == "en"
    assert clf.preprocessor.lemmatize is False  # TF-IDF keeps word forms


def test_recurrent_spec_training_options_reach_the_train_config():
    clf = build_from_spec(parse_spec("bigru-max:clip=0,weight_decay=0.01,lr=0.003,batch=32,epochs=4,patience=1"), seed=7)
    t = clf.train_config
    assert (t.clip_grad_norm, t.weight_decay, t.lr, t.batch_size, t.epochs, t.patience, t.seed) == (0.0, 0.01, 0.003, 32, 4, 1, 7)
    assert build_from_spec(parse_spec("gru"), seed=1).train_config.clip_grad_norm == TrainConfig().clip_grad_norm


def test_recurrent_spec_model_and_vocabulary_options_reach_their_configs():
    clf = build_from_spec("lstm-mean:emb=32,hidden=16,layers=2,dropout=0.1,emb_dropout=0,subwords=0,maxlen=10,vocab=99,"
                          "min_freq=2,stem=1", device="cpu")
    m, v = clf.model_config, clf.vocab_config
    assert (m.cell, m.bidirectional, m.pooling, m.embedding_dim, m.hidden_size, m.num_layers) == ("lstm", False, "mean", 32, 16, 2)
    assert (m.dropout, m.embedding_dropout, m.subword_buckets) == (0.1, 0.0, 0)
    assert (v.max_len, v.max_size, v.min_freq) == (10, 99, 2)
    assert clf.preprocessor.stem and not clf.preprocessor.lemmatize


@pytest.mark.parametrize("name, expected", [
    ("default", ("gru", True, "max")), ("bigru-max", ("gru", True, "max")), ("gru", ("gru", False, "max")),
    ("birnn", ("rnn", True, "max")), ("lstm-attn", ("lstm", False, "attention")), ("bilstm-last", ("lstm", True, "last")),
])
def test_the_name_sets_cell_direction_and_pooling_and_nothing_else(name, expected):
    m = build_from_spec(name, device="cpu").model_config
    assert (m.cell, m.bidirectional, m.pooling) == expected
    assert {k: v for k, v in m.to_dict().items() if k not in ("cell", "bidirectional", "pooling")} == {
        k: v for k, v in ModelConfig().to_dict().items() if k not in ("cell", "bidirectional", "pooling")}


def test_a_comma_before_key_value_continues_the_previous_spec():
    specs = parse_specs("tfidf-lr:analyzer=word+char,char_ngram=2-3,gru:emb=8,hidden=8,default,gru:")
    assert [s.text for s in specs] == ["tfidf-lr:analyzer=word+char,char_ngram=2-3", "gru:emb=8,hidden=8", "default", "gru"]
    assert specs[1].options == {"emb": 8, "hidden": 8} and specs[1].is_recurrent and not specs[0].is_recurrent


@pytest.mark.parametrize("text, message", [
    ("svm", "unknown model 'svm' in spec 'svm'"),
    ("gru:hidden", "option 'hidden' must look like key=value"),
    ("gru:analyzer=word", "unknown option 'analyzer'"),
    ("gru:hidden=x", "option hidden='x' is not a valid int"),
    ("gru:freeze=maybe", "option freeze='maybe' is not a valid bool"),
    ("tfidf-lr:ngram=2,1", "'1' after 'tfidf-lr:ngram=2' is not a model name"),
    ("", "no model specs given"),
])
def test_a_bad_spec_says_what_is_wrong(text, message):
    with pytest.raises(TextrnnError, match=message):
        parse_specs(text)


@pytest.mark.parametrize("text, message", [
    ("gru:lr=-1", "model spec 'gru:lr=-1': training option lr=-1.0 is invalid"),
    ("gru:freeze=1", "model spec 'gru:freeze=1': freeze=1 needs embeddings"),
    ("tfidf-lr:ngram=3-1", "model spec 'tfidf-lr:ngram=3-1': ngram 3,1 is invalid"),
    ("gru:embeddings=/nonexistent.vec", "model spec 'gru:embeddings=/nonexistent.vec': embeddings file '/nonexistent.vec' not found"),
])
def test_a_bad_option_value_names_the_spec(text, message):
    with pytest.raises(TextrnnError, match=message):
        build_from_spec(text, device="cpu")
