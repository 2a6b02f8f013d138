"""Reading labelled CSV files, with one clear error per kind of bad input."""

from __future__ import annotations

import codecs
import csv
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Sequence

import pandas as pd

from textrnn.errors import TextrnnError

DEFAULT_TEXT_COL = "text"
DEFAULT_LABEL_COLS = ("label", "class")  # "class" is the lecture's name


@dataclass
class LabeledTexts:
    """Texts and their labels as strings, in file order."""

    texts: list[str]
    labels: list[str]
    path: str
    text_col: str
    label_col: str


def _encoding(encoding: str | None) -> str:
    """The codec to open a CSV with: UTF-8 (a byte-order mark skipped) unless ``encoding`` names another.

    Raises:
        TextrnnError: an encoding Python does not know.
    """
    if encoding is None or codecs_name(encoding) == "utf-8":
        return "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise TextrnnError(f"encoding {encoding!r} is unknown; expected a codec name such as utf-8, cp1251, "
                           "utf-16", param="encoding") from None
    return encoding


def codecs_name(encoding: str) -> str | None:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _separator(sep: str | None) -> str:
    """``sep`` as one character (``"\\t"`` and ``"tab"`` mean a tab); ``None`` is a comma.

    Raises:
        TextrnnError: not a single character.
    """
    if sep is None:
        return ","
    sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
    if len(sep) != 1 or sep in "\"\r\n":
        raise TextrnnError(f"separator sep={sep!r} is invalid; expected one character such as ',', ';' or '\\t'",
                           param="sep")
    return sep


