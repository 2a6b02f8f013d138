"""Reading a language model's UTF-8 text files: one clear error per kind of bad file."""

import pytest

from textrnn.data.text_files import read_text, read_texts, split_lines
from textrnn.errors import TextrnnError


@pytest.mark.parametrize("name, content, message", [
    ("missing.txt", None, "text file '.*missing.txt' not found"),
    ("empty.txt", b"", "is empty, expected UTF-8 text"),
    ("blank.txt", b" \n\n", "is empty, expected UTF-8 text"),
    ("bin.dat", bytes(range(256)), "contains NUL bytes: it looks binary"),
    ("cp1251.txt", "привет".encode("cp1251"), r"is not valid UTF-8 \(bad byte at offset 0\)"),
])
def test_a_bad_text_file_is_one_error_naming_it(tmp_path, name, content, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(TextrnnError, match=message):
        read_text(tmp_path / name)


def test_a_directory_is_not_a_text_file(tmp_path):
    with pytest.raises(TextrnnError, match="is a directory, expected a UTF-8 text file"):
        read_text(tmp_path)


def test_files_are_joined_by_a_newline_and_lose_their_byte_order_mark(tmp_path):
    (tmp_path / "a.txt").write_bytes("\ufeffab".encode("utf-8"))
    (tmp_path / "b.txt").write_text("cd\n", encoding="utf-8")
    assert read_texts([tmp_path / "a.txt", tmp_path / "b.txt"]) == "ab\ncd\n"
    with pytest.raises(TextrnnError, match="no text file given"):
        read_texts([])


def test_split_lines_keeps_non_empty_lines_without_carriage_returns():
    assert split_lines("ab\n\nabc\r\n \n") == ["ab", "abc", " "]
