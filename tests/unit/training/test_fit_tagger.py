"""Fitting a tagger: it learns, schemes round-trip, bad arguments are one-line errors."""

import logging

import pytest

from tests.conftest import ner_sentences, tiny_tagger
from textrnn.errors import TextrnnError
from textrnn.training.tagger import SequenceTagger


@pytest.fixture(scope="module")
def crf_tagger():
    return tiny_tagger(crf=True)


def test_crf_tagger_learns_the_entities(crf_tagger):
    sentences, tags = ner_sentences()
    result = crf_tagger.evaluate(sentences[-12:], tags[-12:])
    assert result["entities"]["f1"] >= 0.9
    assert result["accuracy"] >= 0.95
    assert crf_tagger.predictor_.config.scheme == "bio" and crf_tagger.predictor_.config.crf


def test_softmax_tagger_learns_too():
    tagger = tiny_tagger(crf=False, char="lstm")
    sentences, tags = ner_sentences()
    assert tagger.evaluate(sentences[-12:], tags[-12:])["accuracy"] >= 0.9


def test_bioes_training_gives_bio_back():
    tagger = tiny_tagger(crf=True, scheme="bioes")
    assert tagger.predictor_.config.scheme == "bioes"
    assert {"S-LOC", "E-PER"} <= set(tagger.predictor_.tags_)
    out = tagger.predict([["Анна", "Петрова", "живёт", "в", "Москве", "."]])
    assert set(out[0]) <= {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"}
    assert out == [["B-PER", "I-PER", "O", "O", "B-LOC", "O"]]


def test_tags_that_are_not_entities_have_no_scheme():
    sentences, tags = ner_sentences()
    pos = [["X" if t == "O" else "PROPN" for t in row] for row in tags]
    tagger = tiny_tagger(sentences, pos)
    assert tagger.predictor_.config.scheme is None
    result = tagger.evaluate(sentences[-12:], pos[-12:])
    assert "entities" not in result and result["score"] == result["accuracy"] >= 0.9
    assert "entities" not in tagger.predict_text(["Анна живёт в Москве"])[0]


def test_stray_inside_tags_are_repaired_with_a_warning(caplog):
    sentences, tags = ner_sentences()
    tags = [["I-PER" if t == "B-PER" else t for t in row] for row in tags]  # every PER entity starts with I-
    tagger = SequenceTagger(scheme="bio", morph_features=False, embeddings=None, device="cpu")
    tagger.train_config.epochs = 1
    with caplog.at_level(logging.WARNING, logger="textrnn"):
        tagger.fit(sentences[:-12], tags[:-12], sentences[-12:], tags[-12:], quiet=False)
    assert "60" not in caplog.text  # only the training sentences are counted
    assert "48 training entities start with I- (read as B-, as seqeval does)" in caplog.text
    assert "B-PER" in tagger.predictor_.tags_


def test_unseen_gold_tags_count_as_errors(crf_tagger):
    result = crf_tagger.evaluate([["Анна", "живёт"]], [["B-MISC", "O"]])
    assert result["unseen_tags"] == {"B-MISC": 1}
    assert result["accuracy"] == 0.5


@pytest.mark.parametrize("call, message", [
    (lambda t: t.fit("Анна живёт", ["O"]), r"expected sentences as a list of token lists, got str"),
    (lambda t: t.fit(["Анна живёт"], [["O"]]), r"sentence 1 is a str; expected a list of tokens"),
    (lambda t: t.fit([[]], [[]]), r"sentence 1 is empty"),
    (lambda t: t.fit([["Анна", "живёт"]], [["O"]], [["a"]], [["O"]]), r"sentence 1 has 2 tokens but 1 tags"),
    (lambda t: t.fit([["a"], ["b"]], [["O"]]), r"2 sentences but 1 tag lists"),
    (lambda t: t.fit([["a"], ["b"]], [["X"], ["Y"]], val_tags=[["X"]]), r"val_tags given without val_sentences"),
    (lambda t: t.fit([["a"], ["b"]], [["X"], ["Y"]], [["a"]]), r"val_sentences given without val_tags"),
    (lambda t: t.fit([["a", ""]], [["X", "Y"]]), r"sentence 1 holds a token that is not a non-empty string"),
    (lambda t: t.predict([["a"]]), r"the tagger is not trained"),
    (lambda t: t.fit([["a"], ["b"]], [["X"], ["Y"]], [["c"]], [["NOUN"]]), r"none of the validation tags \['NOUN'\]"),
])
def test_misused_arguments(call, message):
    with pytest.raises(TextrnnError, match=message):
        call(SequenceTagger(morph_features=False, embeddings=None, device="cpu"))


def test_auto_embeddings_are_navec_when_installed():
    from textrnn.data.vectors import navec_available

    tagger = SequenceTagger()
    assert (tagger.static is not None and tagger.static.dim == 300) == navec_available()
    assert SequenceTagger(embeddings="none").static is None


@pytest.mark.parametrize("kwargs, message", [
    ({"scheme": "iob1"}, r"scheme 'iob1' is unknown; expected bio or bioes"),
    ({"model_config": {"crf": True}}, r"model_config must be a TaggerConfig or None, got dict"),
    ({"embeddings": "/nonexistent/vectors.txt"}, r"embeddings file '/nonexistent/vectors.txt' not found"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(TextrnnError, match=message):
        SequenceTagger(**kwargs)


def test_morph_features_and_static_vectors(tmp_path):
    """With pymorphy3 features and a word2vec text file read for every word, training vocabulary or not."""
    vectors = tmp_path / "vectors.txt"
    rows = {"анна": [1, 0, 0], "москве": [0, 1, 0], "перми": [0, 1, 0.1], "новгороде": [0, 1, 0.2]}
    vectors.write_text("4 3\n" + "".join(f"{w} {' '.join(map(str, v))}\n" for w, v in rows.items()), encoding="utf-8")
    sentences, tags = ner_sentences()
    tagger = SequenceTagger(morph_features=True, embeddings=str(vectors), device="cpu")
    tagger.train_config.epochs = 2
    tagger.fit(sentences[:-12], tags[:-12], sentences[-12:], tags[-12:], quiet=True)
    p = tagger.predictor_
    assert p.config.static_dim == 3 and p.config.num_features == len(p.feature_names) > 100
    matrix = p.static.matrix(["новгороде", "нет-такого"])  # not a training word, still read from the file
    assert matrix.tolist() == [[0.0, 1.0, pytest.approx(0.2)], [0.0, 0.0, 0.0]]
    path = p.save(tmp_path / "run")
    from textrnn import load

    again = load(path, device="cpu")
    sentence = [["Анна", "уехала", "в", "Новгороде"]]
    assert again.predict(sentence) == p.predict(sentence)
