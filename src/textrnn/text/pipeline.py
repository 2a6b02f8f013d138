"""The :class:`Preprocessor`: its options as JSON, tokens (steps 11–12) and ``transform``."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from itertools import chain
from typing import Any, Iterable, Sequence

import razdel

from textrnn.errors import TextrnnError
from textrnn.text import workers as _workers
from textrnn.text.cleaning import CleaningSteps
from textrnn.text.emoticons import kept_emoticon
from textrnn.text.morphology import _MAX_CACHE, _morph_dict_version, lemma, stem
from textrnn.text.options import (
    _LEGACY_V1,
    _LEGACY_V2,
    CONFIG_VERSION,
    DEFAULTS,
    DIGIT_MODES,
    EMOTICON_MODES,
    HASHTAG_MODES,
    IMPLEMENTATION_VERSION,
    LANGS,
    TOKENIZERS,
    _check_bool,
    _check_choice,
    _check_words,
)
from textrnn.text.patterns import _PLACEHOLDERS, BOUNDARY_TOKEN, BOUNDARY_WORD, REGEX_TOKEN_RE, SIMPLE_WORD_RE
from textrnn.text.overrides import check_overrides, lemma_table
from textrnn.text.token_steps import TokenSteps

_D = DEFAULTS  # the signature's defaults: they live in options.py


class Preprocessor(CleaningSteps, TokenSteps):
    """Turn raw texts into token lists (scikit-learn contract: ``fit`` / ``transform``).

    The steps and their order are described in the package docstring
    (``help(textrnn.text)``). The default, ``Preprocessor()``, is the classifier's
    pipeline for Russian: strip HTML, URLs and @mentions, keep hashtag words, lowercase, ё -> е,
    punctuation and emoticons -> spaces, razdel tokens; no lemmas, stems, stop words or negation.

    The last four options are steps that changed after settings version 2. Each is on by default;
    a version-2 (or textrnn 0.1) configuration loads with them off, so an older model keeps the
    tokens it was trained on (:meth:`from_dict`).

    Args:
        lowercase: lower-case the text.
        remove_urls: drop ``http(s)://…`` and ``www.…`` links.
        remove_mentions: drop ``@user`` mentions.
        remove_punctuation: drop every character that is neither a letter, a digit nor space
            (a hyphen between two letters: see ``keep_hyphens``).
        lang: ``"ru"`` or ``"en"`` (English: Snowball English stemmer and English stop words;
            ``lemmatize`` is Russian only).
        strip_html: remove HTML tags and decode entities (``&amp;`` -> ``&``).
        hashtags: ``"word"`` keeps the word of ``#word``; ``"remove"`` drops the whole hashtag.
        emoticons: ``"remove"``, ``"tokens"`` (``<smile>`` / ``<sad>``) or ``"keep"`` (each
            emoticon or emoji a token of its own: ``класс:)`` -> ``класс``, ``:)``; see
            ``keep_emoticons_whole``).
        replace_yo: ё -> е, and delete combining stress marks.
        digits: ``"keep"``, ``"replace"`` (``<num>``) or ``"drop"``.
        tokenizer: ``"razdel"`` or ``"regex"``.
        lemmatize: replace words by their pymorphy3 normal form (Russian only).
        stem: replace words by their Snowball stem. Not together with ``lemmatize``.
        negation: join a whole-word "не"/"ни" to the next word token (``не_нравиться``); not
            across clause punctuation (``Не, ну`` stays ``не ну``; see
            ``negation_stops_at_punctuation``).
        stopwords: drop stop words; the default list never drops intensifiers and evaluative
            words (:func:`~textrnn.text.stopwords.kept_words`; see ``keep_sentiment_words``).
        stopword_list: replaces the default stop-word list of ``lang`` when given.
        extra_stopwords: words added to the stop-word list.
        lemma_fixes: with ``lemmatize``, correct pymorphy3's known dictionary errors first
            (:data:`~textrnn.text.overrides.LEMMA_FIXES`: «счастья» -> «счастье», not «счастие»).
        lemma_overrides: ``{word form: lemma}`` looked up before pymorphy3 (and before
            ``lemma_fixes``); needs ``lemmatize``.
        keep_negations: never drop negations (:data:`~textrnn.text.stopwords.NEGATIONS`: "не",
            "ни", "нет", "ничего", "никогда"…; English: "not", "no", "never", "…n't").
        keep_hyphens: with ``remove_punctuation``, a hyphen between two letters stays in its word
            (``что-то``, ``из-за``, ``кое-кого``); off: it is punctuation (``что то``).
        keep_sentiment_words: with ``stopwords``, the default list never drops intensifiers and
            evaluative words, and ``keep_negations`` keeps every word of
            :data:`~textrnn.text.stopwords.NEGATIONS`; off: the list is used as it is and
            ``keep_negations`` keeps only "не", "ни", "нет" ("not", "no", "nor", "never").
        negation_stops_at_punctuation: with ``negation`` and ``remove_punctuation``, a "не"
            before clause punctuation stays alone; off: it is joined to the next word whatever
            lies between (``Не, ну`` -> ``не_ну``).
        keep_emoticons_whole: with ``emoticons="keep"``, each emoticon or emoji is a token of its
            own; off: they are left to the later steps (removed with the punctuation, or split by
            the tokenizer: ``:-)`` -> ``:``, ``-``, ``)``).

    Raises:
        TextrnnError: an unknown option name or an invalid value.
    """

    def __init__(
        self,
        lowercase: bool = _D["lowercase"],
        remove_urls: bool = _D["remove_urls"],
        remove_mentions: bool = _D["remove_mentions"],
        remove_punctuation: bool = _D["remove_punctuation"],
        *,
        lang: str = _D["lang"],
        strip_html: bool = _D["strip_html"],
        hashtags: str = _D["hashtags"],
        emoticons: str = _D["emoticons"],
        replace_yo: bool = _D["replace_yo"],
        digits: str = _D["digits"],
        tokenizer: str = _D["tokenizer"],
        lemmatize: bool = _D["lemmatize"],
        stem: bool = _D["stem"],
        negation: bool = _D["negation"],
        stopwords: bool = _D["stopwords"],
        stopword_list: Sequence[str] | None = None,
        extra_stopwords: Sequence[str] = (),
        keep_negations: bool = _D["keep_negations"],
        lemma_fixes: bool = _D["lemma_fixes"],
        lemma_overrides: dict[str, str] | None = None,
        keep_hyphens: bool = _D["keep_hyphens"],
        keep_sentiment_words: bool = _D["keep_sentiment_words"],
        negation_stops_at_punctuation: bool = _D["negation_stops_at_punctuation"],
        keep_emoticons_whole: bool = _D["keep_emoticons_whole"],
        **unknown: Any,
    ) -> None:
        if unknown:
            raise TextrnnError(
                f"unknown preprocessing option(s) {sorted(unknown)}; expected some of {sorted(DEFAULTS)}"
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
        self.lemma_fixes = _check_bool("lemma_fixes", lemma_fixes)
        self.lemma_overrides = check_overrides({} if lemma_overrides is None else lemma_overrides)
        self.keep_hyphens = _check_bool("keep_hyphens", keep_hyphens)
        self.keep_sentiment_words = _check_bool("keep_sentiment_words", keep_sentiment_words)
        self.negation_stops_at_punctuation = _check_bool("negation_stops_at_punctuation", negation_stops_at_punctuation)
        self.keep_emoticons_whole = _check_bool("keep_emoticons_whole", keep_emoticons_whole)
        if self.lemma_overrides and not self.lemmatize:
            raise TextrnnError("lemma_overrides needs lemmatize=True (they replace lemmas)", param="lemma_overrides")
        if self.lemmatize and self.stem:
            raise TextrnnError("preprocessing options lemmatize and stem are exclusive; expected at most one of them")
        if self.lemmatize and self.lang != "ru":
            raise TextrnnError(
                f"lemmatize is available for lang='ru' only, got lang={self.lang!r}; use stem instead", param="lemmatize"
            )
        self._lemma_table = lemma_table(
            self.lemma_fixes and self.lemmatize and self.lang == "ru", self.lemma_overrides, self.replace_yo
        )
        # Read by the steps (cleaning.py, token_steps.py): the clause marks are written only here.
        self._boundaries = self.negation and self.negation_stops_at_punctuation and self.remove_punctuation
        self._whole_emoticons = self.emoticons == "keep" and self.keep_emoticons_whole
        self._placeholders = {**_PLACEHOLDERS, BOUNDARY_WORD: BOUNDARY_TOKEN} if self._boundaries else _PLACEHOLDERS
        self._reset_state()

    # -- configuration ------------------------------------------------------------------

    def _reset_state(self) -> None:
        self._piece_cache: dict[str, tuple[str, ...]] = {}
        self._stopset: frozenset[str] | None = None
        self._neg_join: frozenset[str] | None = None

    def get_params(self, deep: bool = True) -> dict:
        """The options, as passed to the constructor (scikit-learn style)."""
        params = {name: getattr(self, name) for name in DEFAULTS}
        for name in ("stopword_list", "extra_stopwords"):
            if params[name] is not None:
                params[name] = list(params[name])
        params["lemma_overrides"] = dict(params["lemma_overrides"])
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
        preprocessor) is read with the behaviour it had: no HTML stripping, ё kept. Versions 1
        and 2 (textrnn 0.1) also keep the steps they had: pymorphy3's own lemmas
        (``lemma_fixes=False``) and ``keep_hyphens``, ``keep_sentiment_words``,
        ``negation_stops_at_punctuation``, ``keep_emoticons_whole`` off. An option the
        configuration names is taken as written.

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
        unknown = sorted(set(params) - set(DEFAULTS))
        if unknown:
            raise TextrnnError(f"unknown preprocessing option(s) {unknown}; expected some of {sorted(DEFAULTS)}")
        if version < 2:
            params = {**_LEGACY_V1, **params}
        if version < 3:
            params = {**_LEGACY_V2, **params}
        return cls(**params)

    def config_hash(self) -> str:
        """A short hash of the configuration and the implementation that produces the tokens."""
        key = {"config": self.to_dict(), "impl": IMPLEMENTATION_VERSION}
        if self.lemmatize:
            key["dicts"] = _morph_dict_version()
        return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if v != DEFAULTS[k])
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

    # -- character-level steps: inherited from CleaningSteps (cleaning.py) -------------------

    # -- negation and stop words (steps 13–14): inherited from TokenSteps (token_steps.py) ---

    # -- tokens ---------------------------------------------------------------------------

    def _split_tokens(self, text: str) -> list[str]:
        if self.tokenizer == "razdel":
            return [t.text for t in razdel.tokenize(text)]
        return REGEX_TOKEN_RE.findall(text)

    def _normalize(self, token: str) -> str:
        if token in self._placeholders:
            return self._placeholders[token]
        if self._whole_emoticons and token.startswith("xxemo"):
            kept = kept_emoticon(token)
            if kept is not None:
                return kept
        if self.lemmatize:
            fixed = self._lemma_table.get(token.lower()) if self._lemma_table else None
            if fixed is not None:
                return fixed
            token = lemma(token)
            if self.replace_yo and "ё" in token:
                token = token.replace("ё", "е")
        elif self.stem:
            token = stem(token, self.lang)
        return token

    def _piece_tokens(self, piece: str) -> tuple[str, ...]:
        """Tokens (normalised) of one piece: a whitespace-free chunk of cleaned text, or one token."""
        if piece in self._placeholders:
            return (self._placeholders[piece],)
        if self._fast_path:
            # A piece of only Cyrillic or only Latin letters is one token for both tokenizers.
            toks = [piece] if SIMPLE_WORD_RE.fullmatch(piece) else self._split_tokens(piece)
        else:
            toks = [piece]
        return tuple(t for t in (self._normalize(t) for t in toks) if t)

    @property
    def _fast_path(self) -> bool:
        # With punctuation removed, the cleaned text holds only letters, digits, spaces and hyphens
        # between two letters (which both tokenizers keep inside the word), and
        # neither tokenizer joins across a space nor looks past one to decide a split between
        # letters/digits, so tokenising each whitespace piece alone gives the same tokens.
        return self.remove_punctuation

    def _pieces(self, text: Any) -> list[str]:
        cleaned = self._clean(text)
        if self._fast_path:
            return cleaned.split()
        return self._split_tokens(cleaned)

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
                :data:`~textrnn.text.workers.PARALLEL_MIN_TEXTS` texts are processed serially. The result is the same.
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
        if workers > 1 and len(texts) >= _workers.PARALLEL_MIN_TEXTS:
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

    def _transform_parallel(self, texts: list, workers: int, progress: bool) -> list[list[str]]:
        """:func:`textrnn.text.workers.transform_parallel` on this pipeline (same result as serial)."""
        return _workers.transform_parallel(self, texts, workers, progress)