def guess_encoding(raw: bytes) -> str | None:
    """The encoding that the start of a file that is not UTF-8 looks like: ``utf-16`` (a byte-order
    mark, or NUL bytes in every other place) or ``cp1251`` (its non-ASCII bytes read as Cyrillic
    letters); ``None`` when neither fits."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if len(raw) >= 4:
        if raw[1::2].count(0) > len(raw) // 4:
            return "utf-16-le"
        if raw[0::2].count(0) > len(raw) // 4:
            return "utf-16-be"
    # Russian in cp1251: the words holding non-ASCII letters are Cyrillic throughout; Latin-1
    # accents read as cp1251 are Cyrillic letters inside Latin words ("café" -> "cafй").
    words = [w for w in _WORD_RE.findall(raw.decode("cp1251", errors="replace")) if not w.isascii()]
    if words and sum(1 for w in words if _CYRILLIC_WORD_RE.fullmatch(w)) >= 0.9 * len(words):
        return "cp1251"
    return None


_WORD_RE = re.compile(r"[^\W\d_]+")
_CYRILLIC_WORD_RE = re.compile(r"[\u0400-\u04ff]+")


def _not_encoded(p: Path, e: UnicodeDecodeError, codec: str) -> TextrnnError:
    name = "UTF-8" if codec == "utf-8-sig" else codec
    message = f"{str(p)!r} is not {name} text (byte {e.start}: {e.reason})"
    with open(p, "rb") as f:
        guess = guess_encoding(f.read(1 << 16))
    if guess and guess != codec:
        return TextrnnError(f"{message}; it looks like {guess}; use encoding {guess}", param="encoding")
    return TextrnnError(f"{message}; re-save it as UTF-8 or name its encoding", param="encoding")


def _check_start(p: Path, codec: str, sep: str) -> None:
    """UTF-16 read as UTF-8 decodes (its ASCII bytes come with NULs), and a header that is one
    name holding ``;`` or tabs is a file with another separator: both are refused here.

    Raises:
        TextrnnError: such a file (the message says the encoding or the separator to use).
    """
    if codec == "utf-8-sig":
        with open(p, "rb") as f:
            raw = f.read(1 << 16)
        if b"\x00" in raw:
            guess = guess_encoding(raw)
            hint = f"it looks like {guess}; use encoding {guess}" if guess else "name its encoding"
            raise TextrnnError(f"{str(p)!r} is not UTF-8 text (it holds NUL bytes); {hint}", param="encoding")
    with open(p, encoding=codec, newline="") as f:
        header = next(csv.reader(f, delimiter=sep), [])
    if len(header) != 1:
        return
    for other in (";", "\t", "|"):
        if other != sep and len([n for n in header[0].split(other) if n.strip()]) >= 2:
            shown = "'\\t'" if other == "\t" else repr(other)
            raise TextrnnError(f"{str(p)!r}: header is {header[0]!r}: use sep {shown}", param="sep")


def read_csv_table(path: str | os.PathLike, keep_blank_lines: bool = False, encoding: str | None = None,
                   sep: str | None = None) -> pd.DataFrame:
    """Read a CSV file with every cell as a string ("" for an empty cell).

    Blank (or whitespace-only) lines are skipped, unless ``keep_blank_lines``: then each one
    inside the table is a row of empty cells (blank lines at the end of the file are still
    dropped), so rows keep their positions.

    Args:
        encoding: the file's text encoding; ``None`` is UTF-8 (with or without a byte-order mark).
        sep: the field separator (one character; ``"\\t"`` is a tab); ``None`` is a comma.

    Raises:
        TextrnnError: the file is missing, a directory, not in ``encoding`` (the message names
            cp1251 or UTF-16 when the file looks like it), empty, not parseable, or one column
            whose header holds another separator (the message names it).
    """
    p = Path(path)
    codec, sep = _encoding(encoding), _separator(sep)
    if not p.exists():
        raise TextrnnError(f"file {str(p)!r} not found")
    if p.is_dir():
        raise TextrnnError(f"{str(p)!r} is a directory, expected a CSV file")
    try:
        _check_start(p, codec, sep)
        with open(p, encoding=codec, newline="") as f, warnings.catch_warnings():
            # index_col=False plus this filter: a first data row with more fields than the header
            # is an error, not silently taken as an index column that shifts every column
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(f, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL, sep=sep,
                             skip_blank_lines=not keep_blank_lines, index_col=False)
    except pd.errors.ParserWarning:
        raise TextrnnError(f"{str(p)!r} is not a valid CSV file: {_first_long_row(p, codec, sep)}") from None
    except UnicodeDecodeError as e:
        raise _not_encoded(p, e, codec) from None
    except UnicodeError as e:  # e.g. UTF-16 without a byte-order mark
        raise TextrnnError(f"{str(p)!r} is not {codec} text ({e})", param="encoding") from None
    except pd.errors.EmptyDataError:
        raise TextrnnError(f"{str(p)!r} is empty, expected a CSV file with a header row") from None
    except pd.errors.ParserError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "parse error"
        raise TextrnnError(f"{str(p)!r} is not a valid CSV file: {first}") from None
    if keep_blank_lines and len(df):
        blank = df.apply(lambda col: col.str.strip() == "").all(axis=1).to_numpy()
        end = len(df)
        while end and blank[end - 1]:
            end -= 1
        df = df.iloc[:end]
    return df


def _first_long_row(path: Path, codec: str, sep: str) -> str:
    """Which line has more fields than the header (for the error message)."""
    with open(path, encoding=codec, newline="") as f:
        reader = csv.reader(f, delimiter=sep)
        header = next(reader, [])
        for row in reader:
            if len(row) > len(header):
                return (f"line {reader.line_num} has {len(row)} fields, the header {len(header)} "
                        f"(quote a text that contains {'commas' if sep == ',' else repr(sep)})")
    return "a row has more fields than the header"


def read_header(path: str | os.PathLike, encoding: str | None = None, sep: str | None = None) -> list[str]:
    """The column names of a CSV file, or ``[]`` when it cannot be read (the full read that
    follows reports why)."""
    try:
        with open(path, encoding=_encoding(encoding), newline="") as f:
            return next(csv.reader(f, delimiter=_separator(sep)), [])
    except (OSError, UnicodeError, csv.Error, TextrnnError):
        return []


def resolve_label_col(df: pd.DataFrame, label_col: str | None, path: str) -> str:
    """The label column: ``label_col`` if given, else ``label``, else ``class``."""
    if label_col is not None:
        if label_col not in df.columns:
            raise TextrnnError(f"{path!r} has no label column {label_col!r}; columns are {list(df.columns)}")
        return label_col
    for name in DEFAULT_LABEL_COLS:
        if name in df.columns:
            return name
    raise TextrnnError(
        f"{path!r} has no label column 'label' or 'class'; columns are {list(df.columns)} (name it with label_col)",
        param="label_col")


def _check_text_col(df: pd.DataFrame, text_col: str, path: str) -> None:
    if text_col not in df.columns:
        raise TextrnnError(f"{path!r} has no text column {text_col!r}; columns are {list(df.columns)} (name it with "
                           f"text_col)", param="text_col")


def _rows_where(mask: pd.Series) -> str:
    """'line 3, line 9, ...' for the first few True rows (line 1 is the header)."""
    rows = [int(i) + 2 for i in mask[mask].index[:5]]
    more = int(mask.sum()) - len(rows)
    text = ", ".join(str(r) for r in rows)
    return text + (f" and {more} more" if more > 0 else "")


def read_texts(path: str | os.PathLike, text_col: str = DEFAULT_TEXT_COL, encoding: str | None = None,
               sep: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV for prediction: the whole table and its text column, one row per line of the
    table (a blank line inside it is an empty text, not skipped: outputs stay row-aligned).
    Empty texts are kept: training leaves them out, prediction gives them the model's answer for
    an empty text (see :mod:`textrnn.data.lengths`).

    Raises:
        TextrnnError: bad file (see :func:`read_csv_table`), no such column, or no rows.
    """
    df = read_csv_table(path, keep_blank_lines=True, encoding=encoding, sep=sep)
    path = str(path)
    _check_text_col(df, text_col, path)
    if len(df) == 0:
        raise TextrnnError(f"{path!r} has a header but no rows")
    return df, df[text_col].tolist()


