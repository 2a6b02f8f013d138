"""Sequence pairs for seq2seq: a ``source<TAB>target`` file read, texts split into units and joined back.

Rows with the same source are alternatives: each is a training pair, and for scoring every
one of them is an accepted answer (a lemma and tags with two correct forms, a sentence with
several reference translations).

Units: ``"char"`` splits a text into characters, except that a ``<...>`` token (no spaces or
angle brackets inside, e.g. ``<NOUN>`` ``<gent>``) is one symbol and the spaces next to it are
dropped — the artificial-token convention of Johnson et al. (2017), "Google's Multilingual Neural
Machine Translation System", used here for grammatical tags; ``"word"`` splits by razdel's tokenizer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from textrnn.errors import TextrnnError

SYMBOL = re.compile(r"\s*(<[^<>\s]+>)\s*")


def split_units(text: str, units: str) -> list[str]:
    """``text`` -> its units (see the module docstring): ``"стол <NOUN> <gent>"`` ->
    ``["с", "т", "о", "л", "<NOUN>", "<gent>"]`` with ``units="char"``.

    Raises:
        TextrnnError: ``units`` is not ``"char"`` or ``"word"``.
    """
    if units == "char":
        out: list[str] = []
        for i, part in enumerate(SYMBOL.split(text)):
            if i % 2:
                out.append(part)
            else:
                out.extend(part)
        return out
    if units == "word":
        from razdel import tokenize

        return [t.text for t in tokenize(text)]
    raise TextrnnError(f"units {units!r} is unknown; expected char or word", param="units")


def join_units(units_: Sequence[str], units: str) -> str:
    """The inverse of :func:`split_units` for outputs: characters concatenated, words joined by spaces."""
    return "".join(units_) if units == "char" else " ".join(units_)


@dataclass
class Pairs:
    """Aligned sources and targets as read (strings), in file order.

    Attributes:
        sources, targets: one string each per row.
        path: the file they came from (for messages), or ``None``.
    """

    sources: list[str]
    targets: list[str]
    path: str | None = None
    lines: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sources)

    def grouped(self) -> tuple[list[str], list[list[str]]]:
        """Distinct sources in first-seen order, each with its accepted targets (rows with that source)."""
        accepted: dict[str, list[str]] = {}
        for s, t in zip(self.sources, self.targets):
            group = accepted.setdefault(s, [])
            if t not in group:
                group.append(t)
        return list(accepted), list(accepted.values())


def read_pairs(path: str | Path, require_targets: bool = True) -> Pairs:
    """Read a UTF-8 ``source<TAB>target`` file (empty lines skipped; a line of only whitespace,
    a third column and beyond are refused).

    Args:
        require_targets: ``False`` reads a file of sources only (one per line, no tab), e.g. for
            translation; then an empty line inside the file is refused too, so that outputs follow the lines.

    Raises:
        TextrnnError: a missing or undecodable file, a line without a tab or of only whitespace,
            an empty source or target, more than two columns, or no pairs — naming the file and line.
    """
    from textrnn.data.text_files import read_text

    path = Path(path)
    text = read_text(path)
    sources, targets, lines = [], [], []
    rows = text.split("\n")
    while rows and not rows[-1].strip("\r"):
        rows.pop()  # the newline(s) at the end of the file
    for n, line in enumerate(rows, 1):
        line = line.rstrip("\r")
        if not line and require_targets:
            continue  # a blank line between groups of pairs
        if not line.strip():
            what = "empty" if not line else "only whitespace"
            raise TextrnnError(f"{str(path)!r} line {n} is {what}; expected "
                               f"{'source<TAB>target' if require_targets else 'one source a line (outputs follow the lines)'}")
        parts = line.split("\t")
        if not require_targets and len(parts) == 1:
            parts = [parts[0], ""]
        if len(parts) != 2:
            what = "no tab" if len(parts) == 1 else f"{len(parts)} tab-separated columns"
            raise TextrnnError(f"{str(path)!r} line {n} has {what}; expected source<TAB>target: {line[:80]!r}")
        source, target = parts[0].strip(), parts[1].strip()
        if not source:
            raise TextrnnError(f"{str(path)!r} line {n} has an empty source; expected source<TAB>target")
        if require_targets and not target:
            raise TextrnnError(f"{str(path)!r} line {n} has an empty target; expected source<TAB>target")
        sources.append(source)
        targets.append(target)
        lines.append(n)
    if not sources:
        raise TextrnnError(f"{str(path)!r} holds no pairs; expected source<TAB>target lines")
    return Pairs(sources, targets, str(path), lines)
