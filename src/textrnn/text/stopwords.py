"""Stop-word lists, the sentiment words they must not erase, and the negation words.

The ``stop-words`` package's lists were built for search, not for sentiment: the Russian one holds
«не», «нет», «ничего», «никогда», «очень», «слишком», «хорошо», «лучше», «прекрасно», «спасибо»,
so «Было хорошо» and «Ничего хорошего» both became empty. Three curated sets are therefore never
taken as default stop words:

- :data:`NEGATIONS` — negation words; kept unless ``keep_negations=False`` (also when a user's
  own list names them);
- :data:`INTENSIFIERS` — words that strengthen or weaken what follows («очень», «слишком», «почти»);
- :data:`EVALUATIVE` — words that carry an opinion themselves («хорошо», «лучше», «прекрасно»).

Intensifiers and evaluative words are taken out of the *default* list only: a word the user names
in ``stopword_list`` or ``extra_stopwords`` is dropped as asked.

With ``keep_sentiment_words=False`` (the pipeline of settings version 2 and textrnn 0.1) none of
this applies: the default list is used as it is, and ``keep_negations`` keeps
:data:`BASIC_NEGATIONS` only.
"""

from __future__ import annotations

NEGATIONS = {
    "ru": ("не", "ни", "нет", "ничего", "никогда", "нельзя", "никто", "ничто", "никуда", "нигде"),
    "en": ("not", "no", "nor", "never", "none", "nothing", "nobody", "cannot", "neither", "hardly"),
}
INTENSIFIERS = {
    "ru": ("очень", "слишком", "совсем", "почти", "чуть", "особенно", "довольно", "действительно",
           "наиболее", "более", "менее", "больше", "меньше", "мало", "много", "немного", "даже"),
    "en": ("very", "too", "really", "quite", "most", "more", "less", "least", "much", "awfully",
           "extremely", "strongly", "slightly", "truly", "totally", "absolutely", "entirely", "fully"),
}
EVALUATIVE = {
    "ru": ("хорошо", "хороший", "лучше", "прекрасно", "спасибо", "важный", "важная", "важное", "важные",
           "конечно"),
    "en": ("good", "great", "greater", "greatest", "best", "better", "well", "like", "liked", "sorry",
           "thanks", "thank", "thanx", "welcome", "appreciate", "useful", "interesting", "proud",
           "unfortunately", "hopefully", "serious", "seriously", "poorly", "happens", "miss", "wish"),
}
NEGATION_JOIN = {"ru": ("не", "ни"), "en": ("not", "no", "never")}
# The negations kept before the curated sets (``keep_sentiment_words=False``).
BASIC_NEGATIONS = {"ru": ("не", "ни", "нет"), "en": ("not", "no", "nor", "never")}


def kept_words(lang: str = "ru") -> tuple[str, ...]:
    """Intensifiers and evaluative words of ``lang``: never taken from the default stop-word list.

    English negated contractions of the default list (``"don't"``, ``"isn't"``) are negations
    and count among :data:`NEGATIONS` (see :func:`negation_words`).
    """
    return INTENSIFIERS[lang] + EVALUATIVE[lang]


def negation_words(lang: str = "ru", curated: bool = True) -> tuple[str, ...]:
    """:data:`NEGATIONS` of ``lang``; English adds the default list's ``…n't`` contractions.

    ``curated=False``: :data:`BASIC_NEGATIONS` (the pipeline with ``keep_sentiment_words=False``).
    """
    if not curated:
        return BASIC_NEGATIONS[lang]
    if lang != "en":
        return NEGATIONS[lang]
    return NEGATIONS[lang] + tuple(w for w in default_stopwords("en") if w.endswith("n't"))


def default_stopwords(lang: str = "ru") -> list[str]:
    """The ``stop-words`` package's list for ``lang`` (``"ru"`` or ``"en"``), unfiltered."""
    from stop_words import get_stop_words

    return list(get_stop_words("russian" if lang == "ru" else "english"))