def read_labeled_csv(
    path: str | os.PathLike, text_col: str = DEFAULT_TEXT_COL, label_col: str | None = None,
    encoding: str | None = None, sep: str | None = None,
) -> LabeledTexts:
    """Read texts and labels from a CSV file.

    Args:
        path: CSV file with a header row.
        text_col: column with the raw texts.
        label_col: column with the labels (any strings or numbers; ``1`` and ``1.0`` are one
            class, see :func:`normalize_labels`); ``None`` means ``label``, falling back to ``class``.
        encoding, sep: the file's encoding and separator (see :func:`read_csv_table`).

    Raises:
        TextrnnError: bad file, missing column (the message lists the columns that
            exist), no rows, or empty labels of non-empty texts (with line numbers).
    """
    df, texts = read_texts(path, text_col, encoding, sep)
    path = str(path)
    label_col = resolve_label_col(df, label_col, path)
    labels = df[label_col].str.strip()
    empty = (labels == "") & (df[text_col].str.strip() != "")  # a blank row is left out by training, no error
    if empty.any():
        raise TextrnnError(f"{path!r} has {int(empty.sum())} empty label(s) in column {label_col!r} (line {_rows_where(empty)})")
    return LabeledTexts(texts=texts, labels=normalize_labels(labels.tolist()), path=path, text_col=text_col,
                        label_col=label_col)


def label_key(label: str) -> str:
    """What a label means: numbers by value (``"1.0"``, ``"01"``, ``"1"`` -> ``"1"``), other labels as written.

    A label column with one blank cell is read by pandas as floats, and a file written from it
    spells the class ``1`` as ``1.0``: both are one class.
    """
    s = label.strip()
    try:
        d = Decimal(s.replace("_", "x"))  # Decimal would read "1_0" as 10
    except InvalidOperation:
        return s
    if not d.is_finite():
        return s
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def normalize_labels(labels: Sequence[str]) -> list[str]:
    """``labels`` with the spellings of one number made one: each class is spelled as the file
    spells it most often (the first such spelling on a tie), so predictions come back in that spelling."""
    labels = [str(y) for y in labels]
    counts: dict[str, Counter] = {}
    for y in labels:
        counts.setdefault(label_key(y), Counter())[y] += 1
    if all(len(c) == 1 for c in counts.values()):
        return labels
    spelling = {key: c.most_common(1)[0][0] for key, c in counts.items()}
    return [spelling[label_key(y)] for y in labels]


def label_positions(labels: Sequence[str], names: Sequence[str], what: str = "labels") -> list[int]:
    """Index in ``names`` of each label, matching numbers by value (``"1"`` finds ``"1.0"``).

    Raises:
        TextrnnError: a label that is not in ``names`` (the message lists a few, and ``names``).
    """
    index = {name: i for i, name in enumerate(names)}
    by_key = {label_key(name): i for i, name in enumerate(names)}
    out, unknown = [], set()
    for y in labels:
        i = index.get(y)
        if i is None:
            i = by_key.get(label_key(str(y)))
            if i is None:
                unknown.add(str(y))
                continue
        out.append(i)
    if unknown:
        if what == "labels":
            raise TextrnnError(f"labels {sorted(unknown)[:10]} are not known to the model (labels: {list(names)})")
        raise TextrnnError(f"{what} {sorted(unknown)[:10]} do not occur in the training data (labels: {list(names)})")
    return out


def check_label_sets(train_labels: Sequence[str], val_labels: Sequence[str] | None = None) -> list[str]:
    """The sorted class names of ``train_labels`` (:func:`normalize_labels`, then :func:`sorted_labels`).

    Raises:
        TextrnnError: a single class, or validation labels that training lacks.
    """
    names = sorted_labels(normalize_labels(train_labels))
    if len(names) < 2:
        raise TextrnnError(f"the training data has a single class {names!r}; a classifier needs at least 2 labels")
    if val_labels is not None:
        label_positions([str(y) for y in val_labels], names, what="validation labels")
    return names


def sorted_labels(labels: list[str]) -> list[str]:
    """Distinct labels in a stable order: numeric order if all are numbers, else alphabetical."""
    distinct = set(labels)
    values = {}
    for s in distinct:
        try:
            d = Decimal(label_key(s))
        except InvalidOperation:
            return sorted(distinct)
        if not d.is_finite():
            return sorted(distinct)
        values[s] = d
    return sorted(distinct, key=lambda s: (values[s], s))
