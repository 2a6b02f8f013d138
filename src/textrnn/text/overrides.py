"""Lemma overrides: a word form -> the lemma it gets, looked up before pymorphy3.

pymorphy3's dictionary (OpenCorpora) gives some neuter nouns in «-ье» the archaic normal form in
«-ие»: «счастья» -> «счастие», «варенья» -> «варение» (boiling), «воскресенья» -> «воскресение»
(resurrection, not Sunday). :data:`LEMMA_FIXES` holds the forms of those words, each checked
against pymorphy3 (tests/unit/text/test_overrides.py); ``Preprocessor(lemma_fixes=True)``
(the default) applies it, and ``lemma_overrides`` (``--lemma-overrides FILE``) adds the user's own,
which win over it. Both are part of the preprocessing configuration saved with a model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textrnn.errors import TextrnnError

# lemma -> its stem before the case ending; the endings of a neuter «-ье» / «-ьё» noun follow.
_NEUTER_IE = {
    "счастье": "счасть", "веселье": "весель", "воскресенье": "воскресень", "варенье": "варень",
    "печенье": "печень", "ущелье": "ущель", "похмелье": "похмель",
}
_NEUTER_IO = {"питьё": "пить", "житьё": "жить"}
_ENDINGS_IE = ("е", "я", "ю", "ем", "и", "ям", "ями", "ях")
_ENDINGS_IO = ("ё", "я", "ю", "ём", "е")

#: word form -> lemma, the known dictionary errors of pymorphy3 (see the module docstring).
LEMMA_FIXES: dict[str, str] = {
    **{stem + end: lemma for lemma, stem in _NEUTER_IE.items() for end in _ENDINGS_IE},
    **{stem + end: lemma for lemma, stem in _NEUTER_IO.items() for end in _ENDINGS_IO},
}
# «печенью» is also the liver's instrumental, and pymorphy3 reads it so: left to pymorphy3.
del LEMMA_FIXES["печенью"]


def lemma_table(fixes: bool, overrides: dict[str, str], replace_yo: bool) -> dict[str, str]:
    """Lower-cased word form (ё as the cleaned text spells it) -> lemma (spelled as lemmas are).

    ``fixes`` adds :data:`LEMMA_FIXES`; ``overrides`` win over it.
    """
    table = dict(LEMMA_FIXES) if fixes else {}
    table.update(overrides)
    out = {}
    for word, lem in table.items():
        word, lem = word.lower(), lem.lower()
        if replace_yo:
            word, lem = word.replace("ё", "е"), lem.replace("ё", "е")
        out[word] = lem
    return out


def check_overrides(value: Any) -> dict[str, str]:
    """``value`` as a ``{word: lemma}`` dict of one-token strings (stripped).

    Raises:
        TextrnnError: not a dict, or a key or value that is not a non-empty string without spaces.
    """
    if not isinstance(value, dict):
        raise TextrnnError(f"preprocessing option lemma_overrides={value!r} is invalid; expected a "
                           "{word: lemma} mapping", param="lemma_overrides")
    out = {}
    for word, lemma in value.items():
        for what, s in (("word", word), ("lemma", lemma)):
            if not isinstance(s, str) or not s.strip() or len(s.split()) != 1:
                raise TextrnnError(f"lemma_overrides: {what} {s!r} (of {word!r}) is invalid; expected one word "
                                   "without spaces", param="lemma_overrides")
        out[word.strip()] = lemma.strip()
    return out


def read_lemma_overrides(path: str | os.PathLike) -> dict[str, str]:
    """``word<TAB>lemma`` lines of a UTF-8 file; blank lines and lines starting with ``#`` skipped.

    Raises:
        TextrnnError: the file is missing, not UTF-8, or a line is not two tab-separated words
            (the message names the line).
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise TextrnnError(f"lemma override file {str(p)!r} not found", param="lemma_overrides") from None
    except IsADirectoryError:
        raise TextrnnError(f"lemma override file {str(p)!r} is a directory, expected a TSV file",
                           param="lemma_overrides") from None
    except UnicodeDecodeError:
        raise TextrnnError(f"lemma override file {str(p)!r} is not UTF-8 text", param="lemma_overrides") from None
    out: dict[str, str] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0].split()) != 1 or len(parts[1].split()) != 1:
            raise TextrnnError(f"lemma override file {str(p)!r}, line {n}: {line!r} is invalid; expected "
                               "word<TAB>lemma", param="lemma_overrides")
        out[parts[0].strip()] = parts[1].strip()
    return out
