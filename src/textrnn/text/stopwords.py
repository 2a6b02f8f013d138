"""Stop-word lists and the negation words that stop-word removal keeps and negation joins."""

from __future__ import annotations

NEGATIONS = {"ru": ("не", "ни", "нет"), "en": ("not", "no", "nor", "never")}
NEGATION_JOIN = {"ru": ("не", "ни"), "en": ("not", "no", "never")}


def default_stopwords(lang: str = "ru") -> list[str]:
    """The ``stop-words`` package's list for ``lang`` (``"ru"`` or ``"en"``)."""
    from stop_words import get_stop_words

    return list(get_stop_words("russian" if lang == "ru" else "english"))
