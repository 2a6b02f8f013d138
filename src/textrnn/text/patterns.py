"""Regular expressions of the cleaning steps, the ``<…>`` token placeholders and URL removal."""

from __future__ import annotations

import re

SMILE_TOKEN = "<smile>"
SAD_TOKEN = "<sad>"
NUM_TOKEN = "<num>"
# Internal placeholders: plain lowercase word characters, so they survive every cleaning step
# and every tokenizer as one token; mapped to the ``<…>`` tokens at the end.
_PLACEHOLDERS = {"xxsmilexx": SMILE_TOKEN, "xxsadxx": SAD_TOKEN, "xxnumxx": NUM_TOKEN}
_PH_SMILE = " xxsmilexx "
_PH_SAD = " xxsadxx "
_PH_NUM = " xxnumxx "
# Where a clause ends (see BOUNDARY_RE): a placeholder that negation never joins across, then
# dropped. Its token is NUL, which no text cleaned with punctuation removal holds. A placeholder
# only where the pipeline writes the marks (negation_stops_at_punctuation); a word elsewhere.
BOUNDARY_WORD = "xxbrkxx"
_PH_BOUNDARY = " " + BOUNDARY_WORD + " "
BOUNDARY_TOKEN = "\x00"

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
# PUNCT_RE once "_" is replaced by str.replace, less the hyphens inside words: a "-" between two
# letters belongs to the word («что-то», «из-за», «кое-кого»); dashes between words are punctuation.
_NON_WORD_RE = re.compile(r"[^\w\s-]|(?<![^\W\d_])-|-(?![^\W\d_])")
# The same with every hyphen punctuation (keep_hyphens=False: «что-то» -> что то).
_NON_WORD_ANY_RE = re.compile(r"[^\w\s]")
SPACE_RE = re.compile(r"\s+")
# Clause punctuation: «не» before it is not joined to the next word («Не, ну а что»).
BOUNDARY_RE = re.compile(r"[.,!?;:…—–]|(?<!\w)-|-(?!\w)")
ACCENT_RE = re.compile(r"[\u0300-\u036f]")
DIGITS_RE = re.compile(r"\d+(?:[.,]\d+)*")
CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
LETTER_RE = re.compile(r"[^\W\d_]")
SIMPLE_WORD_RE = re.compile(r"[а-яё]+|[a-z]+", re.IGNORECASE)
REGEX_TOKEN_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:[.,]\d+)*|[^\w\s]")


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
