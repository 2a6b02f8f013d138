"""The CLI says a library parameter as its flag: ``hidden_size`` -> ``--hidden-size``, ``set force`` -> ``pass --force``."""

import pytest

from textrnn.cli import error_line
from textrnn.cli.options import flag
from textrnn.errors import TextrnnError


@pytest.mark.parametrize("message, param, expected", [
    ("model option hidden_size=0 is invalid", "hidden_size", "model option --hidden-size=0 is invalid"),
    ("output directory 'runs/m' already exists; set force to replace it", "force",
     "output directory 'runs/m' already exists; pass --force to replace it"),
    ("training diverged at step 4 (loss nan); lower the learning rate lr (now 0.1)", "lr",
     "training diverged at step 4 (loss nan); lower the learning rate --lr (now 0.1)"),
    ("vocabulary option max_size=2 is invalid", "max_size", "vocabulary option --max-vocab=2 is invalid"),
    ("model option cell='cnn' is unknown", "cell", "model option --model='cnn' is unknown"),
    ("give validation files (val_paths)", "val_paths", "give validation files (--val)"),
])
def test_the_named_parameter_becomes_its_flag(message, param, expected):
    assert error_line(TextrnnError(message, param=param)) == expected


def test_quoted_values_and_other_words_are_left_alone():
    e = TextrnnError("file 'lr_notes/lr.txt' has lr=3 and learning_rate 2 and clr", param="lr")
    assert error_line(e) == "file 'lr_notes/lr.txt' has --lr=3 and learning_rate 2 and clr"
    assert error_line(TextrnnError("hidden_size=0 is invalid")) == "hidden_size=0 is invalid"  # no param: unchanged


def test_flag_spells_a_parameter_with_dashes():
    assert (flag("hidden_size"), flag("max_size"), flag("subword_buckets")) == ("--hidden-size", "--max-vocab", "--subword-buckets")


def test_double_quoted_values_are_left_alone_too():
    # repr() quotes a string holding an apostrophe with double quotes
    e = TextrnnError('''output directory "force's" already exists; set force to replace it''', param="force")
    assert error_line(e) == '''output directory "force's" already exists; pass --force to replace it'''
    e = TextrnnError('''training option monitor="monitor's" is unknown''', param="monitor")
    assert error_line(e) == '''training option --monitor="monitor's" is unknown'''


def test_os_errors_are_one_line_exit_2(capsys, monkeypatch, tmp_path):
    import errno

    import textrnn.files as files
    from tests.conftest import run_cli

    src = tmp_path / "in.csv"
    src.write_text("text\nпривет мир\n", encoding="utf-8")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out.csv"))

    monkeypatch.setattr(files, "atomic_write_text", full_disk)
    code, out, err = run_cli(capsys, "preprocess", src, "--output", tmp_path / "out.csv")
    assert code == 2
    assert err.strip().splitlines() == [f"textrnn: error: No space left on device: {str(tmp_path / 'out.csv')!r}"]
    assert not (tmp_path / "out.csv").exists()


def test_os_error_line_names_both_files():
    from textrnn.cli import os_error_line

    assert os_error_line(PermissionError(13, "Permission denied", "a.json")) == "Permission denied: 'a.json'"
    assert os_error_line(OSError(18, "Invalid cross-device link", "a", None, "b")) == "Invalid cross-device link: 'a' -> 'b'"
    assert os_error_line(OSError("plain")) == "plain"
