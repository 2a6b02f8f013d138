"""The most-frequent-tag baseline."""

import pytest

from textrnn.baselines.most_frequent import MostFrequentTagger
from textrnn.errors import TextrnnError

TRAIN = [["Мама", "мыла", "раму", "."], ["мама", "спит", "."], ["Стекло", "мыла", "."]]
TAGS = [["NOUN", "VERB", "NOUN", "PUNCT"], ["NOUN", "VERB", "PUNCT"], ["NOUN", "NOUN", "PUNCT"]]


@pytest.mark.parametrize("sentence, expected", [
    (["Мама", "мыла", "."], ["NOUN", "VERB", "PUNCT"]),   # exact forms; "мыла" VERB 1, NOUN 1: the first seen wins
    (["МАМА", "спит"], ["NOUN", "VERB"]),                 # lowercased form
    (["кот"], ["NOUN"]),                                   # unknown: the most frequent tag of words seen once
])
def test_most_frequent_tags(sentence, expected):
    tagger = MostFrequentTagger().fit(TRAIN, TAGS)
    assert tagger.predict([sentence]) == [expected]


def test_evaluate_and_errors():
    tagger = MostFrequentTagger().fit(TRAIN, TAGS)
    assert tagger.evaluate([["мама", "спит"]], [["NOUN", "NOUN"]])["accuracy"] == 0.5
    with pytest.raises(TextrnnError, match=r"sentence 1 has 2 tokens but 1 tags"):
        MostFrequentTagger().fit([["a", "b"]], [["X"]])
    with pytest.raises(TextrnnError, match=r"not trained"):
        MostFrequentTagger().predict([["a"]])
