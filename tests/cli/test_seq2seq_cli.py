"""`textrnn seq2seq train | evaluate | translate`: the commands end to end on small files, and their one-line errors."""

import json
import subprocess
import sys

import pytest

from tests.conftest import run_cli, toy_inflection, write_pairs

TINY = ["--epochs", "14", "--hidden-size", "32", "--embedding-dim", "16", "--dropout", "0", "--lr", "0.01",
        "--batch-size", "16", "--patience", "0", "-q"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("s2s")
    sources, targets = toy_inflection(700)
    return write_pairs(root / "train.tsv", sources[:600], targets[:600]), write_pairs(root / "val.tsv", sources[600:], targets[600:]), root


@pytest.fixture(scope="module")
def run(files):
    train, val, root = files
    out = root / "run"
    done = subprocess.run([sys.executable, "-m", "textrnn", "seq2seq", "train", str(train), "--val", str(val), "--out",
                           str(out), *TINY], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"saved {out}  best epoch ")
    return out


def test_evaluate_prints_exact_match_and_json(capsys, run, files):
    code, out, err = run_cli(capsys, "seq2seq", "evaluate", run, files[1], "--beam", "1")
    assert code == 0, err
    assert out.startswith("sources 100 (pairs 100)  greedy  exact match ")
    code, out, _ = run_cli(capsys, "seq2seq", "evaluate", run, files[1], "--json")
    m = json.loads(out)
    assert m["beam"] == 5 and m["accuracy"] >= 0.9 and 0 <= m["cer"] < 0.05


def test_translate_arguments_n_best_and_json(capsys, run):
    code, out, err = run_cli(capsys, "seq2seq", "translate", run, "кот <gent> <plur>", "бирк <datv> <plur>")
    assert code == 0, err
    assert out.splitlines() == ["котов", "биркам"]
    code, out, _ = run_cli(capsys, "seq2seq", "translate", run, "кот <gent> <plur>", "--n-best", "3")
    assert out.split("\t")[0] == "котов" and len(out.strip().split("\t")) == 3
    code, out, _ = run_cli(capsys, "seq2seq", "translate", run, "кот <gent> <plur>", "--json")
    r = json.loads(out)
    assert r["output"] == "котов" and len(r["attention"]) == 5 and len(r["attention"][0]) == 5


def test_translate_file_to_file_and_attention_png(capsys, run, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("кот <gent> <plur>\nпапан <loct> <plur>\tignored target\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    code, _, err = run_cli(capsys, "seq2seq", "translate", run, "--input", src, "--output", out)
    assert code == 0, err
    assert out.read_text(encoding="utf-8").splitlines() == ["котов", "папанах"]
    code, _, err = run_cli(capsys, "seq2seq", "translate", run, "--input", src, "--output", out)
    assert code == 2 and "already exists" in err
    png = tmp_path / "a.png"
    code, _, err = run_cli(capsys, "seq2seq", "translate", run, "кот <gent> <plur>", "--attention-png", png)
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "wrote attention of «кот <gent> <plur>» → «котов»" in err


@pytest.mark.parametrize("args,message", [
    (["translate", "{run}", "a", "b", "--attention-png", "{tmp}/x.png"], "draws one translation; got 2 sources"),
    (["translate", "{run}", "a", "--beam", "2", "--n-best", "3"], "--n-best 3 is more than --beam 2"),
    (["translate", "{run}"], "nothing to translate"),
    (["translate", "{run}", "   "], "text 1 is empty"),
    (["evaluate", "{run}", "{tmp}/bad.tsv"], "line 1 has no tab"),
    (["translate", "{tmp}", "a"], "is not a textrnn model directory"),
    (["train", "{tmp}/bad.tsv", "--out", "{tmp}/new"], "line 1 has no tab"),
    (["train", "{tmp}/good.tsv", "--out", "{tmp}/new", "--attention", "luong"], "'luong'"),
])
def test_errors_are_one_line_exit_2(capsys, run, tmp_path, args, message):
    (tmp_path / "bad.tsv").write_text("кот котов\n", encoding="utf-8")
    (tmp_path / "good.tsv").write_text("кот\tкотов\n", encoding="utf-8")
    args = [a.format(run=run, tmp=tmp_path) for a in args]
    code, out, err = run_cli(capsys, "seq2seq", *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "new").exists()


def test_train_refuses_an_existing_directory_before_work(capsys, run, files):
    code, _, err = run_cli(capsys, "seq2seq", "train", files[0], "--out", run)
    assert code == 2 and "already exists" in err
