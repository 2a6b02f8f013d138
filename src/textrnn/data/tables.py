"""Reading labelled CSV files, with one clear error per kind of bad input."""

from __future__ import annotations

import csv
import os
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


def read_csv_table(path: str | os.PathLike, keep_blank_lines: bool = False) -> pd.DataFrame:
    """Read a UTF-8 CSV file with every cell as a string ("" for an empty cell).

    Blank (or whitespace-only) lines are skipped, unless ``keep_blank_lines``: then each one
    inside the table is a row of empty cells (blank lines at the end of the file are still
    dropped), so rows keep their positions.

    Raises:
        TextrnnError: the file is missing, a directory, not UTF-8, empty, or not parseable.
    """
    p = Path(path)
    if not p.exists():
        raise TextrnnError(f"file {str(p)!r} not found")
    if p.is_dir():
        raise TextrnnError(f"{str(p)!r} is a directory, expected a CSV file")
    try:
        with open(p, encoding="utf-8-sig", newline="") as f, warnings.catch_warnings():
            # index_col=False plus this filter: a first data row with more fields than the header
            # is an error, not silently taken as an index column that shifts every column
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(f, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL,
                             skip_blank_lines=not keep_blank_lines, index_col=False)
    except pd.errors.ParserWarning:
        raise TextrnnError(f"{str(p)!r} is not a valid CSV file: {_first_long_row(p)}") from None
    except UnicodeDecodeError as e:
        raise TextrnnError(f"{str(p)!r} is not UTF-8 text (byte {e.start}: {e.reason}); re-save it as UTF-8") from None
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


def _first_long_row(path: Path) -> str:
    """Which line has more fields than the header (for the error message)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        for row in reader:
            if len(row) > len(header):
                return (f"line {reader.line_num} has {len(row)} fields, the header {len(header)} "
                        f"(quote a text that contains commas)")
    return "a row has more fields than the header"


def read_header(path: str | os.PathLike) -> list[str]:
    """The column names of a CSV file, or ``[]`` when it cannot be read (the full read that
    follows reports why)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error):
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


def read_texts(path: str | os.PathLike, text_col: str = DEFAULT_TEXT_COL) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV for prediction: the whole table and its text column, one row per line of the
    table (a blank line inside it is an empty text, not skipped: outputs stay row-aligned).

    Raises:
        TextrnnError: bad file (see :func:`read_csv_table`), no such column, no rows,
            or empty texts (the message gives their line numbers).
    """
    df = read_csv_table(path, keep_blank_lines=True)
    path = str(path)
    _check_text_col(df, text_col, path)
    if len(df) == 0:
        raise TextrnnError(f"{path!r} has a header but no rows")
    empty = df[text_col].str.strip() == ""
    if empty.any():
        raise TextrnnError(f"{path!r} has {int(empty.sum())} empty text(s) in column {text_col!r} (line {_rows_where(empty)})")
    return df, df[text_col].tolist()


def read_labeled_csv(
    path: str | os.PathLike, text_col: str = DEFAULT_TEXT_COL, label_col: str | None = None
) -> LabeledTexts:
    """Read texts and labels from a CSV file.

    Args:
        path: CSV file, UTF-8, with a header row.
        text_col: column with the raw texts.
        label_col: column with the labels (any strings or numbers; ``1`` and ``1.0`` are one
            class, see :func:`normalize_labels`); ``None`` means ``label``, falling back to ``class``.

    Raises:
        TextrnnError: bad file, missing column (the message lists the columns that
            exist), no rows, empty texts or empty labels (with line numbers).
    """
    df, texts = read_texts(path, text_col)
    path = str(path)
    label_col = resolve_label_col(df, label_col, path)
    labels = df[label_col].str.strip()
    empty = labels == ""
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
