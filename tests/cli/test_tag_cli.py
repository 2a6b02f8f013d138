"""`textrnn tag train | evaluate | predict`: the commands end to end on small files, and their one-line errors."""

import json

import pytest

from tests.conftest import ner_sentences, run_cli, write_tagged_tsv

TINY = ["--epochs", "12", "--hidden-size", "16", "--embedding-dim", "16", "--char-hidden", "8", "--num-layers", "1",
        "--dropout", "0", "--embedding-dropout", "0", "--word-dropout", "0", "--lr", "0.01", "--batch-size", "8",
        "--no-morph", "--embeddings", "none", "-q"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("tag")
    sentences, tags = ner_sentences()
    return (write_tagged_tsv(root / "train.tsv", sentences[:-12], tags[:-12]),
            write_tagged_tsv(root / "val.tsv", sentences[-12:], tags[-12:]), root)


@pytest.fixture(scope="module")
def run(files):
    import subprocess
    import sys

    train, val, root = files
    out = root / "run"
    done = subprocess.run([sys.executable, "-m", "textrnn", "tag", "train", str(train), "--val", str(val), "--out",
                           str(out), "--crf", *TINY], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"saved {out}  best epoch ")
    return out


def test_evaluate_prints_entity_scores_and_json(capsys, run, files):
    code, out, err = run_cli(capsys, "tag", "evaluate", run, files[1])
    assert code == 0, err
    assert "entities (strict)" in out and "PER" in out and "LOC" in out
    code, out, _ = run_cli(capsys, "tag", "evaluate", run, files[1], "--json")
    result = json.loads(out)
    assert result["n_sentences"] == 12 and result["entities"]["f1"] >= 0.9


def test_predict_text_shows_tags_and_spans(capsys, run):
    code, out, err = run_cli(capsys, "tag", "predict", run, "Вера Смирнова живёт в Перми.")
    assert code == 0, err
    assert out.splitlines() == ["Вера/B-PER Смирнова/I-PER живёт/O в/O Перми/B-LOC ./O",
                                "  PER «Вера Смирнова» [0:13]", "  LOC «Перми» [22:27]"]


def test_predict_formats(capsys, run, tmp_path):
    src = tmp_path / "texts.txt"
    src.write_text("Вера Смирнова живёт в Перми.\nВчера Орлов приехал в Казани\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "tag", "predict", run, "--input", src, "--output", tmp_path / "out.conllu")
    assert code == 0, err
    conllu = (tmp_path / "out.conllu").read_text(encoding="utf-8")
    assert "# text = Вера Смирнова живёт в Перми." in conllu
    assert "1\tВера\t_\t_\t_\t_\t_\t_\t_\tNE=B-PER|TokenRange=0:4" in conllu
    code, out, _ = run_cli(capsys, "tag", "predict", run, "--input", src, "--format", "json", "--probs")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [e["text"] for e in rows[1]["entities"]] == ["Орлов", "Казани"]
    assert all(0 < t["prob"] <= 1.0 + 1e-6 for t in rows[0]["tokens"])
    code, _, _ = run_cli(capsys, "tag", "predict", run, "--input", src, "--output", tmp_path / "view.html")
    page = (tmp_path / "view.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Вера Смирнова<sub>PER</sub></mark>" in page
    # a CoNLL-U input keeps its own tokens
    code, out, err = run_cli(capsys, "tag", "predict", run, "--input", tmp_path / "out.conllu")
    assert code == 0, err
    assert out.splitlines()[0] == "Вера/B-PER Смирнова/I-PER живёт/O в/O Перми/B-LOC ./O"


def test_pos_tags_from_conllu(capsys, tmp_path):
    sentences, tags = ner_sentences(40)
    pos = [["PROPN" if t != "O" else ("PUNCT" if w in ".," else "X") for w, t in zip(s, row)]
           for s, row in zip(sentences, tags)]
    path = tmp_path / "train.conllu"
    path.write_text("".join("".join(f"{i}\t{w}\t_\t{p}\t_\t_\t0\troot\t_\t_\n" for i, (w, p) in enumerate(zip(s, g), 1))
                            + "\n" for s, g in zip(sentences, pos)), encoding="utf-8")
    code, out, err = run_cli(capsys, "tag", "train", path, "--out", tmp_path / "pos", *TINY)
    assert code == 0, err
    code, out, _ = run_cli(capsys, "tag", "evaluate", tmp_path / "pos", path, "--json")
    result = json.loads(out)
    assert "entities" not in result and result["accuracy"] >= 0.9
    code, out, _ = run_cli(capsys, "tag", "predict", tmp_path / "pos", "--input", path, "--format", "conllu")
    assert "\tPROPN\t" in out and "\tPUNCT\t" in out


@pytest.mark.parametrize("args, message", [
    (["tag", "train", "{train}", "--out", "{run}"], "output directory '{run}' already exists; pass --force to replace it"),
    (["tag", "train", "{bad}", "--out", "{new}"], "line 1 is not 'token<TAB>tag'"),
    (["tag", "train", "{train}", "--out", "{new}", "--hidden-size", "0"], "--hidden-size=0 is invalid"),
    (["tag", "train", "{train}", "--out", "{new}", "--embeddings", "{missing}"], "not found"),
    (["tag", "predict", "{run}"], "nothing to tag: give texts as arguments or --input FILE"),
    (["tag", "predict", "{run}", " "], "text 1 is empty"),
    (["tag", "predict", "{run}", "x", "--batch-size", "0"], "--batch-size must be >= 1, got 0"),
    (["tag", "predict", "{run}", "x", "--probs"], "--probs needs --format json"),
    (["tag", "predict", "{train}", "x"], "is a file, expected a model directory"),
    (["tag", "evaluate", "{run}", "{missing}"], "not found"),
    (["tag", "train", "{train}", "--out", "{new}", "--stopwords"], "--stopwords does not apply to tagging"),
    (["tag", "train", "{train}", "--out", "{new}", "--lemmatize"], "--lemmatize does not apply to tagging"),
])
def test_bad_input_is_one_line_and_exit_code_2(capsys, run, files, tmp_path, args, message):
    train, _, root = files
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    values = {"train": train, "run": run, "bad": bad, "new": tmp_path / "new", "missing": tmp_path / "missing.txt"}
    argv = [a.format(**values) for a in args]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2, (argv, err)
    assert err.count("\n") == 1 and err.startswith("textrnn: error:") and message.format(**values) in err, err
    assert not (tmp_path / "new").exists()


def test_predict_refuses_to_overwrite(capsys, run, tmp_path):
    target = tmp_path / "out.json"
    target.write_text("keep", encoding="utf-8")
    code, _, err = run_cli(capsys, "tag", "predict", run, "Вера", "--output", target)
    assert code == 2 and "--force" in err
    assert target.read_text(encoding="utf-8") == "keep"
