"""Single-file outputs: written through a temporary file, and without force never over a file that appeared meanwhile."""

import os
import threading

import pytest

from textrnn.errors import TextrnnError
from textrnn.files import atomic_file, atomic_write_text


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "out.txt"
    p.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_file(p) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("killed")
    assert p.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_without_replace_a_file_that_appeared_meanwhile_is_kept(tmp_path):
    p = tmp_path / "out.txt"
    with pytest.raises(TextrnnError, match="already exists .*written while this command ran"):
        with atomic_file(p, replace=False) as tmp:
            tmp.write_text("second", encoding="utf-8")
            p.write_text("first", encoding="utf-8")  # another run finished first
    assert p.read_text(encoding="utf-8") == "first"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_without_replace_a_new_file_is_written_and_with_replace_overwritten(tmp_path):
    p = tmp_path / "out.txt"
    atomic_write_text(p, "a", replace=False)
    assert p.read_text(encoding="utf-8") == "a" and oct(p.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    atomic_write_text(p, "b")
    assert p.read_text(encoding="utf-8") == "b" and os.listdir(tmp_path) == ["out.txt"]


def test_two_writers_of_one_new_file_one_wins(tmp_path):
    p = tmp_path / "out.txt"
    barrier, errors = threading.Barrier(8), []

    def write(i):
        barrier.wait()
        try:
            atomic_write_text(p, f"writer {i}", replace=False)
        except TextrnnError:
            errors.append(i)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 7
    assert p.read_text(encoding="utf-8") == f"writer {({*range(8)} - set(errors)).pop()}"


def test_without_hard_links_the_name_is_claimed_exclusively(tmp_path, monkeypatch):
    p = tmp_path / "out.txt"

    def no_links(*_):
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    atomic_write_text(p, "a", replace=False)
    assert p.read_text(encoding="utf-8") == "a"
    with pytest.raises(TextrnnError, match="already exists"):
        atomic_write_text(p, "b", replace=False)
    assert p.read_text(encoding="utf-8") == "a" and os.listdir(tmp_path) == ["out.txt"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
