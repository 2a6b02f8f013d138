"""``textrnn train / evaluate / predict / explain``: the model directory, CSV in and out, and one clear error per bad input."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from sklearn.metrics import f1_score

from tests.conftest import run_cli, write_csv

FAST = ["--epochs", "2", "--embedding-dim", "16", "--hidden-size", "16", "--batch-size", "16", "--quiet"]


run = run_cli


@pytest.fixture()
def trained(tmp_path, tiny_csvs, capsys):
    """A model trained by `textrnn train` (tests that only read a model use conftest's tiny_run_dir)."""
    train, val = tiny_csvs
    code, out, err = run(capsys, "train", train, "--val", val, "--out", tmp_path / "run", *FAST)
    assert code == 0, err
    return tmp_path / "run"


def test_train_writes_the_model_directory_with_plots_and_history(trained):
    names = sorted(p.name for p in trained.iterdir())
    assert names == sorted(["confusion_matrix.png", "config.json", "curves.png", "history.csv", "labels.json", "metrics.json",
                            "model.safetensors", "vocab.json"])
    assert (trained / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    config = json.loads((trained / "config.json").read_text())
    assert config["kind"] == "classifier" and config["format_version"] == 2 and "textrnn_version" in config
    assert config["model"]["cell"] == "gru" and config["preprocessing"]["lowercase"] is True
    assert json.loads((trained / "labels.json").read_text())["labels"] == ["negative", "positive"]
    history = pd.read_csv(trained / "history.csv")
    assert list(history.epoch) == [1, 2] and history.train_loss.notna().all()
    assert not list(trained.parent.glob(".run.tmp-*"))


def test_evaluate_scores_what_predict_predicts(trained, tiny_csvs, tmp_path, capsys):
    _, val = tiny_csvs
    code, out, _ = run(capsys, "evaluate", trained, val, "--json")
    result = json.loads(out)
    assert code == 0 and result["n"] == 40
    assert set(result) == {"accuracy", "macro_f1", "n", "per_class", "confusion_matrix", "seconds"}
    code, out, _ = run(capsys, "predict", trained, "Отличный фильм", "Ужасный сервис", "--json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and [x["text"] for x in lines] == ["Отличный фильм", "Ужасный сервис"]
    for x in lines:
        assert x["label"] in ("negative", "positive")
        assert sum(x["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    out_csv = tmp_path / "pred.csv"
    code, _, _ = run(capsys, "predict", trained, "--input", val, "--output", out_csv)
    pred = pd.read_csv(out_csv)
    assert code == 0 and len(pred) == 40
    assert list(pred.columns) == ["text", "label", "label_pred", "p_negative", "p_positive"]
    assert ((pred.p_negative + pred.p_positive - 1).abs() < 1e-4).all()
    # evaluate scores exactly the labels predict gives
    assert result["accuracy"] == pytest.approx((pred.label_pred == pred.label).mean())
    assert result["macro_f1"] == pytest.approx(f1_score(pred.label, pred.label_pred, average="macro", zero_division=0))
    cm = result["confusion_matrix"]
    assert cm[0][1] == ((pred.label == "negative") & (pred.label_pred == "positive")).sum()
    code, _, err = run(capsys, "predict", trained, "--input", val, "--output", out_csv)
    assert code == 2 and "already exists; pass --force to replace it" in err


def test_force_replaces_only_what_textrnn_wrote(tiny_csvs, tmp_path, capsys):
    train, val = tiny_csvs
    project = tmp_path / "project"  # somebody's directory that happens to have a config.json
    (project / "src").mkdir(parents=True)
    (project / "config.json").write_text('{"name": "app"}')
    (project / "src" / "main.py").write_text("print(1)")
    code, _, err = run(capsys, "train", train, "--val", val, "--out", project, "--force", *FAST)
    assert code == 2 and "is a non-empty directory that is not a textrnn model" in err
    assert (project / "src" / "main.py").read_text() == "print(1)"
    afile = tmp_path / "afile"
    afile.write_text("x")
    for args in (["train", train, "--out", afile / "sub", *FAST], ["preprocess", train, "--output", afile / "p.csv"],
                 ["lm", "train", train, "--out", afile / "lm"]):
        code, _, err = run(capsys, *args)
        assert code == 2 and "is a file, so" in err and err.count("\n") == 1, err


def test_outputs_get_the_usual_permissions(trained, tiny_csvs, tmp_path, capsys):
    # temporary files and directories are created private (0600 / 0700); what is renamed into
    # place must get what a plain open / mkdir would give: 0666 / 0777 less the umask
    import os

    mask = os.umask(0o022)
    try:
        _, val = tiny_csvs
        code, _, err = run(capsys, "predict", trained, "--input", val, "--output", tmp_path / "p.csv")
        assert code == 0, err
        code, _, err = run(capsys, "train", val, "--out", tmp_path / "m", *FAST)
        assert code == 0, err
    finally:
        os.umask(mask)
    assert (tmp_path / "p.csv").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o755


def test_predict_output_never_overwrites_input_columns(tiny_run_dir, tiny_csvs, tmp_path, capsys):
    _, val = tiny_csvs
    code, _, err = run(capsys, "predict", tiny_run_dir, "--input", val, "--output", tmp_path / "p.csv")
    assert code == 0, err
    # predicting on its own output would overwrite label_pred and p_<label>: refused, nothing written
    code, _, err = run(capsys, "predict", tiny_run_dir, "--input", tmp_path / "p.csv", "--output", tmp_path / "q.csv")
    assert code == 2 and "already has column(s) ['label_pred', 'p_negative', 'p_positive']" in err
    assert not (tmp_path / "q.csv").exists()
    code, _, err = run(capsys, "preprocess", tmp_path / "p.csv", "--output", tmp_path / "t.csv")
    assert code == 0, err
    code, _, err = run(capsys, "preprocess", tmp_path / "t.csv", "--output", tmp_path / "t2.csv")
    assert code == 2 and "already has a 'tokens' column" in err


def test_predict_input_keeps_every_row(tiny_run_dir, tmp_path, capsys):
    # a blank or whitespace-only line inside the table is an empty text (predicted, with a warning),
    # never silently dropped, which would shift the output rows; blank lines at the end are dropped
    inner = tmp_path / "inner.csv"
    inner.write_text("text\nхороший фильм\n   \nплохой фильм\n", encoding="utf-8")
    code, out, err = run(capsys, "predict", tiny_run_dir, "--input", inner, "--json")
    assert code == 0, err
    assert [json.loads(x)["text"] for x in out.splitlines()] == ["хороший фильм", "   ", "плохой фильм"]
    assert err == ("warning: text 2 is empty after preprocessing; its label is the model's answer for an empty "
                   "text\n")
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("text\nхороший фильм\nплохой фильм\n\n  \n", encoding="utf-8")
    code, out, err = run(capsys, "predict", tiny_run_dir, "--input", trailing, "--json")
    assert code == 0, err
    assert [json.loads(x)["text"] for x in out.splitlines()] == ["хороший фильм", "плохой фильм"]


def test_label_column_falls_back_to_class(tmp_path, demo_rows, capsys):
    train = write_csv(tmp_path / "t.csv", demo_rows[:80], header=("text", "class"))
    code, _, err = run(capsys, "train", train, "--out", tmp_path / "run", *FAST)
    assert code == 0, err
    assert json.loads((tmp_path / "run" / "config.json").read_text())["data"]["label_col"] == "class"


def test_second_training_on_the_same_files_skips_preprocessing(tmp_path, tiny_csvs, capsys):
    train, val = tiny_csvs
    verbose = [a for a in FAST if a != "--quiet"]
    code, _, err = run(capsys, "train", train, "--val", val, "--out", tmp_path / "a", "--stem", *verbose)
    assert code == 0 and "cache" not in err
    code, _, err = run(capsys, "train", train, "--val", val, "--out", tmp_path / "b", "--stem", *verbose)
    assert code == 0 and err.count("skipping preprocessing") == 2  # train and validation files
    code, _, err = run(capsys, "train", train, "--val", val, "--out", tmp_path / "c", "--stem", *FAST)
    assert code == 0 and err == ""  # --quiet: no cache notice either
    config = json.loads((tmp_path / "b" / "config.json").read_text())
    assert config["preprocessing"]["stem"] is True


def test_existing_run_dir_needs_force(trained, tiny_csvs, capsys):
    train, val = tiny_csvs
    before = (trained / "model.safetensors").read_bytes()
    code, _, err = run(capsys, "train", train, "--val", val, "--out", trained, *FAST)
    assert code == 2 and "already exists" in err
    assert (trained / "model.safetensors").read_bytes() == before
    code, _, err = run(capsys, "train", train, "--val", val, "--out", trained, "--seed", "5", *FAST, "--force")
    assert code == 0, err
    assert (trained / "model.safetensors").read_bytes() != before


def bad_files(tmp_path, demo_rows):
    """name -> (train file, expected fragment of the one-line error)."""
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("text,label\n".encode() + "caf\xe9 tr\xe8s bien,1\n".encode("latin-1"))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = write_csv(tmp_path / "header.csv", [])
    one_class = write_csv(tmp_path / "one.csv", [(t, "positive") for t, _ in demo_rows[:20]])
    nan_label = write_csv(tmp_path / "nan.csv", [("хорошо", "1"), ("плохо", ""), ("", ""), ("плохо", "0")])
    no_label = write_csv(tmp_path / "nolabel.csv", [("a", "1")], header=("text", "sentiment"))
    no_text = write_csv(tmp_path / "notext.csv", [("a", "1")], header=("review", "label"))
    comma = tmp_path / "comma.csv"  # an unquoted comma in the first text: pandas would shift the columns
    comma.write_text("text,label\nПривет, мир,1\nпока,0\nхорошо,1\n", encoding="utf-8")
    return {
        "missing": (tmp_path / "nope.csv", "not found"),
        "not utf-8": (latin1, "is not UTF-8"),
        "empty": (empty, "is empty"),
        "header only": (header_only, "no rows"),
        "one class": (one_class, "single class"),
        "empty label": (nan_label, "1 empty label(s) in column 'label' (line 3)"),
        "no label column": (no_label, "no label column 'label' or 'class'; columns are ['text', 'sentiment']"),
        "no text column": (no_text, "no text column 'text'; columns are ['review', 'label']"),
        "extra field": (comma, "is not a valid CSV file: line 2 has 3 fields, the header 2 (quote a text that contains commas)"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "not utf-8", "empty", "header only", "one class", "empty label", "no label column", "no text column",
             "extra field"]
)
def test_bad_training_input_is_one_line_exit_2_and_no_run_dir(case, tmp_path, demo_rows, capsys):
    path, fragment = bad_files(tmp_path, demo_rows)[case]
    code, _, err = run(capsys, "train", path, "--out", tmp_path / "run", *FAST)
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "run").exists() and not list(tmp_path.glob(".run*"))


def test_outputs_that_would_lose_data_are_refused(tiny_run_dir, tiny_csvs, tmp_path, capsys, monkeypatch):
    train, val = tiny_csvs
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    emoji = write_csv(tmp_path / "emoji.csv", [(":))) http://t.co/x", "1"), ("(((", "0")] * 10)
    monkeypatch.chdir(tmp_path)
    for args, fragment in [
        (["train", train, "--out", precious, "--force"], "not a textrnn model; refusing to replace it"),
        (["train", train, "--out", ".", "--force"], "is the current directory or above it"),
        (["train", emoji, "--out", tmp_path / "e"], "all 20 training texts are empty after preprocessing"),
        (["predict", tiny_run_dir, "--input", val, "--output", tmp_path / "no" / "dir" / "p.csv"], "directory of --output"),
        (["predict", tiny_run_dir, "--input", val, "--output", precious, "--force"], "is a directory, expected a file path"),
        (["explain", tiny_run_dir, "хорошо", "--html", tmp_path / "no" / "e.html"], "directory of --html"),
        (["explain", tiny_run_dir, "хорошо", "--png", tmp_path / "w.txt"], "expected a file name ending in .png"),
        (["explain", tiny_run_dir, "хорошо", "--html", tmp_path / "w.svg", "--png", tmp_path / "w.svg"], "are the same file"),
        (["evaluate", val, val], "is a file, expected a model directory"),
    ]:
        code, _, err = run(capsys, *args)
        assert code == 2 and fragment in err, (args, err)
        assert err.count("\n") == 1
    assert (precious / "thesis.txt").read_text() == "keep me"
    assert not list(tmp_path.glob(".*tmp-*")) and not (tmp_path / "e").exists() and not list(tmp_path.glob("w.*"))


def test_a_damaged_model_directory_is_one_line_naming_the_file(tiny_run_dir, tmp_path, capsys):
    import shutil

    for name, damage, fragment in [
        ("nomodel", lambda d: (d / "config.json").write_text(json.dumps(
            {k: v for k, v in json.loads((d / "config.json").read_text()).items() if k != "model"})),
         "nomodel' has a damaged config.json: 'model' must be an object, got NoneType"),
        ("labels", lambda d: (d / "labels.json").write_text('{"labels": ["a", "b", "c"]}'), "has 3 labels but the model has 1 output"),
        ("weights", lambda d: (d / "model.safetensors").write_bytes(b"\x00" * 10), "model.safetensors' is not a valid safetensors file"),
        ("labels string", lambda d: (d / "labels.json").write_text('{"labels": "ab"}'), "labels.json' is damaged"),
        ("format", lambda d: (d / "config.json").write_text(json.dumps(
            {**json.loads((d / "config.json").read_text()), "format_version": "x"})), "format_version 'x', expected an integer"),
        ("model type", lambda d: (d / "config.json").write_text(json.dumps(
            {**json.loads((d / "config.json").read_text()), "model_type": ["x"]})), "model_type ['x'], expected a string"),
    ]:
        broken = tmp_path / name
        shutil.copytree(tiny_run_dir, broken)
        damage(broken)
        code, _, err = run(capsys, "predict", broken, "текст")
        assert code == 2 and fragment in err and err.count("\n") == 1 and "Traceback" not in err, (name, err)


def test_a_bad_model_directory_or_option_value_is_one_error_naming_the_flag(tmp_path, tiny_csvs, capsys):
    train, val = tiny_csvs
    (tmp_path / "notamodel").mkdir()
    for args, fragment in [
        (["evaluate", tmp_path / "notamodel", val], "is not a textrnn model directory"),
        (["predict", tmp_path / "missing", "текст"], "does not exist"),
        (["train", train, "--out", tmp_path / "r", "--dropout", "1.5"],
         "model option --dropout=1.5 is invalid; expected a number in [0.0, 1.0)"),
        (["train", train, "--out", tmp_path / "r", "--epochs", "0"],
         "training option --epochs=0 is invalid; expected an integer [1, 1000000]"),
        (["train", train, "--out", tmp_path / "r", "--lr", "-1"], "training option --lr=-1.0 is invalid; expected a number in (0.0, 1000.0]"),
        (["train", train, "--out", tmp_path / "r", "--max-vocab", "2"], "vocabulary option --max-vocab=2 is invalid; expected an integer [3, "),
        (["train", train, "--out", tmp_path / "r", "--min-freq", "1000"],
         "the vocabulary is empty: no token occurs --min-freq=1000 or more times"),
    ]:
        code, _, err = run(capsys, *args)
        assert code == 2 and fragment in err, (args, err)
        assert "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_console_script_exit_code_and_stderr(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "textrnn.cli", "evaluate", str(tmp_path / "nothing"), str(tmp_path / "x.csv")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("textrnn: error: model directory") and "Traceback" not in proc.stderr


def test_version_prints_the_package_version(capsys):
    import textrnn

    code, out, err = run(capsys, "--version")
    assert (code, out, err) == (0, f"textrnn {textrnn.__version__}\n", "")
    proc = subprocess.run([sys.executable, "-m", "textrnn", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == f"textrnn {textrnn.__version__}\n"


def test_usage_errors_are_one_line_naming_the_option(capsys, tiny_csvs, tmp_path):
    train, _ = tiny_csvs
    for args, fragment in [
        (["train", train, "--out", tmp_path / "r", "--pooling", "median"], "'median' is not one of 'last', 'mean', 'max', 'attention'"),
        (["train", train, "--out", tmp_path / "r", "--epochs", "abc"], "Invalid value for '--epochs': 'abc':"),
        (["train", train, "--out", tmp_path / "r", "--lr=fast"], "Invalid value for '--lr': 'fast':"),
        (["train", train, "--out", tmp_path / "r", "--epochs", "3", "--epochs", "abc"], "Invalid value for '--epochs': 'abc':"),
        (["train", train, "--out", tmp_path / "r", "--model", "tfidf-lr", "--embedding-dropout", "1.5"],
         "model option --embedding-dropout=1.5 is invalid; expected a number in [0.0, 1.0)"),
        (["train", train, "--out", tmp_path / "r", "--subword-buckets", "99999999999"],
         "model option --subword-buckets=99999999999 is invalid; expected an integer [0, 10000000]"),
        (["train", train, "--out", tmp_path / "r", "--clip-grad-norm", "-1"],
         "--clip-grad-norm must be a finite number >= 0 (0 = no clipping), got -1.0"),
        (["train", train, "--out", tmp_path / "r", "--clip-grad-norm", "inf"],
         "--clip-grad-norm must be a finite number >= 0 (0 = no clipping), got inf"),
        (["lm", "train", train, "--out", tmp_path / "r", "--clip", "nan"],
         "--clip-grad-norm must be a finite number >= 0 (0 = no clipping), got nan"),
        (["train", train, "--out", tmp_path / "r", "--model", "tfidf-lr", "--device", "mps"], "unknown device 'mps'"),
        (["train", train, "--out", tmp_path / "r", "--model", "tfidf-lr", "--epochs", "0"],
         "training option --epochs=0 is invalid; expected an integer [1, 1000000]"),
        (["train", train, "--out", tmp_path / "r", "--device", "cpu:1"], "unknown device 'cpu:1'; expected auto, cpu"),
        (["train", train, "--out", tmp_path / "r", "--freeze-embeddings"],
         "--freeze-embeddings needs embeddings: there are no pretrained vectors to freeze"),
        (["train", train, "--out", tmp_path / "r", "--embeddings", tmp_path / "none.vec"], "none.vec' not found"),
        (["train", train, "--out", tmp_path / "r", "--seed", "-1"],
         "option --seed=-1 is invalid; expected an integer [0, 4294967295]"),
        (["train", train, "--out", tmp_path / "r", "--model", "tfidf-lr", "--seed", "99999999999999999999"],
         "--seed=99999999999999999999 is invalid; expected an integer [0, 4294967295]"),
        (["lm", "train", train, "--out", tmp_path / "r", "--seed", "-1"], "--seed=-1 is invalid; expected an integer [0, 4294967295]"),
        (["lm", "train", train, "--out", tmp_path / "r", "--hidden-size", "0"],
         "model option --hidden-size=0 is invalid; expected an integer [1, 8192]"),
        (["lm", "train", train, "--out", tmp_path / "r", "--time-budget", "0"], "training option --time-budget=0.0 is invalid"),
        (["lm", "train", train, "--out", tmp_path / "r", "--model", "cnn"], "model option --model='cnn' is unknown; expected one of rnn, lstm, gru"),
        (["lm", "train", train, "--out", tmp_path / "r", "--tie-weights"],
         "--tie-weights needs embedding_dim == hidden_size, got 64 and 256"),
        (["lm", "train", train, "--out", tmp_path / "r", "--dropout", "zz"], "Invalid value for '--dropout': 'zz':"),
        (["nosuchcommand"], "No such command 'nosuchcommand'"),
    ]:
        code, _, err = run(capsys, *args)
        assert code == 2 and fragment in err and err.count("\n") == 1, (args, err)
        assert err.startswith("textrnn: error: ")


@pytest.mark.parametrize("extra,lemmatize,stem", [
    ([], True, False),  # the measured Russian default: lemmas + subwords + embedding dropout 0.3
    (["--stem"], False, True),
    (["--no-lemmatize"], False, False),
    (["--lang", "en"], False, False),
    (["--model", "tfidf-lr"], False, False),
])
def test_train_default_is_the_measured_russian_configuration(capsys, tiny_csvs, tmp_path, extra, lemmatize, stem):
    train, val = tiny_csvs
    code, _, err = run(capsys, "train", train, "--val", val, "--out", tmp_path / "m", "--epochs", "1", "-q", *extra)
    assert code == 0, err
    config = json.loads((tmp_path / "m" / "config.json").read_text(encoding="utf-8"))
    assert (config["preprocessing"]["lemmatize"], config["preprocessing"]["stem"]) == (lemmatize, stem)
    if "tfidf-lr" not in extra:
        assert config["model"]["subword_buckets"] == 20000 and config["model"]["embedding_dropout"] == 0.3
        assert (config["model"]["cell"], config["model"]["bidirectional"], config["model"]["pooling"]) == ("gru", True, "max")


def test_predict_and_evaluate_default_to_the_training_columns(tmp_path, demo_rows, capsys):
    train = write_csv(tmp_path / "r.csv", demo_rows[:80], header=("review", "sentiment"))
    code, _, err = run(capsys, "train", train, "--text-col", "review", "--label-col", "sentiment",
                       "--out", tmp_path / "m", *FAST)
    assert code == 0, err
    code, out, err = run(capsys, "predict", tmp_path / "m", "--input", train, "--json")
    assert code == 0, err
    assert [json.loads(x)["text"] for x in out.splitlines()][:2] == [t for t, _ in demo_rows[:2]]
    code, out, err = run(capsys, "evaluate", tmp_path / "m", train, "--json")
    assert code == 0 and json.loads(out)["n"] == 80, err


def _default_signals() -> None:
    """The child starts as from a terminal: a background job or nohup would have it ignore SIGINT / SIGHUP."""
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


@pytest.mark.parametrize("sig, code, message", [(signal.SIGINT, 130, "textrnn: interrupted"),
                                                 (signal.SIGTERM, 143, "textrnn: terminated"),
                                                 (signal.SIGHUP, 129, "textrnn: hung up (the terminal closed)")])
def test_interrupted_training_says_so_and_leaves_nothing(tiny_csvs, tmp_path, sig, code, message):
    train, val = tiny_csvs
    proc = subprocess.Popen([sys.executable, "-m", "textrnn.cli", "train", str(train), "--val", str(val),
                             "--out", str(tmp_path / "m"), "--epochs", "500", "--patience", "0", "--threads", "1", "-q"],
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_signals)
    time.sleep(4)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code and err.strip().endswith(message) and "Traceback" not in err, err
    assert not (tmp_path / "m").exists() and not list(tmp_path.glob(".m.tmp-*"))


def test_explain_prints_one_weight_per_token_and_writes_html(tiny_run_dir, tmp_path, capsys):
    import textrnn
    from textrnn.inference.explain import explain

    code, out, err = run(capsys, "explain", tiny_run_dir, "Отличный сервис абырвалг", "--json", "--html", tmp_path / "e.html")
    assert code == 0, err
    result = json.loads(out)
    expected = explain(textrnn.load(tiny_run_dir, device="cpu"), "Отличный сервис абырвалг")
    assert result["tokens"] == expected.tokens and result["tokens"][-1] == "абырвалг?"
    assert result["method"] == "gradient_x_input" and result["label"] == expected.label
    assert result["scores"] == pytest.approx(expected.scores, abs=1e-6)
    assert (tmp_path / "e.html").read_text(encoding="utf-8").count("<span") == 3
    assert err == f"wrote {tmp_path / 'e.html'}\n"
    code, out, _ = run(capsys, "explain", tiny_run_dir, "Отличный сервис абырвалг")
    assert code == 0 and out.startswith(f"predicted {expected.label}  ") and len(out.splitlines()) == 1 + 3
    assert f"(gradient_x_input: + pushes toward {expected.label}, - away from it;" in out.splitlines()[0]


def test_explain_top_is_refused_for_a_recurrent_model_and_a_text_is_required(tiny_run_dir, capsys):
    code, out, err = run(capsys, "explain", tiny_run_dir, "хорошо", "--top", "3")
    assert code == 2 and err == "textrnn: error: --top is for a tfidf-lr model (its feature weights); a recurrent model " \
                                "explains a text\n"
    code, out, err = run(capsys, "explain", tiny_run_dir)
    assert code == 2 and err == "textrnn: error: nothing to explain: give a text\n"


def test_explain_png_titles_the_prediction_and_labels_its_axis(tiny_run_dir, tmp_path, capsys, monkeypatch):
    import textrnn
    from textrnn import plots
    from textrnn.inference.explain import explain

    shown = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: shown.append(fig))
    code, _, err = run(capsys, "explain", tiny_run_dir, "Отличный сервис", "--png", tmp_path / "e.png")
    assert code == 0, err
    exp = explain(textrnn.load(tiny_run_dir, device="cpu"), "Отличный сервис")
    other = next(k for k in exp.probabilities if k != exp.label)
    ax = shown[0].axes[0]
    assert ax.get_title() == f"predicted {exp.label} (p={exp.probabilities[exp.label]:.3f})"
    assert ax.get_xlabel() == f"\u2190 toward {other}   gradient_x_input   toward {exp.label} \u2192"


def test_predict_prints_label_probabilities_and_text_per_line(tiny_run_dir, capsys):
    import textrnn

    code, out, err = run(capsys, "predict", tiny_run_dir, "Отличный сервис", "Ужасно")
    assert code == 0, err
    expected = textrnn.load(tiny_run_dir, device="cpu").predict_proba(["Отличный сервис", "Ужасно"])
    for line, text, p in zip(out.splitlines(), ["Отличный сервис", "Ужасно"], expected):
        label, probs, shown = line.split("\t")
        assert shown == text and label == ["negative", "positive"][p.argmax()]
        assert probs == f"p(negative)={p[0]:.3f}  p(positive)={p[1]:.3f}"
    # an empty text (or one that preprocessing empties) gets the model's answer for an empty text
    code, out, err = run(capsys, "predict", tiny_run_dir, "хорошо", "", "http://t.co/x")
    assert code == 0, err
    empty = textrnn.load(tiny_run_dir, device="cpu").predict_proba([""])[0]
    assert [line.split("\t")[0] for line in out.splitlines()][1:] == [["negative", "positive"][empty.argmax()]] * 2
    assert err == ("warning: 2 texts (the first: text 2) are empty after preprocessing; its label is the model's "
                   "answer for an empty text\n")
    code, _, err = run(capsys, "predict", tiny_run_dir, "хорошо", "--batch-size", "0")
    assert code == 2 and "--batch-size must be >= 1, got 0" in err



def test_encoding_and_separator_hints_name_the_flags(tmp_path, capsys):
    rows = "".join(f"{t};{y}\n" for t, y in [("хорошо, очень", "1"), ("плохо", "0")] * 3)
    semi = tmp_path / "semi.csv"
    semi.write_bytes(("text;label\n" + rows).encode("cp1251"))
    code, _, err = run(capsys, "train", semi, "--out", tmp_path / "r", "--model", "tfidf-lr", "--quiet")
    assert code == 2 and err.endswith("it looks like cp1251; use --encoding cp1251\n"), err
    code, _, err = run(capsys, "train", semi, "--out", tmp_path / "r", "--model", "tfidf-lr", "--quiet",
                       "--encoding", "cp1251")
    assert code == 2 and err == f"textrnn: error: {str(semi)!r}: header is 'text;label': use --sep ';'\n", err
    code, _, err = run(capsys, "train", semi, "--out", tmp_path / "r", "--model", "tfidf-lr", "--quiet",
                       "--encoding", "cp1251", "--sep", ";")
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", tmp_path / "r", semi, "--encoding", "cp1251", "--sep", ";", "--json")
    assert code == 0 and json.loads(out)["n"] == 6, err


def test_train_leaves_out_texts_empty_before_or_after_preprocessing(tmp_path, demo_rows, capsys):
    rows = demo_rows[:60] + [("   ", "positive"), ("", ""), ("http://t.co/x @user", "negative")]
    train = write_csv(tmp_path / "train.csv", rows)
    val = write_csv(tmp_path / "val.csv", demo_rows[60:80] + [("!!!", "positive")])
    code, _, err = run(capsys, "train", train, "--val", val, "--out", tmp_path / "run", *FAST[:-1])
    assert code == 0, err
    assert "3 of 63 training texts are empty before or after preprocessing: left out" in err
    assert "1 of 21 validation texts are empty before or after preprocessing: left out" in err
    assert "60 training texts, 20 validation texts" in err


def test_texts_cut_to_max_len_are_counted_at_training_and_prediction(tmp_path, demo_rows, capsys):
    train = write_csv(tmp_path / "train.csv", demo_rows[:60])
    val = write_csv(tmp_path / "val.csv", demo_rows[60:80])
    from textrnn import Preprocessor

    long = sum(1 for t in Preprocessor(lemmatize=True).transform([t for t, _ in demo_rows[:60]]) if len(t) > 6)
    code, _, err = run(capsys, "train", train, "--val", val, "--out", tmp_path / "run", "--max-len", "6", *FAST[:-1])
    assert code == 0, err
    assert long > 10 and f"{long} training texts truncated to 6 tokens (max_len)" in err
    code, out, err = run(capsys, "predict", tmp_path / "run", "раз два три четыре пять шесть семь", "раз два")
    assert code == 0 and len(out.splitlines()) == 2
    assert err == "1 text truncated to 6 tokens (max_len)\n"


def test_a_csv_too_small_to_hold_out_validation_says_what_is_needed_before_preprocessing(tmp_path, capsys, monkeypatch):
    from textrnn import Preprocessor

    def no_preprocessing(self, *args, **kwargs):
        raise AssertionError("preprocessing ran before the split size was checked")

    monkeypatch.setattr(Preprocessor, "transform", no_preprocessing)
    two = write_csv(tmp_path / "two.csv", [("хорошо", "1"), ("плохо", "0")])
    code, _, err = run(capsys, "train", two, "--out", tmp_path / "run", *FAST)
    assert code == 2 and err == (
        "textrnn: error: no validation texts can be held out of 2 training text(s): each of the 2 labels has one "
        "text, and holding out needs a label with at least 2 (then about 10% of each label is held out); give "
        "validation data (--val) or more training texts\n")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("n_rows,n_shards", [(11, 3), (5, 8)])
def test_sharded_predictions_concatenated_equal_the_unsharded_ones(tiny_run_dir, demo_rows, tmp_path, capsys, n_rows, n_shards):
    data = write_csv(tmp_path / "in.csv", demo_rows[:n_rows])
    code, _, err = run(capsys, "predict", tiny_run_dir, "--input", data, "--output", tmp_path / "all.csv")
    assert code == 0, err
    parts = []
    for i in range(n_shards):
        out = tmp_path / f"part{i}.csv"
        code, _, err = run(capsys, "predict", tiny_run_dir, "--input", data, "--output", out, "--shard", f"{i}/{n_shards}")
        assert code == 0, err
        lines = out.read_text(encoding="utf-8").splitlines()
        parts.extend(lines if i == 0 else lines[1:])
    assert parts == (tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()
    assert len(parts) == n_rows + 1


@pytest.mark.parametrize("args,message", [(["--shard", "3/3"], "shard '3/3' is invalid; expected I/N with 0 <= I < N"),
                                          (["--shard", "a/b"], "shard 'a/b' is invalid"),
                                          (["--shard", "-1/2"], "shard '-1/2' is invalid")])
def test_bad_shards_are_one_line_errors(tiny_run_dir, demo_rows, tmp_path, capsys, args, message):
    data = write_csv(tmp_path / "in.csv", demo_rows[:4])
    code, _, err = run(capsys, "predict", tiny_run_dir, "--input", data, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    code, _, err = run(capsys, "predict", tiny_run_dir, "some text", "--shard", "0/2")
    assert code == 2 and "--shard splits the rows of --input" in err
