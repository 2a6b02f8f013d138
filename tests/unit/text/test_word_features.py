"""Word features for taggers: shape and pymorphy3's grammatical classes, by name."""

import pytest

from textrnn.text.word_features import SHAPES, WordFeatures, feature_names

NAMES = feature_names()


def active(tokens):
    encoder = WordFeatures(NAMES)
    return [{NAMES[i] for i in row} for row in encoder.sentence(tokens)]


@pytest.mark.parametrize("token, present, absent", [
    ("Мама", {"shape:title", "shape:cyrillic", "any:NOUN", "top:NOUN"}, {"shape:lower"}),
    ("стали", {"shape:lower", "any:VERB", "any:NOUN", "top:VERB"}, {"shape:title"}),
    ("МВД", {"shape:upper", "shape:cyrillic"}, {"shape:lower"}),
    ("iPhone", {"shape:mixed_case", "shape:latin", "any:LATN", "top:LATN"}, {"shape:cyrillic"}),
    ("2016", {"shape:has_digit", "shape:all_digits", "any:NUMB", "top:NUMB"}, {"shape:punct"}),
    ("«", {"shape:punct", "any:PNCT", "top:PNCT"}, {"shape:has_digit"}),
    ("что-то", {"shape:hyphen", "shape:lower", "any:NPRO"}, {"shape:punct"}),
    ("Москвы", {"any:Geox", "any:gent"}, set()),
])
def test_golden_words(token, present, absent):
    (found,) = active(["и", token])[1:]
    assert present <= found and not absent & found, found


def test_only_the_first_token_is_marked_first_and_names_are_stable():
    first, second = active(["Вера", "Вера"])
    assert first - second == {"shape:first_in_sentence"}
    assert NAMES[: len(SHAPES)] == [f"shape:{s}" for s in SHAPES]
    assert len(NAMES) == len(set(NAMES)) and feature_names(morph=False) == NAMES[: len(SHAPES)]


def test_unknown_names_are_never_active():
    encoder = WordFeatures(["shape:lower", "any:NoSuchGrammeme"])
    assert encoder.sentence(["мама"]) == [(0,)]
