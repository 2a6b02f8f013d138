"""Emoticon and emoji detection, and the rules that tell an emoticon bracket from a parenthesis."""

from __future__ import annotations

import re

from textrnn.text.patterns import _PH_SAD, _PH_SMILE

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


# One emoji for emoticons="keep": a flag (two regional indicators) or a pictograph with its skin
# tone, variation selector and zero-width-joined parts.
_PICTO = "\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF"
_ONE_EMOJI = (
    "[\U0001F1E6-\U0001F1FF]{2}|[" + _PICTO + "](?:[\U0001F3FB-\U0001F3FF\uFE0E\uFE0F]|\u200D[" + _PICTO + "])*"
)
_KEEP_RE = re.compile(_SMILE_RE.pattern + "|" + _SAD_RE.pattern + "|" + _ONE_EMOJI)
# A kept emoticon travels through the cleaning steps as a placeholder word of letters: "xxemo",
# each character's code point as six hex digits written with the letters a-p, "xx".
_KEEP_PREFIX = "xxemo"
_HEX_TO_LETTER = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
_LETTER_TO_HEX = str.maketrans("abcdefghijklmnop", "0123456789abcdef")
_KEPT_RE = re.compile(r"xxemo((?:[a-p]{6})+)xx")


def _encode_kept(emoticon: str) -> str:
    return " " + _KEEP_PREFIX + "".join(f"{ord(c):06x}" for c in emoticon).translate(_HEX_TO_LETTER) + "xx "


def kept_emoticon(word: str) -> str | None:
    """The emoticon a placeholder word of :func:`_keep_emoticons` stands for, or ``None``."""
    m = _KEPT_RE.fullmatch(word)
    if m is None:
        return None
    digits = m.group(1).translate(_LETTER_TO_HEX)
    try:
        return "".join(chr(int(digits[i : i + 6], 16)) for i in range(0, len(digits), 6))
    except ValueError:  # beyond U+10FFFF: a word that merely looks like a placeholder
        return None


def _keep_emoticons(text: str) -> str:
    """Each emoticon and emoji -> a placeholder word (spaced, so never glued to a word)."""
    if text.isascii() and not any(c in text for c in ":;=()[]^<T8xх"):
        return text
    text = _KEEP_RE.sub(lambda m: _encode_kept(m.group()), text)
    if "(" in text or ")" in text:
        text = _single_brackets(text, _encode_kept(")"), _encode_kept("("))
    return text


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
