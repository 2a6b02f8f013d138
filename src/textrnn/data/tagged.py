"""Readers of tagged sentences: CoNLL-U (by the ``conllu`` package) and ``token<TAB>tag`` files.

A sentence is a list of tokens and a list of tags of the same length. CoNLL-U
(https://universaldependencies.org/format.html): the tagged column is chosen (``upos``, ``xpos``
or ``feats``); a multiword-token line (``1-2``) is a surface form whose syntactic words are the
lines after it, so the words are tagged and the range line is skipped, as UD specifies; an empty
node (``5.1``) belongs to enhanced dependencies only and is skipped too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textrnn.errors import TextrnnError
from textrnn.files import check_regular_file

COLUMNS = ("upos", "xpos", "feats")
MAX_FILE_BYTES = 4 << 30


@dataclass
class TaggedSentences:
    """Sentences with one tag per token.

    Attributes:
        tokens: one token list per sentence.
        tags: one tag list per sentence (``None`` for unlabelled text), each as long as its tokens.
        source: the file they were read from (for messages), or ``""``.
    """

    tokens: list[list[str]]
    tags: list[list[str]] | None = None
    source: str = ""

    def __len__(self) -> int:
        return len(self.tokens)

    def n_tokens(self) -> int:
        return sum(len(t) for t in self.tokens)


def _read_text(path: Path) -> str:
    check_regular_file(path, MAX_FILE_BYTES, "tagged file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise TextrnnError(f"{str(path)!r} is not UTF-8 (byte {e.start}); expected a UTF-8 text file") from None


def _feats_tag(feats) -> str:
    if not feats:
        return "_"
    return "|".join(f"{k}={v if isinstance(v, str) else ','.join(sorted(v))}" for k, v in sorted(feats.items()))


def read_conllu(path: str | os.PathLike, column: str = "upos", require_tags: bool = True) -> TaggedSentences:
    """Sentences of a CoNLL-U file with the tags of ``column`` (without ``require_tags``, the
    tokens only: a file to be tagged).

    Raises:
        TextrnnError: not a file, not UTF-8, a malformed line (named by its number), an empty
            sentence, a word without a value in ``column`` (``_``), or an unknown ``column``.
    """
    import conllu
    from conllu.exceptions import ParseException

    if column not in COLUMNS:
        raise TextrnnError(f"column {column!r} is unknown; expected one of {', '.join(COLUMNS)}", param="column")
    path = Path(path)
    text = _read_text(path)
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):  # conllu's own errors do not name the line
        if line and not line.startswith("#") and len(line.rstrip("\r").split("\t")) != 10:
            raise TextrnnError(f"{str(path)!r} line {number} is not a CoNLL-U word line: expected 10 tab-separated "
                               f"fields, got {len(line.split(chr(9)))} in {line[:60]!r}")
    try:
        sentences = conllu.parse(text)
    except ParseException as e:
        raise TextrnnError(f"{str(path)!r} is not valid CoNLL-U: {e}") from None
    tokens, tags = [], []
    for index, sentence in enumerate((s for s in sentences if len(s)), 1):  # comment-only blocks are no sentences
        words = [w for w in sentence if isinstance(w["id"], int)]  # ranges (1-2) and empty nodes (5.1) skipped
        if not words:
            raise TextrnnError(f"{str(path)!r} sentence {index} has no words")
        row = []
        for w in words:
            value = _feats_tag(w["feats"]) if column == "feats" else w[column]
            if value in (None, "_") and column != "feats" and require_tags:
                raise TextrnnError(f"{str(path)!r} sentence {index} word {w['id']} ({w['form']!r}) has no {column}")
            row.append(value)
        tokens.append([w["form"] for w in words])
        tags.append(row)
    if not tokens:
        raise TextrnnError(f"{str(path)!r} holds no sentences")
    return TaggedSentences(tokens, tags if require_tags else None, str(path))


def read_tsv(path: str | os.PathLike) -> TaggedSentences:
    """Sentences of a ``token<TAB>tag`` file, a blank line between sentences (CoNLL-2003 style;
    ``-DOCSTART-`` lines are skipped).

    Raises:
        TextrnnError: a line without exactly one tab (named by its number), an empty token or
            tag, or no sentences.
    """
    path = Path(path)
    tokens, tags, row_tokens, row_tags = [], [], [], []
    for number, line in enumerate(_read_text(path).split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            if row_tokens:
                tokens.append(row_tokens)
                tags.append(row_tags)
                row_tokens, row_tags = [], []
            continue
        if line.startswith("-DOCSTART-"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0] or not parts[1].strip():
            raise TextrnnError(f"{str(path)!r} line {number} is not 'token<TAB>tag': {line[:60]!r}")
        row_tokens.append(parts[0])
        row_tags.append(parts[1].strip())
    if row_tokens:
        tokens.append(row_tokens)
        tags.append(row_tags)
    if not tokens:
        raise TextrnnError(f"{str(path)!r} holds no sentences")
    return TaggedSentences(tokens, tags, str(path))


def read_tagged(path: str | os.PathLike, column: str = "upos") -> TaggedSentences:
    """:func:`read_conllu` for ``.conllu`` / ``.conll`` files, else :func:`read_tsv`."""
    if Path(path).suffix.lower() in (".conllu", ".conll"):
        return read_conllu(path, column)
    return read_tsv(path)
