"""Word normalisation: pymorphy3 lemmas and Snowball stems, with their per-process caches."""

from __future__ import annotations

from typing import Any

from textrnn.text.patterns import CYRILLIC_RE

_MAX_CACHE = 2_000_000  # entries per cache; a full cache is emptied and refilled
_MORPH = None
_LEMMA_CACHE: dict[str, str] = {}
_STEMMERS: dict[str, Any] = {}
_STEM_CACHE: dict[str, dict[str, str]] = {}


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


def _morph_dict_version() -> str:
    try:
        from importlib.metadata import version

        return f"pymorphy3 {version('pymorphy3')}, dicts {version('pymorphy3-dicts-ru')}"
    except Exception:  # pragma: no cover - metadata missing
        return "unknown"


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
