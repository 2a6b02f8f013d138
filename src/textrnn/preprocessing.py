"""Text preprocessing: raw text -> list of tokens, configured once and stored with the model.

The pipeline's configuration is plain JSON (:meth:`Preprocessor.to_dict`), saved in the
model directory and applied again to raw text at prediction time.

Steps, always in this order (each one switchable):

1. ``strip_html``      — remove HTML tags (and ``<script>``/``<style>`` bodies), decode entities;
2. ``remove_urls``     — drop links: a scheme (``http``, ``https``, ``ftp``, …) + ``://`` + the
   non-space characters after it, or ``www.`` + non-space characters;
3. ``remove_mentions`` — drop ``@user`` mentions (e-mail addresses are not mentions);
4. ``hashtags``        — ``"word"``: ``#слово`` -> ``слово``; ``"remove"``: drop the hashtag;
5. ``emoticons``       — ``"remove"``: drop emoticons and emoji; ``"tokens"``: map them to
   ``<smile>`` / ``<sad>`` (other emoji are dropped); ``"keep"``: leave them to step 9.
   Emoticons are eyed (``:)`` ``;-D`` ``=(`` ``:'(`` ``xD`` ``^_^`` ``<3``), bracket runs
   (``))``, ``(((``) and single brackets that are not parentheses: ``ладно( а`` is sad, a ``)``
   after a space is a smile, balanced ``(…)`` pairs are kept as parentheses, and any other lone
   ``)`` / ``(`` is a smile / sad;
6. ``lowercase``;
7. ``replace_yo``      — ё -> е (also applied to lemmas and stop words); combining accents
   (stress marks, U+0300–U+036F) are deleted together with this step;
8. ``digits``          — ``"keep"``, ``"replace"`` (each number -> ``<num>``) or ``"drop"``;
9. ``remove_punctuation`` — every character that is neither a letter nor a digit (punctuation,
   emoticon brackets, symbols, emoji, ``_``) -> space. In RuTweetCorp the brackets leak the
   label, so this is on by default;
10. whitespace collapse;
11. ``tokenizer``      — ``"razdel"`` (default) or ``"regex"`` (a fast ``\\w+``-style tokenizer);
12. ``lemmatize`` (pymorphy3, ``parse(w)[0].normal_form``, lower-case) or ``stem`` (Snowball,
   PyStemmer); tokens without Cyrillic letters are not given to pymorphy3;
13. ``negation``       — a whole-token "не" / "ни" ("not" / "no" / "never" in English) is joined
   to the next token if that holds a letter and is neither a negation nor an ``<…>`` token:
   ``не понравилось`` -> ``не_понравиться`` (with ``lemmatize``); a word that merely ends in
   "не" (``стране``) is never touched; the joined token is never a stop word;
14. ``stopwords``      — drop stop words: the ``stop-words`` package's list for ``lang``
   (or ``stopword_list``) plus ``extra_stopwords``, passed through the same
   lower-casing / ё / lemmatiser / stemmer as the corpus so inflected forms match;
   negations ("не", "ни", "нет"; "not", "no", "nor", "never") are kept unless
   ``keep_negations=False``.

Speed: lemmas and stems are cached per process (:func:`clear_caches` empties them), and each
:class:`Preprocessor` caches the tokens of every distinct whitespace-separated piece of
cleaned text, so a word form is tokenised and lemmatised once. ``transform(texts, workers=N)``
splits large inputs over N processes (order preserved, same result as serial).
:func:`transform_file_cached` keeps the result for a file on disk, keyed by the file's content
and the pipeline configuration.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import multiprocessing as mp
import os
import re
import signal
import sys
import tempfile
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, Sequence

import razdel

from textrnn.errors import TextrnnError

#: Version of the configuration format written by :meth:`Preprocessor.to_dict`.
CONFIG_VERSION = 2
#: Bumped whenever a change in this module changes the tokens of some configuration
#: (it is part of the on-disk cache key).
IMPLEMENTATION_VERSION = 1

LANGS = ("ru", "en")
HASHTAG_MODES = ("word", "remove")
EMOTICON_MODES = ("remove", "tokens", "keep")
DIGIT_MODES = ("keep", "replace", "drop")
TOKENIZERS = ("razdel", "regex")

SMILE_TOKEN = "<smile>"
SAD_TOKEN = "<sad>"
NUM_TOKEN = "<num>"
# Internal placeholders: plain lowercase word characters, so they survive every cleaning step
# and every tokenizer as one token; mapped to the ``<…>`` tokens at the end.
_PLACEHOLDERS = {"xxsmilexx": SMILE_TOKEN, "xxsadxx": SAD_TOKEN, "xxnumxx": NUM_TOKEN}
_PH_SMILE = " xxsmilexx "
_PH_SAD = " xxsadxx "
_PH_NUM = " xxnumxx "

NEGATIONS = {"ru": ("не", "ни", "нет"), "en": ("not", "no", "nor", "never")}
NEGATION_JOIN = {"ru": ("не", "ни"), "en": ("not", "no", "never")}

# --- regular expressions -------------------------------------------------------------------

# Texts are cleaned in batches joined by _SEP (a whitespace character, replaced by a space inside
# texts); no pattern below can match across it, so batch and one-by-one cleaning agree.
_SEP = "\x0b"
HTML_BLOCK_RE = re.compile(r"<(script|style)\b[^>\x0b]*>[^\x0b]*?</\1\s*>", re.IGNORECASE)
HTML_TAG_RE = re.compile(r"<!--[^\x0b]*?-->|</?[a-zA-Z][^<>\x0b]{0,2000}>")
# URLs: a scheme (an ASCII letter and up to 10 of [A-Za-z0-9+.-]) + "://" + the non-space characters
# after it, or "www." (any case, not after a letter, digit, "_" or ".") + non-space characters.
# "://" is found with str.find (much faster than a regex scan of every position).
URL_RE = re.compile(r"(?:\b[a-z][a-z0-9+.-]{1,10}://|\bwww\.)\S+", re.IGNORECASE)  # reference form
_SCHEME_TAIL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,10}\Z")
_NONSPACE_RE = re.compile(r"\S*")
_WWW_RE = re.compile(r"(?<![\w.])www\.\S+", re.IGNORECASE)
# The literal comes first so that the regex engine can search for it quickly; the look-behind
# after it checks the character before the '@' / '#' (e-mail addresses are not mentions).
MENTION_RE = re.compile(r"@(?<![\w.@]@)\w+")
HASHTAG_RE = re.compile(r"#(?<![\w#&]#)(\w+)")
# Everything that is not a letter or a digit: punctuation, emoticon brackets, symbols, emoji.
PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_NON_WORD_RE = re.compile(r"[^\w\s]")  # PUNCT_RE once "_" is replaced by str.replace
SPACE_RE = re.compile(r"\s+")
ACCENT_RE = re.compile(r"[\u0300-\u036f]")
DIGITS_RE = re.compile(r"\d+(?:[.,]\d+)*")
CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
LETTER_RE = re.compile(r"[^\W\d_]")
SIMPLE_WORD_RE = re.compile(r"[а-яё]+|[a-z]+", re.IGNORECASE)
REGEX_TOKEN_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:[.,]\d+)*|[^\w\s]")

# Emoticons. Eyes + mouth (":)", ";-D", "=(", ":'(", "xD" …), mouth runs ("))", "((((") and
# kaomoji-like "^_^". A single bracket is classified after the balanced pairs are removed.
_EYES = r"(?:[:;=]|(?<![\w])[8xх])"
_SMILE_RE = re.compile(
    r"(?:" + _EYES + r"['\-^o]?(?:[)\]]+|[dDрРpPbB3*]+(?![\w])))"
    r"|(?:[(\[]+['\-^o]?[:;=8](?![\w]))"  # (:  (=
    r"|(?:\^[_\-.]?\^)"
    r"|(?:\){2,})"
    r"|(?:<3+)"
)
_SAD_RE = re.compile(
    r"(?:" + _EYES + r"['\-^o]?(?:[(\[]+|[/\\|cсCС]+(?![\w])))"
    r"|(?:[)\]]+['\-^o]?[:;=8](?![\w]))"  # ):
    r"|(?:T_T|;_;)"
    r"|(?:\({2,})"
)
_SAD_OPEN_RE = re.compile(r"(?<=\S)\((?=\s|$)")
_SMILE_CLOSE_RE = re.compile(r"(?:(?<=\s)|^)\)")
_BALANCED_RE = re.compile(r"\(([^()]*)\)")
_POSITIVE_EMOJI = (
    "\U0001F600-\U0001F60D\U0001F617-\U0001F61D\U0001F638-\U0001F63D\U0001F642\U0001F917\U0001F970"
    "\U0001F929\U0001F60E\u263A\u2764\u2665\U0001F495-\U0001F49F\U0001F44D\U0001F44C\U0001F44F"
    "\U0001F389\U0001F38A"
)
_NEGATIVE_EMOJI = (
    "\U0001F612-\U0001F616\U0001F61E-\U0001F62D\U0001F62F-\U0001F637\U0001F641\u2639\U0001F494"
    "\U0001F44E\U0001F97A\U0001F92C\U0001F92E\U0001F915\U0001F912"
)
_POS_EMOJI_RE = re.compile("[" + _POSITIVE_EMOJI + "]+")
_NEG_EMOJI_RE = re.compile("[" + _NEGATIVE_EMOJI + "]+")
# Other pictographs, dingbats, flags, variation selectors and ZWJ: dropped.
_EMOJI_RE = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u200D\U000E0020-\U000E007F]+"
)

# --- per-process caches --------------------------------------------------------------------

_MAX_CACHE = 2_000_000  # entries per cache; a full cache is emptied and refilled
_MORPH = None
_LEMMA_CACHE: dict[str, str] = {}
_STEMMERS: dict[str, Any] = {}
_STEM_CACHE: dict[str, dict[str, str]] = {}
# Minimum number of texts for which ``workers > 1`` starts processes (below: serial, same result).
PARALLEL_MIN_TEXTS = 2000


def get_morph():
    """The process-wide pymorphy3 ``MorphAnalyzer`` for Russian, created on first use."""
    global _MORPH
    if _MORPH is None:
        import pymorphy3

        _MORPH = pymorphy3.MorphAnalyzer(lang="ru")
    return _MORPH


def dawg_extension_available() -> bool:
    """True if pymorphy3 uses the C ``dawg`` extension (``pip install textrnn[fast]``), ~3x faster parses."""
    try:
        from pymorphy3 import dawg
    except ImportError:  # pragma: no cover
        return False
    return bool(getattr(dawg, "EXTENSION_AVAILABLE", False))


def lemma(word: str) -> str:
    """pymorphy3's most probable normal form of ``word`` (the lecture's lemma), cached per process."""
    try:
        return _LEMMA_CACHE[word]
    except KeyError:
        pass
    try:
        result = _top_normal_form(word) if CYRILLIC_RE.search(word) else word.lower()
    except UnicodeEncodeError:  # a lone surrogate: no analysis
        result = word.lower()
    if len(_LEMMA_CACHE) >= _MAX_CACHE:
        _LEMMA_CACHE.clear()
    _LEMMA_CACHE[word] = result
    return result


_FAST_LEMMA: bool | None = None  # None: not checked yet


def _top_normal_form(word: str) -> str:
    """``morph.parse(word)[0].normal_form``, skipping work that cannot change it.

    pymorphy3's ``parse`` collects the analyses of every analyzer unit and then re-ranks them by
    P(tag | word), a dictionary look-up per analysis (about a quarter of the time). When all
    analyses share one normal form (~80 % of distinct forms in tweets) the ranking cannot change
    the answer, so it is skipped; otherwise the same ranking is applied to the same analyses.
    If pymorphy3's internals are not as expected, this falls back to ``parse``.
    """
    global _FAST_LEMMA
    morph = get_morph()
    if _FAST_LEMMA is None:
        _FAST_LEMMA = False
        try:
            probe = ("стали", "мыла", "князя", "ей", "рекомендованном", "кот", "бутявка", "стекло")
            _FAST_LEMMA = all(_top_normal_form_fast(morph, w) == morph.parse(w)[0].normal_form for w in probe)
        except Exception:  # pragma: no cover - another pymorphy3 version
            _FAST_LEMMA = False
    if _FAST_LEMMA:
        return _top_normal_form_fast(morph, word)
    parses = morph.parse(word)
    return parses[0].normal_form if parses else word.lower()


def _top_normal_form_fast(morph, word: str) -> str:
    # The body of pymorphy3.MorphAnalyzer.parse (2.0), minus the re-ranking when it is moot.
    res: list = []
    seen: set = set()
    word_lower = word.lower()
    for analyzer, is_terminal in morph._units:
        res.extend(analyzer.parse(word, word_lower, seen))
        if is_terminal and res:
            break
    if not res:
        return word_lower
    normal_form = res[0][2]
    for p in res:
        if p[2] != normal_form:
            if morph.prob_estimator is not None:
                res = morph.prob_estimator.apply_to_parses(word, word_lower, res)
            return res[0][2]
    return normal_form


def _stemmer(lang: str):
    st = _STEMMERS.get(lang)
    if st is None:
        import Stemmer

        st = _STEMMERS[lang] = Stemmer.Stemmer("russian" if lang == "ru" else "english")
    return st


def stem(word: str, lang: str = "ru") -> str:
    """Snowball stem of ``word`` (PyStemmer), cached per process."""
    cache = _STEM_CACHE.setdefault(lang, {})
    try:
        return cache[word]
    except KeyError:
        pass
    try:
        result = _stemmer(lang).stemWord(word)
    except UnicodeEncodeError:  # a lone surrogate: no stem
        result = word
    if len(cache) >= _MAX_CACHE:
        cache.clear()
    cache[word] = result
    return result


def clear_caches() -> None:
    """Empty the per-process lemma and stem caches (each :class:`Preprocessor` also has its own)."""
    _LEMMA_CACHE.clear()
    _STEM_CACHE.clear()


def default_stopwords(lang: str = "ru") -> list[str]:
    """The ``stop-words`` package's list for ``lang`` (``"ru"`` or ``"en"``)."""
    from stop_words import get_stop_words

    return list(get_stop_words("russian" if lang == "ru" else "english"))


