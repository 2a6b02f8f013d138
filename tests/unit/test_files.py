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


def _model_dir(path, text):
    path.mkdir()
    (path / "config.json").write_text('{"textrnn_version": "0.2.0", "v": "%s"}' % text, encoding="utf-8")


def _replace(path, text, force=True):
    from textrnn.files import atomic_dir

    with atomic_dir(path, force=force) as tmp:
        (tmp / "config.json").write_text('{"textrnn_version": "0.2.0", "v": "%s"}' % text, encoding="utf-8")


def test_replacing_a_model_leaves_no_moment_without_one(tmp_path, monkeypatch):
    import shutil
    import time

    from textrnn import files

    model = tmp_path / "m"
    _model_dir(model, "old")
    slow_rmtree, slow_replace = shutil.rmtree, os.replace

    def rmtree(p, *a, **k):  # widen every window the replacement has
        time.sleep(0.3)
        slow_rmtree(p, *a, **k)

    def replace(a, b):
        time.sleep(0.3)
        slow_replace(a, b)

    monkeypatch.setattr(files.shutil, "rmtree", rmtree)
    monkeypatch.setattr(files.os, "replace", replace)
    missing, done = [], threading.Event()

    def watch():
        while not done.is_set():
            if not (model / "config.json").exists():
                missing.append(time.perf_counter())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        _replace(model, "new")
    finally:
        done.set()
        watcher.join()
    if not _has_renameat2():
        pytest.skip("no renameat2 here: the two-rename fallback has a gap")
    assert missing == []
    assert '"new"' in (model / "config.json").read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["m"]


def _has_renameat2() -> bool:
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").renameat2
    except (OSError, AttributeError):
        return False
    return True


def test_without_an_atomic_swap_the_old_model_is_set_aside_then_replaced(tmp_path, monkeypatch):
    from textrnn import files

    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    model = tmp_path / "m"
    _model_dir(model, "old")
    _replace(model, "new")
    assert '"new"' in (model / "config.json").read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["m"]


def test_directories_left_by_killed_runs_are_removed_and_live_ones_kept(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    for name in (f".m.tmp-{pid}-abc", f".m.old-{pid}", f".m.tmp-{os.getppid()}-live", ".other.tmp-1-x"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.safetensors").write_bytes(b"x")
    _replace(tmp_path / "m", "new", force=False)
    assert sorted(os.listdir(tmp_path)) == sorted(["m", f".m.tmp-{os.getppid()}-live", ".other.tmp-1-x"])


def test_a_device_or_pipe_is_never_replaced_by_a_file(tmp_path):
    from textrnn.files import check_output_file

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(TextrnnError, match="is not a regular file .*leave output out to print"):
        check_output_file(fifo, force=True)
    with pytest.raises(TextrnnError, match="is not a regular file"):
        check_output_file("/dev/null", force=True)
    link = tmp_path / "out"
    link.symlink_to(fifo)
    with pytest.raises(TextrnnError, match="is not a regular file"):
        check_output_file(link, force=True)


def test_an_unwritable_directory_is_named_not_the_temporary_file(tmp_path):
    from textrnn.cli import os_error_line

    with pytest.raises(OSError) as info:
        atomic_write_text("/proc/version", "x")
    assert os_error_line(info.value).startswith("cannot write '/proc/version': ")
