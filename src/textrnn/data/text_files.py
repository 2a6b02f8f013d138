"""Reading UTF-8 text files (a language model's corpus): one clear error per kind of bad file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from textrnn.errors import TextrnnError


def read_text(path: str | os.PathLike) -> str:
    """Read a UTF-8 text file (a leading byte-order mark is dropped).

    Raises:
        TextrnnError: the file is missing, is a directory, is empty, contains NUL bytes
            (binary), or is not valid UTF-8.
    """
    p = Path(path)
    if not p.exists():
        raise TextrnnError(f"text file {str(p)!r} not found")
    if p.is_dir():
        raise TextrnnError(f"{str(p)!r} is a directory, expected a UTF-8 text file")
    data = p.read_bytes()
    if not data.strip():
        raise TextrnnError(f"text file {str(p)!r} is empty, expected UTF-8 text")
    if b"\x00" in data:
        raise TextrnnError(f"{str(p)!r} contains NUL bytes: it looks binary, expected a UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TextrnnError(
            f"{str(p)!r} is not valid UTF-8 (bad byte at offset {e.start}), expected a UTF-8 text file"
        ) from None
    return text.removeprefix("\ufeff")


def read_texts(paths: Sequence[str | os.PathLike]) -> str:
    """Read and concatenate several UTF-8 files (a newline is added between files when missing).

    Raises:
        TextrnnError: no paths, or any file fails :func:`read_text`.
    """
    if not paths:
        raise TextrnnError("no text file given")
    parts = []
    for p in paths:
        t = read_text(p)
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        parts.append(t)
    return "".join(parts)


def split_lines(text: str) -> list[str]:
    """The non-empty lines of ``text`` (trailing ``\\r`` removed), for line mode."""
    return [ln.rstrip("\r") for ln in text.split("\n") if ln.rstrip("\r")]