# --- the pipeline --------------------------------------------------------------------------

_DEFAULTS: dict[str, Any] = {
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
}
# What a configuration written before ``version`` existed (the skeleton's four options) meant.
_LEGACY_V1 = {"strip_html": False, "replace_yo": False}


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


class Preprocessor:
    """Turn raw texts into token lists (scikit-learn contract: ``fit`` / ``transform``).

    The steps and their order are described in the module docstring
    (``help(textrnn.preprocessing)``). The default, ``Preprocessor()``, is the classifier's
    pipeline for Russian: strip HTML, URLs and @mentions, keep hashtag words, lowercase, ё -> е,
    punctuation and emoticons -> spaces, razdel tokens; no lemmas, stems, stop words or negation.

    Args:
        lowercase: lower-case the text.
        remove_urls: drop ``http(s)://…`` and ``www.…`` links.
        remove_mentions: drop ``@user`` mentions.
        remove_punctuation: drop every character that is neither a letter, a digit nor space.
        lang: ``"ru"`` or ``"en"`` (English: Snowball English stemmer and English stop words;
            ``lemmatize`` is Russian only).
        strip_html: remove HTML tags and decode entities (``&amp;`` -> ``&``).
        hashtags: ``"word"`` keeps the word of ``#word``; ``"remove"`` drops the whole hashtag.
        emoticons: ``"remove"``, ``"tokens"`` (``<smile>`` / ``<sad>``) or ``"keep"``.
        replace_yo: ё -> е, and delete combining stress marks.
        digits: ``"keep"``, ``"replace"`` (``<num>``) or ``"drop"``.
        tokenizer: ``"razdel"`` or ``"regex"``.
        lemmatize: replace words by their pymorphy3 normal form (Russian only).
        stem: replace words by their Snowball stem. Not together with ``lemmatize``.
        negation: join a whole-word "не"/"ни" to the next word token (``не_нравиться``).
        stopwords: drop stop words.
        stopword_list: replaces the default stop-word list of ``lang`` when given.
        extra_stopwords: words added to the stop-word list.
        keep_negations: never drop "не", "ни", "нет" (English: "not", "no", "nor", "never").

    Raises:
        TextrnnError: an unknown option name or an invalid value.
    """

    def __init__(
        self,
        lowercase: bool = True,
        remove_urls: bool = True,
        remove_mentions: bool = True,
        remove_punctuation: bool = True,
        *,
        lang: str = "ru",
        strip_html: bool = True,
        hashtags: str = "word",
        emoticons: str = "remove",
        replace_yo: bool = True,
        digits: str = "keep",
        tokenizer: str = "razdel",
        lemmatize: bool = False,
        stem: bool = False,
        negation: bool = False,
        stopwords: bool = False,
        stopword_list: Sequence[str] | None = None,
        extra_stopwords: Sequence[str] = (),
        keep_negations: bool = True,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise TextrnnError(
                f"unknown preprocessing option(s) {sorted(unknown)}; expected some of {sorted(_DEFAULTS)}"
            )
        self.lowercase = _check_bool("lowercase", lowercase)
        self.remove_urls = _check_bool("remove_urls", remove_urls)
        self.remove_mentions = _check_bool("remove_mentions", remove_mentions)
        self.remove_punctuation = _check_bool("remove_punctuation", remove_punctuation)
        self.lang = _check_choice("lang", lang, LANGS)
        self.strip_html = _check_bool("strip_html", strip_html)
        self.hashtags = _check_choice("hashtags", hashtags, HASHTAG_MODES)
        self.emoticons = _check_choice("emoticons", emoticons, EMOTICON_MODES)
        self.replace_yo = _check_bool("replace_yo", replace_yo)
        self.digits = _check_choice("digits", digits, DIGIT_MODES)
        self.tokenizer = _check_choice("tokenizer", tokenizer, TOKENIZERS)
        self.lemmatize = _check_bool("lemmatize", lemmatize)
        self.stem = _check_bool("stem", stem)
        self.negation = _check_bool("negation", negation)
        self.stopwords = _check_bool("stopwords", stopwords)
        self.stopword_list = _check_words("stopword_list", stopword_list, allow_none=True)
        self.extra_stopwords = _check_words("extra_stopwords", extra_stopwords, allow_none=False)
        self.keep_negations = _check_bool("keep_negations", keep_negations)
        if self.lemmatize and self.stem:
            raise TextrnnError("preprocessing options lemmatize and stem are exclusive; expected at most one of them")
        if self.lemmatize and self.lang != "ru":
            raise TextrnnError(
                f"lemmatize is available for lang='ru' only, got lang={self.lang!r}; use stem (--stem) instead"
            )
        self._reset_state()

    # -- configuration ------------------------------------------------------------------

    def _reset_state(self) -> None:
        self._piece_cache: dict[str, tuple[str, ...]] = {}
        self._stopset: frozenset[str] | None = None
        self._neg_join: frozenset[str] | None = None

    def get_params(self, deep: bool = True) -> dict:
        """The options, as passed to the constructor (scikit-learn style)."""
        params = {name: getattr(self, name) for name in _DEFAULTS}
        for name in ("stopword_list", "extra_stopwords"):
            if params[name] is not None:
                params[name] = list(params[name])
        return params

    def set_params(self, **params: Any) -> "Preprocessor":
        """Change options (scikit-learn style); validates like the constructor. Returns ``self``."""
        merged = {**self.get_params(), **params}
        checked = type(self)(**merged)
        self.__dict__.update(checked.__dict__)
        return self

    def to_dict(self) -> dict:
        """JSON-serialisable configuration; :meth:`from_dict` rebuilds an equal pipeline."""
        return {"type": "Preprocessor", "version": CONFIG_VERSION, **self.get_params()}

    @classmethod
    def from_dict(cls, data: dict) -> "Preprocessor":
        """Rebuild a pipeline from :meth:`to_dict` output.

        A configuration without ``version`` (written by textrnn's first, four-option
        preprocessor) is read with the behaviour it had: no HTML stripping, ё kept.

        Raises:
            TextrnnError: not a dict, a newer version, or an option this version does not know.
        """
        if not isinstance(data, dict):
            raise TextrnnError(f"preprocessing configuration {data!r} is invalid; expected a JSON object")
        if data.get("type", "Preprocessor") != "Preprocessor":
            raise TextrnnError(f"preprocessing type {data.get('type')!r} is unknown; expected 'Preprocessor'")
        version = data.get("version", 1)
        if not isinstance(version, int) or version > CONFIG_VERSION:
            raise TextrnnError(
                f"preprocessing configuration version {version!r} is newer than this textrnn reads "
                f"(up to {CONFIG_VERSION}); upgrade textrnn"
            )
        params = {k: v for k, v in data.items() if k not in ("type", "version")}
        unknown = sorted(set(params) - set(_DEFAULTS))
        if unknown:
            raise TextrnnError(f"unknown preprocessing option(s) {unknown}; expected some of {sorted(_DEFAULTS)}")
        if version < 2:
            params = {**_LEGACY_V1, **params}
        return cls(**params)

    def config_hash(self) -> str:
        """A short hash of the configuration and the implementation that produces the tokens."""
        key = {"config": self.to_dict(), "impl": IMPLEMENTATION_VERSION}
        if self.lemmatize:
            key["dicts"] = _morph_dict_version()
        return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if v != _DEFAULTS[k])
        return f"Preprocessor({args})"

    def __getstate__(self) -> dict:
        return {"params": self.get_params()}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state["params"])

    # -- scikit-learn contract ----------------------------------------------------------

    def fit(self, texts: Iterable[str] | None = None, y=None) -> "Preprocessor":
        """Nothing to learn; returns ``self``."""
        return self

    def fit_transform(self, texts: Iterable[str], y=None, **kwargs: Any) -> list[list[str]]:
        return self.fit(texts).transform(texts, **kwargs)

    # -- character-level steps -----------------------------------------------------------

    def _clean(self, text: Any) -> str:
        """Steps 1–9 on one text; emoticons and numbers are internal placeholders."""
        if not isinstance(text, str):
            if text is None or (isinstance(text, float) and math.isnan(text)):
                return ""
            text = str(text)
        if _SEP in text:
            text = text.replace(_SEP, " ")
        return self._clean_steps(text)

    def _clean_steps(self, text: str) -> str:
        """Steps 1–9 on a string without _SEP, or on texts joined by _SEP (each step keeps _SEP)."""
        if self.strip_html and ("<" in text or "&" in text):
            if "<" in text:
                text = HTML_BLOCK_RE.sub(" ", text)
                text = HTML_TAG_RE.sub(" ", text)
            if "&" in text:
                text = html.unescape(text)
        if self.remove_urls:
            text = _remove_urls(text)
        if self.remove_mentions and "@" in text:
            text = MENTION_RE.sub(" ", text)
        if "#" in text:
            if self.hashtags == "remove":
                text = HASHTAG_RE.sub(" ", text)
            elif not self.remove_punctuation:
                text = HASHTAG_RE.sub(r"\1", text)
            # else "word": the '#' goes with the punctuation
        if self.emoticons == "tokens":
            text = _emoticons_to_placeholders(text)
        elif self.emoticons == "remove" and not self.remove_punctuation:
            text = _remove_emoticons(text)
        if self.lowercase:
            text = text.lower()
        if self.replace_yo:
            if "ё" in text:
                text = text.replace("ё", "е")
            if "Ё" in text:
                text = text.replace("Ё", "Е")
            text = ACCENT_RE.sub("", text)
        if self.digits != "keep":
            text = DIGITS_RE.sub(_PH_NUM if self.digits == "replace" else " ", text)
        if self.remove_punctuation:
            if "_" in text:
                text = text.replace("_", " ")
            text = _NON_WORD_RE.sub(" ", text)
        return text

    def clean(self, text: Any) -> str:
        """Apply the character-level steps (1–10) to one text and return the cleaned string."""
        text = self._clean(text)
        if "xx" in text:
            text = " ".join(_PLACEHOLDERS.get(w, w) for w in text.split())
        return SPACE_RE.sub(" ", text).strip()

    # -- tokens ---------------------------------------------------------------------------

    def _split_tokens(self, text: str) -> list[str]:
        if self.tokenizer == "razdel":
            return [t.text for t in razdel.tokenize(text)]
        return REGEX_TOKEN_RE.findall(text)

    def _normalize(self, token: str) -> str:
        if token in _PLACEHOLDERS:
            return _PLACEHOLDERS[token]
        if self.lemmatize:
            token = lemma(token)
            if self.replace_yo and "ё" in token:
                token = token.replace("ё", "е")
        elif self.stem:
            token = stem(token, self.lang)
        return token

    def _piece_tokens(self, piece: str) -> tuple[str, ...]:
        """Tokens (normalised) of one piece: a whitespace-free chunk of cleaned text, or one token."""
        if piece in _PLACEHOLDERS:
            return (_PLACEHOLDERS[piece],)
        if self._fast_path:
            # A piece of only Cyrillic or only Latin letters is one token for both tokenizers.
            toks = [piece] if SIMPLE_WORD_RE.fullmatch(piece) else self._split_tokens(piece)
        else:
            toks = [piece]
        return tuple(t for t in (self._normalize(t) for t in toks) if t)

    @property
    def _fast_path(self) -> bool:
        # With punctuation removed, the cleaned text holds only letters, digits and spaces, and
        # neither tokenizer joins across a space nor looks past one to decide a split between
        # letters/digits, so tokenising each whitespace piece alone gives the same tokens.
        return self.remove_punctuation

    def _pieces(self, text: Any) -> list[str]:
        cleaned = self._clean(text)
        if self._fast_path:
            return cleaned.split()
        return self._split_tokens(cleaned)

    @property
    def _batch_clean_ok(self) -> bool:
        # Emoticon handling that balances brackets works on one text at a time.
        return self.emoticons == "keep" or (self.emoticons == "remove" and self.remove_punctuation)

    def _clean_many(self, texts: Sequence[Any]) -> list[str]:
        """``[self._clean(t) for t in texts]``, with each regular expression run once per batch."""
        if not self._batch_clean_ok or len(texts) < 2:
            return [self._clean(t) for t in texts]
        parts = []
        for t in texts:
            if not isinstance(t, str):
                t = "" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t)
            if _SEP in t:
                t = t.replace(_SEP, " ")
            parts.append(t)
        out: list[str] = []
        step = 2000
        for i in range(0, len(parts), step):
            big = self._clean_steps(_SEP.join(parts[i : i + step]))
            out.extend(big.split(_SEP))
        return out

    def _pieces_many(self, texts: Sequence[Any]) -> list[list[str]]:
        cleaned = self._clean_many(texts)
        if self._fast_path:
            return [c.split() for c in cleaned]
        return [self._split_tokens(c) for c in cleaned]

    def _assemble(self, pieces: list[str]) -> list[str]:
        """Tokens of one text from its pieces, computing the pieces not yet cached."""
        vals = list(map(self._piece_cache.get, pieces))
        if None in vals:
            vals = [v if v is not None else self._lookup(p) for p, v in zip(pieces, vals)]
        toks = list(chain.from_iterable(vals))
        if self.negation or self.stopwords:
            toks = self._finish(toks)
        return toks

    def _lookup(self, piece: str) -> tuple[str, ...]:
        cache = self._piece_cache
        try:
            return cache[piece]
        except KeyError:
            pass
        toks = self._piece_tokens(piece)
        if len(cache) >= _MAX_CACHE:
            cache.clear()
        cache[piece] = toks
        return toks

    def _stop_set(self) -> frozenset[str]:
        if self._stopset is None:
            words = list(self.stopword_list) if self.stopword_list is not None else default_stopwords(self.lang)
            words += list(self.extra_stopwords)
            out = set()
            for w in words:
                out.update(self._normalize_word_list(w))
            if self.keep_negations:
                for w in NEGATIONS[self.lang]:
                    out.difference_update(self._normalize_word_list(w))
            self._stopset = frozenset(out)
        return self._stopset

    def _normalize_word_list(self, word: str) -> set[str]:
        """A user-given word (stop word, negation) normalised like the corpus: its raw form too."""
        w = word.lower() if self.lowercase else word
        if self.replace_yo:
            w = w.replace("ё", "е").replace("Ё", "Е")
        out = {w}
        for t in self._split_tokens(w):
            n = self._normalize(t)
            if n:
                out.add(n)
        return out

    def _neg_set(self) -> frozenset[str]:
        if self._neg_join is None:
            out = set()
            for w in NEGATION_JOIN[self.lang]:
                out.update(self._normalize_word_list(w))
            self._neg_join = frozenset(out)
        return self._neg_join

    def _finish(self, toks: list[str]) -> list[str]:
        """Steps 13–14 on one text's normalised tokens."""
        if self.negation and toks:
            neg = self._neg_set()
            out: list[str] = []
            i, n = 0, len(toks)
            while i < n:
                t = toks[i]
                if t in neg and i + 1 < n:
                    nxt = toks[i + 1]
                    if nxt not in neg and LETTER_RE.search(nxt) and not nxt.startswith("<"):
                        out.append(t + "_" + nxt)
                        i += 2
                        continue
                out.append(t)
                i += 1
            toks = out
        if self.stopwords and toks:
            stop = self._stop_set()
            toks = [t for t in toks if t not in stop]
        return toks

    def _transform_one(self, text: Any) -> list[str]:
        return self._assemble(self._pieces(text))

    def tokenize(self, text: Any) -> list[str]:
        """The whole pipeline on one text: its list of tokens."""
        return self._transform_one(text)

    def transform(
        self, texts: Iterable[Any], workers: int | None = 1, progress: bool = False
    ) -> list[list[str]]:
        """Tokenise each text. Returns one list of ``str`` tokens per input text, in input order.

        Args:
            texts: an iterable of strings (``None`` / NaN count as empty texts).
            workers: processes to use; ``None`` or ``0`` means one per CPU. Inputs under
                :data:`PARALLEL_MIN_TEXTS` texts are processed serially. The result is the same.
            progress: show a progress bar on stderr (only when it is a terminal).

        Raises:
            TextrnnError: ``texts`` is a single string, or ``workers`` is negative.
        """
        if isinstance(texts, (str, bytes)):
            raise TextrnnError("transform expects a list of texts, got a single string; wrap it in a list")
        if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 0):
            raise TextrnnError(f"workers={workers!r} is invalid; expected a positive integer (0 = one per CPU)")
        if not workers:
            workers = os.cpu_count() or 1
        texts = texts if isinstance(texts, list) else list(texts)
        if workers > 1 and len(texts) >= PARALLEL_MIN_TEXTS:
            return self._transform_parallel(texts, workers, progress)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="preprocessing", unit=" texts", disable=None, file=sys.stderr)
        out: list[list[str]] = []
        step = 10000
        for i in range(0, len(texts), step):
            out.extend(map(self._assemble, self._pieces_many(texts[i : i + step])))
            if bar is not None:
                bar.update(min(step, len(texts) - i))
        if bar is not None:
            bar.close()
        return out

    # -- parallel path ---------------------------------------------------------------------

    def _transform_parallel(self, texts: list, workers: int, progress: bool) -> list[list[str]]:
        """Three phases, each a fixed function of its input, so the result equals the serial one.

        1. workers clean chunks of texts (in order) and report the pieces they have not cached;
        2. those distinct pieces are shared out among the workers, so each word form is
           tokenised and lemmatised once in all (not once per worker), and cached here;
        3. workers forked after phase 2 (they inherit the complete cache) map pieces to tokens
           and apply negation and stop words; this process only splits their answers.
           (Where ``fork`` is unavailable, or punctuation is kept, this process does phase 3.)
        """
        global _WORKER
        workers = min(workers, max(1, len(texts) // 500))
        if self.lemmatize:
            get_morph()  # built once here and inherited by forked workers
        if self.stopwords:
            self._stop_set()
        if self.negation:
            self._neg_set()
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        ctx = mp.get_context(method)
        n_chunks = workers * 8
        size = max(1, math.ceil(len(texts) / n_chunks))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="preprocessing", unit=" texts", disable=None, file=sys.stderr)
        fast = self._fast_path
        cache = self._piece_cache
        cleaned_chunks: list[list[str]] = []
        pieces: list[list[str]] = []
        global _JOB
        fork = method == "fork"
        _WORKER = self
        try:
            # With fork the workers inherit the inputs (_JOB): only chunk numbers travel.
            _JOB = chunks if fork else None
            with ctx.Pool(workers, initializer=_worker_init, initargs=(self.to_dict(),)) as pool:
                if fast:
                    new: set[str] = set()
                    tasks = range(len(chunks)) if fork else chunks
                    for cleaned, fresh in pool.imap(_worker_clean, tasks):
                        cleaned_chunks.append(cleaned)
                        new.update(fresh)
                        if bar is not None:
                            bar.update(len(cleaned) // 2)
                    missing = [p for p in new if p not in cache]
                else:
                    for part in pool.imap(_worker_pieces, chunks):
                        pieces.extend(part)
                        if bar is not None:
                            bar.update(len(part) // 2)
                    missing = list({p for ps in pieces for p in ps if p not in cache})
                if missing:
                    msize = max(1, math.ceil(len(missing) / (workers * 4)))
                    mchunks = [missing[i : i + msize] for i in range(0, len(missing), msize)]
                    if len(cache) + len(missing) >= _MAX_CACHE:
                        cache.clear()
                    for mchunk, results in zip(mchunks, pool.imap(_worker_piece_tokens, mchunks)):
                        cache.update(zip(mchunk, results))
            out: list[list[str]] = []
            if fast and fork:
                _JOB = cleaned_chunks
                with ctx.Pool(workers, initializer=_worker_init, initargs=(self.to_dict(),)) as pool:
                    for part in pool.imap(_worker_assemble, range(len(cleaned_chunks))):
                        out.extend(part)
            elif fast:
                out = [self._assemble(c.split()) for chunk in cleaned_chunks for c in chunk]
            else:
                out = list(map(self._assemble, pieces))
        finally:
            _WORKER = None
            _JOB = None
        if bar is not None:
            bar.update(len(texts) - bar.n)
            bar.close()
        return out


_WORKER: Preprocessor | None = None
_JOB: list | None = None  # inputs of the running parallel transform, inherited by forked workers
_REPORTED: set[str] = set()  # in a worker: pieces already reported to the parent


def _worker_init(config: dict) -> None:
    global _WORKER
    # A forked worker inherits the parent's signal handlers: the CLI turns SIGTERM into SystemExit,
    # which a worker blocked on its task queue could swallow, so Pool.terminate() (the end of every
    # `with Pool(...)`) waited for it forever (seen once in ~20 runs). Workers die on SIGTERM and
    # leave Ctrl-C to the parent.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _REPORTED.clear()
    if _WORKER is None or _WORKER.to_dict() != config:  # spawn: rebuild from the configuration
        _WORKER = Preprocessor.from_dict(config)


def _worker_pieces(texts: list) -> list[list[str]]:
    assert _WORKER is not None
    return _WORKER._pieces_many(texts)


def _worker_clean(texts: list | int) -> tuple[list[str], set[str]]:
    """Cleaned texts and the pieces among them that this worker's cache lacks (fast path).

    ``texts`` is a chunk of texts, or (fork) the number of a chunk in the inherited ``_JOB``.
    """
    assert _WORKER is not None
    if isinstance(texts, int):
        texts = _JOB[texts]
    cleaned = _WORKER._clean_many(texts)
    pieces: set[str] = set()
    for c in cleaned:
        pieces.update(c.split())
    cache = _WORKER._piece_cache
    fresh = {p for p in pieces if p not in cache and p not in _REPORTED}
    _REPORTED.update(fresh)  # each worker reports a piece once, not once per chunk
    return cleaned, fresh


def _worker_assemble(cleaned: list[str] | int) -> list[list[str]]:
    """Tokens of cleaned texts (pickle sends each distinct token string once per chunk).

    ``cleaned`` is a chunk of cleaned texts, or (fork) the number of a chunk in ``_JOB``.
    """
    assert _WORKER is not None
    if isinstance(cleaned, int):
        cleaned = _JOB[cleaned]
    assemble = _WORKER._assemble
    return [assemble(c.split()) for c in cleaned]


def _worker_piece_tokens(pieces: list[str]) -> list[tuple[str, ...]]:
    assert _WORKER is not None
    return [_WORKER._piece_tokens(p) for p in pieces]


def _morph_dict_version() -> str:
    try:
        from importlib.metadata import version

        return f"pymorphy3 {version('pymorphy3')}, dicts {version('pymorphy3-dicts-ru')}"
    except Exception:  # pragma: no cover - metadata missing
        return "unknown"


def _remove_urls(text: str) -> str:
    """Replace URLs (see ``_SCHEME_TAIL_RE`` / ``_WWW_RE``) by a space."""
    i = text.find("://")
    if i != -1:
        parts = []
        last = 0
        while i != -1:
            m = _SCHEME_TAIL_RE.search(text, max(last, i - 11), i)
            if m is None:
                i = text.find("://", i + 3)
                continue
            end = _NONSPACE_RE.match(text, i + 3).end()
            parts.append(text[last : m.start()])
            parts.append(" ")
            last = end
            i = text.find("://", end)
        if parts:
            parts.append(text[last:])
            text = "".join(parts)
    if "ww." in text or "WW." in text or "Ww." in text or "wW." in text:
        text = _WWW_RE.sub(" ", text)
    return text


# --- emoticons -------------------------------------------------------------------------------


def _remove_emoticons(text: str) -> str:
    """Drop emoticons and emoji (used when punctuation is kept); unbalanced brackets go too."""
    text = _SMILE_RE.sub(" ", text)
    text = _SAD_RE.sub(" ", text)
    text = _POS_EMOJI_RE.sub(" ", text)
    text = _NEG_EMOJI_RE.sub(" ", text)
    text = _EMOJI_RE.sub(" ", text)
    if "(" in text or ")" in text:
        text = _single_brackets(text, " ", " ")
    return text


def _emoticons_to_placeholders(text: str) -> str:
    if not text.isascii() or any(c in text for c in ":;=()[]^<T8xх"):
        text = _SMILE_RE.sub(_PH_SMILE, text)
        text = _SAD_RE.sub(_PH_SAD, text)
        if not text.isascii():
            text = _POS_EMOJI_RE.sub(_PH_SMILE, text)
            text = _NEG_EMOJI_RE.sub(_PH_SAD, text)
            text = _EMOJI_RE.sub(" ", text)
        if "(" in text or ")" in text:
            text = _single_brackets(text, _PH_SMILE, _PH_SAD)
    return text


def _single_brackets(text: str, smile: str, sad: str) -> str:
    """Brackets that are not eyed emoticons.

    A ``(`` glued to the word before it and followed by a space (``ладно( а``) is sad; a ``)``
    after a space is a smile; of the rest, balanced ``(…)`` pairs are parentheses, and a lone
    ``)`` is a smile and a lone ``(`` is sad.
    """
    text = text.replace("\x00", " ")
    text = _SAD_OPEN_RE.sub(sad, text)
    text = _SMILE_CLOSE_RE.sub(smile, text)
    marks: list[str] = []

    def keep(m: re.Match) -> str:
        marks.append(m.group(1))
        return f"\x00{len(marks) - 1}\x00"

    prev = None
    while prev != text:
        prev = text
        text = _BALANCED_RE.sub(keep, text)
    text = text.replace(")", smile).replace("(", sad)
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: "(" + marks[int(m.group(1))] + ")", text)
    return text


# --- on-disk cache ---------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$TEXTRNN_CACHE_DIR`` if set, else ``~/.cache/textrnn``."""
    env = os.environ.get("TEXTRNN_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "textrnn"


def _file_digest(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _texts_digest(texts: Sequence[Any]) -> str:
    h = hashlib.sha256()
    for t in texts:
        s = "" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t)
        h.update(s.encode("utf-8", "surrogatepass"))
        h.update(b"\x00\x01")
    return h.hexdigest()


def transform_file_cached(
    path: str | os.PathLike | None,
    texts: Sequence[Any],
    preprocessor: Preprocessor,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = 1,
    progress: bool = False,
    quiet: bool = False,
) -> list[list[str]]:
    """``preprocessor.transform(texts)``, kept on disk so the same file is processed once.

    The key is (content hash of ``path``, pipeline configuration, textrnn's implementation
    version, hash of ``texts``): editing the file, the options or the column read gives a new
    entry. On a hit a message goes to stderr and no text is processed. A cache that cannot be
    written or read is skipped silently.

    Args:
        path: the file ``texts`` were read from (``None``: key on the texts alone).
        texts: the raw texts.
        preprocessor: the pipeline.
        cache_dir: default :func:`default_cache_dir` (``$TEXTRNN_CACHE_DIR`` or ``~/.cache/textrnn``).
        workers, progress: passed to :meth:`Preprocessor.transform` on a miss.
        quiet: no message on a cache hit.
    """
    texts = texts if isinstance(texts, list) else list(texts)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    try:
        file_part = _file_digest(path) if path is not None else "-"
    except OSError as e:
        raise TextrnnError(f"cannot read {str(path)!r}: {e.strerror or e}") from None
    key = hashlib.sha256(
        "\n".join([file_part, preprocessor.config_hash(), _texts_digest(texts)]).encode()
    ).hexdigest()[:32]
    entry = root / "preprocess" / f"{key}.json"
    if entry.is_file():
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            tokens = data["tokens"]
            well_formed = isinstance(tokens, list) and len(tokens) == len(texts) and all(
                isinstance(row, list) and all(isinstance(t, str) for t in row) for row in tokens)
            if well_formed:  # anything else (a damaged or foreign file) is a miss, recomputed
                name = Path(path).name if path is not None else "the texts"
                if not quiet:
                    print(
                        f"textrnn: preprocessed tokens of {name} ({len(texts)} texts) found in the cache "
                        f"{str(entry)!r}; skipping preprocessing",
                        file=sys.stderr,
                    )
                return tokens
        except (OSError, ValueError, KeyError, TypeError):
            pass
    tokens = preprocessor.transform(texts, workers=workers, progress=progress)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.name}.tmp-", dir=entry.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(
                    {"source": str(path) if path is not None else None, "config": preprocessor.to_dict(),
                     "tokens": tokens},
                    f,
                    ensure_ascii=False,
                )
            os.replace(tmp, entry)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError):  # unwritable directory; text that UTF-8 cannot encode
        pass
    return tokens


__all__ = [
    "Preprocessor",
    "clear_caches",
    "default_cache_dir",
    "default_stopwords",
    "dawg_extension_available",
    "get_morph",
    "lemma",
    "stem",
    "transform_file_cached",
    "PARALLEL_MIN_TEXTS",
]
