"""Stop words keep the words that carry sentiment; negation is not joined across punctuation."""

from __future__ import annotations

import pytest

from textrnn import Preprocessor
from textrnn.text.stopwords import EVALUATIVE, INTENSIFIERS, NEGATIONS, default_stopwords, kept_words

SW_NEG = {"stopwords": True, "negation": True}
SW_NEG_LEMMA = {"stopwords": True, "negation": True, "lemmatize": True}

# (text, options, expected tokens)
KEPT = [
    ("Было хорошо", SW_NEG, ["хорошо"]),
    ("Ничего хорошего", SW_NEG, ["ничего", "хорошего"]),
    ("Ничего хорошего", SW_NEG_LEMMA, ["ничего", "хороший"]),
    ("Было хорошо", SW_NEG_LEMMA, ["хорошо"]),
    ("мне было лучше", {"stopwords": True}, ["лучше"]),
    ("это было прекрасно, спасибо", {"stopwords": True}, ["прекрасно", "спасибо"]),
    ("он никогда не был очень весел", {"stopwords": True}, ["никогда", "не", "очень", "весел"]),
    ("слишком долго и почти скучно", {"stopwords": True}, ["слишком", "почти", "скучно"]),
    ("нельзя так", {"stopwords": True}, ["нельзя"]),
    # a negation is dropped when asked, and a kept word named by the user is dropped as asked
    ("ничего хорошего", {"stopwords": True, "keep_negations": False}, ["хорошего"]),
    ("очень хорошо", {"stopwords": True, "extra_stopwords": ["очень"]}, ["хорошо"]),
    ("очень хорошо и", {"stopwords": True, "stopword_list": ["хорошо", "и"]}, ["очень"]),
    ("it was not very good", {"stopwords": True, "lang": "en"}, ["not", "very", "good"]),
    ("I don't like it", {"stopwords": True, "lang": "en", "remove_punctuation": False, "tokenizer": "regex"}, ["don't", "like"]),
]

NEGATION = [
    # «не» before clause punctuation or at the end of a sentence stays alone
    ("Не, ну а что", {"negation": True}, ["не", "ну", "а", "что"]),
    ("Я сказал не. Ты да", {"negation": True}, ["я", "сказал", "не", "ты", "да"]),
    ("не! хочу", {"negation": True}, ["не", "хочу"]),
    ("не — хочу", {"negation": True}, ["не", "хочу"]),
    ("не - хочу", {"negation": True}, ["не", "хочу"]),
    ("не… ладно", {"negation": True}, ["не", "ладно"]),
    ("а может и не?", {"negation": True}, ["а", "может", "и", "не"]),
    # but it is joined inside a clause, also next to punctuation elsewhere
    ("ну, не хочу.", {"negation": True}, ["ну", "не_хочу"]),
    ("Не, ну а что", SW_NEG, ["не"]),
    ("Не, не нравится!", SW_NEG_LEMMA, ["не", "не_нравиться"]),
    ("Не, ну", {"negation": True, "remove_punctuation": False}, ["не", ",", "ну"]),
]


@pytest.mark.parametrize("text,options,expected", KEPT + NEGATION, ids=[c[0][:24] for c in KEPT + NEGATION])
def test_sentiment_words_survive_and_negation_stops_at_punctuation(text, options, expected):
    pre = Preprocessor(**options)
    assert pre.tokenize(text) == expected
    assert pre.transform([text, "кот", text]) == [expected, ["кот"], expected]


def test_the_default_list_holds_the_kept_words_and_the_pipeline_takes_them_out():
    # the reason for the sets: the package list erases sentiment
    listed = set(default_stopwords("ru"))
    assert {"не", "нет", "ничего", "хорошо", "лучше", "очень"} <= listed
    stop = Preprocessor(stopwords=True)._stop_set()
    for word in NEGATIONS["ru"] + kept_words("ru"):
        assert word not in stop, word
    assert {"было", "и", "мне", "этот"} <= stop
    assert set(INTENSIFIERS["ru"]).isdisjoint(EVALUATIVE["ru"])


def test_clean_shows_no_boundary_marks():
    assert Preprocessor(negation=True).clean("Не, ну а что!") == "не ну а что"
