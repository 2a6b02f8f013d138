"""Text preprocessing: raw text -> list of tokens, configured once and stored with the model.

The pipeline's configuration is plain JSON (:meth:`Preprocessor.to_dict`), saved in the
model directory and applied again to raw text at prediction time.
"""

from __future__ import annotations

import re
from typing import Iterable

import razdel

from textrnn.errors import TextrnnError

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"@\w+")
# Everything that is not a letter or a digit: punctuation, emoticon brackets, symbols, emoji.
PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
SPACE_RE = re.compile(r"\s+")


class Preprocessor:
    """Turn raw texts into token lists (scikit-learn contract: ``fit`` / ``transform``).

    Steps, in this order: remove URLs; remove @mentions; lowercase; replace punctuation
    (emoticon brackets included — in RuTweetCorp they leak the label) by spaces;
    collapse whitespace; tokenise with razdel.

    Args:
        lowercase: lower-case the text.
        remove_urls: drop ``http(s)://…`` and ``www.…`` links.
        remove_mentions: drop ``@user`` mentions.
        remove_punctuation: drop every character that is neither a letter, a digit nor space.

    Raises:
        TextrnnError: an unknown option name.
    """

    def __init__(
        self,
        lowercase: bool = True,
        remove_urls: bool = True,
        remove_mentions: bool = True,
        remove_punctuation: bool = True,
    ) -> None:
        self.lowercase = lowercase
        self.remove_urls = remove_urls
        self.remove_mentions = remove_mentions
        self.remove_punctuation = remove_punctuation

    def get_params(self) -> dict:
        return {
            "lowercase": self.lowercase,
            "remove_urls": self.remove_urls,
            "remove_mentions": self.remove_mentions,
            "remove_punctuation": self.remove_punctuation,
        }

    def fit(self, texts: Iterable[str] | None = None, y=None) -> "Preprocessor":
        """Nothing to learn; returns ``self``."""
        return self

    def clean(self, text: str) -> str:
        """Apply the character-level steps to one text and return the cleaned string."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if self.remove_urls:
            text = URL_RE.sub(" ", text)
        if self.remove_mentions:
            text = MENTION_RE.sub(" ", text)
        if self.lowercase:
            text = text.lower()
        if self.remove_punctuation:
            text = PUNCT_RE.sub(" ", text)
        return SPACE_RE.sub(" ", text).strip()

    def tokenize(self, text: str) -> list[str]:
        """Clean one text and split it into tokens (razdel)."""
        return [t.text for t in razdel.tokenize(self.clean(text))]

    def transform(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenise each text. Returns one list of ``str`` tokens per input text."""
        return [self.tokenize(t) for t in texts]

    def fit_transform(self, texts: Iterable[str], y=None) -> list[list[str]]:
        return self.fit(texts).transform(texts)

    def to_dict(self) -> dict:
        """JSON-serialisable configuration; :meth:`from_dict` rebuilds an equal pipeline."""
        return {"type": "Preprocessor", **self.get_params()}

    @classmethod
    def from_dict(cls, data: dict) -> "Preprocessor":
        """Rebuild a pipeline from :meth:`to_dict` output.

        Raises:
            TextrnnError: an option this version does not know.
        """
        params = {k: v for k, v in data.items() if k != "type"}
        known = set(cls().get_params())
        unknown = sorted(set(params) - known)
        if unknown:
            raise TextrnnError(f"unknown preprocessing option(s) {unknown}; expected some of {sorted(known)}")
        return cls(**params)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"Preprocessor({args})"
