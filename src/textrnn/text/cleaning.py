"""Steps 1–10 of the pipeline, on characters: one text, or a batch of texts joined by a separator."""

from __future__ import annotations

import html
import math
from typing import Any, Sequence

from textrnn.text.emoticons import _emoticons_to_placeholders, _keep_emoticons, _remove_emoticons, kept_emoticon
from textrnn.text.patterns import (
    _NON_WORD_ANY_RE,
    _NON_WORD_RE,
    _PH_BOUNDARY,
    _PH_NUM,
    BOUNDARY_RE,
    BOUNDARY_TOKEN,
    _SEP,
    ACCENT_RE,
    DIGITS_RE,
    HASHTAG_RE,
    HTML_BLOCK_RE,
    HTML_TAG_RE,
    MENTION_RE,
    SPACE_RE,
    _remove_urls,
)


class CleaningSteps:
    """The character-level steps of :class:`~textrnn.text.pipeline.Preprocessor` (a base class of it).

    The methods read the pipeline's options (``self.strip_html``, ``self.emoticons``, …) and what
    its constructor derives from them: ``_boundaries`` (clause punctuation leaves a mark that
    negation never joins across), ``_whole_emoticons`` (emoticons are kept as tokens of their own)
    and ``_placeholders`` (the internal words mapped to their tokens).
    """

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
        elif self._whole_emoticons:
            text = _keep_emoticons(text)
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
            if self._boundaries:
                text = BOUNDARY_RE.sub(_PH_BOUNDARY, text)
            if "_" in text:
                text = text.replace("_", " ")
            text = (_NON_WORD_RE if self.keep_hyphens else _NON_WORD_ANY_RE).sub(" ", text)
        return text

    def clean(self, text: Any) -> str:
        """Apply the character-level steps (1–10) to one text and return the cleaned string."""
        text = self._clean(text)
        if "xx" in text:
            marks, whole = self._placeholders, self._whole_emoticons
            text = " ".join(marks.get(w) or (whole and kept_emoticon(w)) or w for w in text.split())
            if self._boundaries:
                text = text.replace(BOUNDARY_TOKEN, "")
        return SPACE_RE.sub(" ", text).strip()

    @property
    def _batch_clean_ok(self) -> bool:
        # Emoticon handling that balances brackets works on one text at a time.
        leaves_emoticons = self.emoticons == "keep" and not self.keep_emoticons_whole
        return leaves_emoticons or (self.emoticons == "remove" and self.remove_punctuation)

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
