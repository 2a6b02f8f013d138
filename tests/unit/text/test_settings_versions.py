"""Saved settings keep their pipeline: a version-2 configuration (and textrnn 0.1's) tokenises as it
did when its model was trained; a new Preprocessor gets the newer steps (intra-word hyphens, sentiment
words kept from the stop-word list, negation stopped by punctuation, whole emoticons)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import textrnn
from textrnn import Preprocessor
from textrnn.text import CONFIG_VERSION, DEFAULTS, transform_file_cached

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "v0_1_0"
# The settings a textrnn 0.1 model directory holds (version 2, every option of that version).
V2 = json.loads((FIXTURES / "lstm_attention" / "config.json").read_text(encoding="utf-8"))["preprocessing"]

NEW_SETTINGS = {"keep_hyphens": True, "keep_sentiment_words": True, "negation_stops_at_punctuation": True,
                "keep_emoticons_whole": True}
OLD_SETTINGS = {name: False for name in NEW_SETTINGS}

SW, SW_NEG, EN_SW = {"stopwords": True}, {"stopwords": True, "negation": True}, {"stopwords": True, "lang": "en"}
KEEP, KEEP_PUNCT = {"emoticons": "keep"}, {"emoticons": "keep", "remove_punctuation": False}

# (text, options, tokens of a version-2 configuration, tokens of a new Preprocessor); the old tokens
# are those textrnn wrote before the newer steps (commit 168be4c).
CASES = [
    # a hyphen between two letters: split before, one word now
    ("что-то случилось", {}, ["что", "то", "случилось"], ["что-то", "случилось"]),
    ("из-за дождя кое-кого", {"lemmatize": True}, ["из", "за", "дождь", "кой", "кто"], ["из-за", "дождь", "кое-кто"]),
    ("по-моему, хорошо", {"tokenizer": "regex"}, ["по", "моему", "хорошо"], ["по-моему", "хорошо"]),
    # stop words: the package's list as it is before, sentiment words kept now
    ("Было хорошо", SW, [], ["хорошо"]),
    ("Ничего хорошего", SW_NEG, ["хорошего"], ["ничего", "хорошего"]),
    ("он никогда не был очень весел", SW, ["не", "весел"], ["никогда", "не", "очень", "весел"]),
    ("it was not very good", EN_SW, ["not"], ["not", "very", "good"]),
    ("I don't like it", {**EN_SW, "remove_punctuation": False, "tokenizer": "regex"}, [], ["don't", "like"]),
    # negation: joined across clause punctuation before, stopped by it now
    ("Не, ну а что", {"negation": True}, ["не_ну", "а", "что"], ["не", "ну", "а", "что"]),
    ("Я сказал не. Ты да", {"negation": True}, ["я", "сказал", "не_ты", "да"], ["я", "сказал", "не", "ты", "да"]),
    ("не — хочу", {"negation": True}, ["не_хочу"], ["не", "хочу"]),
    ("ну, не хочу.", {"negation": True}, ["ну", "не_хочу"], ["ну", "не_хочу"]),
    # emoticons="keep": left to punctuation removal and the tokenizer before, whole tokens now
    ("класс:) 👍 отлично", KEEP, ["класс", "отлично"], ["класс", ":)", "👍", "отлично"]),
    ("класс :-) 👍🏽 отлично", KEEP_PUNCT, ["класс", ":", "-", ")", "👍🏽", "отлично"], ["класс", ":-)", "👍🏽", "отлично"]),
    # words that look like the pipeline's internal marks are words, in both
    ("xxbrkxx xxemoaaadpjxx кот", KEEP, ["xxbrkxx", "xxemoaaadpjxx", "кот"], ["xxbrkxx", "Ϲ", "кот"]),
    ("xxbrkxx кот", {}, ["xxbrkxx", "кот"], ["xxbrkxx", "кот"]),
    ("не xxbrkxx кот", {"negation": True}, ["не_xxbrkxx", "кот"], ["не", "кот"]),
]
IDS = [f"{i}:{c[0][:16]}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("text,options,old,new", CASES, ids=IDS)
def test_version_2_settings_give_the_tokens_they_gave(text, options, old, new):
    pre = Preprocessor.from_dict({**V2, **options})
    assert pre.tokenize(text) == old
    assert pre.transform([text, "кот", text]) == [old, ["кот"], old]


@pytest.mark.parametrize("text,options,old,new", CASES, ids=IDS)
def test_a_new_preprocessor_gives_the_new_tokens(text, options, old, new):
    pre = Preprocessor(**options)
    assert pre.tokenize(text) == new
    assert pre.transform([text, "кот", text]) == [new, ["кот"], new]
    assert Preprocessor.from_dict(json.loads(json.dumps(pre.to_dict()))).tokenize(text) == new


def test_the_settings_are_new_by_default_and_old_for_versions_1_and_2():
    assert {k: DEFAULTS[k] for k in NEW_SETTINGS} == NEW_SETTINGS
    assert Preprocessor().to_dict() | NEW_SETTINGS == Preprocessor().to_dict()
    v2 = Preprocessor.from_dict(V2)
    assert {k: getattr(v2, k) for k in NEW_SETTINGS} == OLD_SETTINGS
    v1 = Preprocessor.from_dict({"type": "Preprocessor", "lowercase": True, "remove_urls": True,
                                 "remove_mentions": True, "remove_punctuation": True})
    assert {k: getattr(v1, k) for k in NEW_SETTINGS} == OLD_SETTINGS
    assert v1.tokenize("что-то") == ["что", "то"]
    # saved again, the settings are written out, so the pipeline stays the old one
    data = json.loads(json.dumps(v2.to_dict()))
    assert data["version"] == CONFIG_VERSION and {k: data[k] for k in NEW_SETTINGS} == OLD_SETTINGS
    assert Preprocessor.from_dict(data).tokenize("что-то") == ["что", "то"]
    # a version-3 configuration written before the settings existed had the new steps
    v3 = {k: v for k, v in Preprocessor().to_dict().items() if k not in NEW_SETTINGS}
    assert Preprocessor.from_dict(v3).tokenize("что-то") == ["что-то"]
    # an explicit setting in a version-2 configuration wins
    assert Preprocessor.from_dict({**V2, "keep_hyphens": True}).tokenize("что-то") == ["что-то"]


@pytest.mark.parametrize("name", sorted(NEW_SETTINGS))
def test_each_setting_is_checked_and_in_the_cache_key(name):
    with pytest.raises(textrnn.TextrnnError, match=f"{name}="):
        Preprocessor(**{name: "no"})
    assert Preprocessor(**{name: False}).config_hash() != Preprocessor().config_hash()
    assert f"{name}=False" in repr(Preprocessor(**{name: False}))


def test_the_cache_never_hands_old_settings_the_new_tokens(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("что-то случилось\n", encoding="utf-8")
    texts = ["что-то случилось"]
    new = transform_file_cached(path, texts, Preprocessor(), cache_dir=tmp_path, quiet=True)
    old = transform_file_cached(path, texts, Preprocessor.from_dict(V2), cache_dir=tmp_path, quiet=True)
    assert (new, old) == ([["что-то", "случилось"]], [["что", "то", "случилось"]])


@pytest.mark.parametrize("name", ["bigru_subwords", "lstm_attention", "tfidf_lr"])
def test_a_0_1_model_tokenises_as_it_was_trained(name):
    pre = textrnn.load(FIXTURES / name, device="cpu").preprocessor
    assert {k: getattr(pre, k) for k in NEW_SETTINGS} == OLD_SETTINGS
    assert pre.tokenize("что-то") == ["что", "то"]
