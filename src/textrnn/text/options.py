"""The options a :class:`Preprocessor` takes: their defaults, allowed values and validation."""

from __future__ import annotations

from typing import Any, Sequence

from textrnn.errors import TextrnnError

#: Version of the configuration format written by :meth:`Preprocessor.to_dict`.
CONFIG_VERSION = 3
#: Bumped whenever a change in this package changes the tokens of some configuration
#: (it is part of the on-disk cache key).
IMPLEMENTATION_VERSION = 6

LANGS = ("ru", "en")
HASHTAG_MODES = ("word", "remove")
EMOTICON_MODES = ("remove", "tokens", "keep")
DIGIT_MODES = ("keep", "replace", "drop")
TOKENIZERS = ("razdel", "regex")

DEFAULTS: dict[str, Any] = {
    "lowercase": True,
    "remove_urls": True,
    "remove_mentions": True,
    "remove_punctuation": True,
    "lang": "ru",
    "strip_html": True,
    "hashtags": "word",
    "emoticons": "remove",
    "replace_yo": True,
    "digits": "keep",
    "tokenizer": "razdel",
    "lemmatize": False,
    "stem": False,
    "negation": False,
    "stopwords": False,
    "stopword_list": None,
    "extra_stopwords": [],
    "keep_negations": True,
    "lemma_fixes": True,
    "lemma_overrides": {},
    # Steps that changed after version 2; each one a setting, so that an older model keeps its own.
    "keep_hyphens": True,
    "keep_sentiment_words": True,
    "negation_stops_at_punctuation": True,
    "keep_emoticons_whole": True,
}
# What a configuration written before ``version`` existed (the skeleton's four options) meant.
_LEGACY_V1 = {"strip_html": False, "replace_yo": False}
# Version 2 and older had no lemma override table (their lemmas are pymorphy3's own), split
# hyphenated words, dropped every word of the default stop-word list but "не", "ни", "нет", joined
# negation across punctuation and left emoticons="keep" to punctuation removal and the tokenizer.
_LEGACY_V2 = {
    "lemma_fixes": False,
    "keep_hyphens": False,
    "keep_sentiment_words": False,
    "negation_stops_at_punctuation": False,
    "keep_emoticons_whole": False,
}


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TextrnnError(f"preprocessing option {name}={value!r} is invalid; expected true or false")
    return value


def _check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        raise TextrnnError(f"preprocessing option {name}={value!r} is invalid; expected one of {', '.join(choices)}")
    return value


def _check_words(name: str, value: Any, allow_none: bool) -> list[str] | None:
    if value is None and allow_none:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise TextrnnError(f"preprocessing option {name}={value!r} is invalid; expected a list of words")
    words = []
    for w in value:
        if not isinstance(w, str):
            raise TextrnnError(f"preprocessing option {name} contains {w!r}; expected only strings")
        w = w.strip()
        if w:
            words.append(w)
    return sorted(set(words)) if isinstance(value, (set, frozenset)) else words
