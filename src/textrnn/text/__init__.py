"""Text preprocessing: raw text -> list of tokens, configured once and stored with the model.

The pipeline's configuration is plain JSON (:meth:`Preprocessor.to_dict`), saved in the
model directory and applied again to raw text at prediction time. A step that changes the tokens
of an existing configuration comes with an option, on by default and off when an older
configuration is loaded (:meth:`Preprocessor.from_dict`), so a saved model always gets its own
pipeline: ``keep_hyphens`` (step 9), ``keep_sentiment_words`` (14),
``negation_stops_at_punctuation`` (13) and ``keep_emoticons_whole`` (5) are off for settings of
version 2 and textrnn 0.1, as is ``lemma_fixes`` (12).

Steps, always in this order (each one switchable):

1. ``strip_html``      — remove HTML tags (and ``<script>``/``<style>`` bodies), decode entities;
2. ``remove_urls``     — drop links: a scheme (``http``, ``https``, ``ftp``, …) + ``://`` + the
   non-space characters after it, or ``www.`` + non-space characters;
3. ``remove_mentions`` — drop ``@user`` mentions (e-mail addresses are not mentions);
4. ``hashtags``        — ``"word"``: ``#слово`` -> ``слово``; ``"remove"``: drop the hashtag;
5. ``emoticons``       — ``"remove"``: drop emoticons and emoji; ``"tokens"``: map them to
   ``<smile>`` / ``<sad>`` (other emoji are dropped); ``"keep"``: each emoticon and emoji
   is a token of its own, never glued to a word (``класс:)`` -> ``класс``, ``:)``), whatever
   step 9 does (``keep_emoticons_whole=False``: they are left to steps 9 and 11).
   Emoticons are eyed (``:)`` ``;-D`` ``=(`` ``:'(`` ``xD`` ``^_^`` ``<3``), bracket runs
   (``))``, ``(((``) and single brackets that are not parentheses: ``ладно( а`` is sad, a ``)``
   after a space is a smile, balanced ``(…)`` pairs are kept as parentheses, and any other lone
   ``)`` / ``(`` is a smile / sad;
6. ``lowercase``;
7. ``replace_yo``      — ё -> е (also applied to lemmas and stop words); combining accents
   (stress marks, U+0300–U+036F) are deleted together with this step;
8. ``digits``          — ``"keep"``, ``"replace"`` (each number -> ``<num>``) or ``"drop"``;
9. ``remove_punctuation`` — every character that is neither a letter nor a digit (punctuation,
   emoticon brackets, symbols, emoji, ``_``) -> space, except a hyphen between two letters, which
   belongs to its word (``что-то``, ``из-за``, ``кое-кого``; dashes between words, `` - ``, ``—``,
   ``–``, are punctuation; ``keep_hyphens=False``: every hyphen is). In RuTweetCorp the brackets
   leak the label, so this is on by default;
10. whitespace collapse;
11. ``tokenizer``      — ``"razdel"`` (default) or ``"regex"`` (a fast ``\\w+``-style tokenizer);
12. ``lemmatize`` (pymorphy3, ``parse(w)[0].normal_form``, lower-case) or ``stem`` (Snowball,
   PyStemmer); tokens without Cyrillic letters are not given to pymorphy3; ``lemma_overrides``
   (the user's ``{form: lemma}``) and ``lemma_fixes`` (:data:`~textrnn.text.overrides.LEMMA_FIXES`,
   pymorphy3's known dictionary errors: «счастья» -> «счастье», not «счастие») come first;
13. ``negation``       — a whole-token "не" / "ни" ("not" / "no" / "never" in English) is joined
   to the next token if that holds a letter and is neither a negation nor an ``<…>`` token:
   ``не понравилось`` -> ``не_понравиться`` (with ``lemmatize``); a word that merely ends in
   "не" (``стране``) is never touched; a "не" before clause punctuation (``. , ! ? ; : …``, a dash)
   or at the end of the text stays alone (``Не, ну а что`` -> ``не ну а что``;
   ``negation_stops_at_punctuation=False``: ``не_ну``); the joined token is never a stop word;
14. ``stopwords``      — drop stop words: the ``stop-words`` package's list for ``lang``
   (or ``stopword_list``) plus ``extra_stopwords``, passed through the same
   lower-casing / ё / lemmatiser / stemmer as the corpus so inflected forms match.
   The default list loses the words that carry sentiment (:mod:`~textrnn.text.stopwords`):
   intensifiers («очень», «слишком», «почти»…) and evaluative words («хорошо», «лучше»,
   «прекрасно», «спасибо»…) are never taken from it; negations («не», «ни», «нет», «ничего»,
   «никогда», «нельзя»…; "not", "no", "never", "…n't") are kept from every list unless
   ``keep_negations=False`` (``keep_sentiment_words=False``: the default list as it is, and only
   «не», «ни», «нет» kept).

Speed: lemmas and stems are cached per process (:func:`clear_caches` empties them), and each
:class:`Preprocessor` caches the tokens of every distinct whitespace-separated piece of
cleaned text, so a word form is tokenised and lemmatised once. ``transform(texts, workers=N)``
splits large inputs over N processes (order preserved, same result as serial).
:func:`transform_file_cached` keeps the result for a file on disk, keyed by the file's content
and the pipeline configuration.

Modules: :mod:`~textrnn.text.pipeline` (:class:`Preprocessor`), :mod:`~textrnn.text.options`,
:mod:`~textrnn.text.cleaning` (steps 1–10), :mod:`~textrnn.text.patterns`,
:mod:`~textrnn.text.emoticons`, :mod:`~textrnn.text.morphology` and :mod:`~textrnn.text.overrides` (step 12),
:mod:`~textrnn.text.token_steps` (steps 13–14) and its word lists :mod:`~textrnn.text.stopwords`,
:mod:`~textrnn.text.workers` (``workers=N``) and
:mod:`~textrnn.text.cache` (the on-disk cache).
"""

from __future__ import annotations

from textrnn.text.cache import default_cache_dir, tokenize_file, transform_file_cached
from textrnn.text.morphology import clear_caches, dawg_extension_available, get_morph, lemma, stem
from textrnn.text.options import CONFIG_VERSION, DEFAULTS, IMPLEMENTATION_VERSION
from textrnn.text.patterns import NUM_TOKEN, SAD_TOKEN, SMILE_TOKEN
from textrnn.text.pipeline import Preprocessor
from textrnn.text.stopwords import default_stopwords
from textrnn.text.workers import PARALLEL_MIN_TEXTS

__all__ = [
    "CONFIG_VERSION",
    "DEFAULTS",
    "IMPLEMENTATION_VERSION",
    "NUM_TOKEN",
    "PARALLEL_MIN_TEXTS",
    "Preprocessor",
    "SAD_TOKEN",
    "SMILE_TOKEN",
    "clear_caches",
    "dawg_extension_available",
    "default_cache_dir",
    "default_stopwords",
    "get_morph",
    "lemma",
    "stem",
    "tokenize_file",
    "transform_file_cached",
]
