"""``textrnn preprocess``: --text, CSV in/out, pipeline flags, one clear error per bad input."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import run_cli, write_csv
from textrnn.cli.preprocess import preprocessor_from_options
from textrnn.errors import TextrnnError
from textrnn.text import Preprocessor
from textrnn.text import workers as text_workers


run = run_cli


def write_rows(path, rows, header=("id", "text", "label")):
    return write_csv(path, rows, header)


@pytest.mark.parametrize(
    "flags,expected",
    [
        ([], "мне не понравилось в стране"),
        (["--lemmatize", "--negation"], "я не_понравиться в страна"),
        (["--stem"], "мне не понрав в стран"),
        (["--stopwords", "--lemmatize", "--negation"], "не_понравиться страна"),
        (["--emoticons", "tokens"], "мне не понравилось в стране <sad>"),
        (["--keep-punctuation", "--emoticons", "keep"], "мне не понравилось в стране :("),
        (["--no-lowercase"], "Мне не понравилось в стране"),
        (["--keep-urls"], "мне не понравилось в стране http t co x"),
    ],
)
def test_text_prints_tokens(capsys, flags, expected):
    code, out, err = run(capsys, "preprocess", "--text", "Мне не понравилось в стране :( http://t.co/x", *flags)
    assert code == 0, err
    assert out == expected + "\n"


def test_english_stems_drops_stop_words_and_joins_negations(capsys):
    code, out, _ = run(capsys, "preprocess", "--text", "The dogs are not running", "--lang", "en", "--stem",
                       "--stopwords", "--negation")
    assert code == 0 and out == "dog not_run\n"


def test_stopwords_file_adds_or_replaces(tmp_path, capsys):
    words = tmp_path / "stop.txt"
    words.write_text("# my list\nфильм\n\n", encoding="utf-8")
    code, out, _ = run(capsys, "preprocess", "--text", "и фильм кино", "--stopwords", "--stopwords-file", words)
    assert code == 0 and out == "кино\n"
    code, out, _ = run(capsys, "preprocess", "--text", "и фильм кино", "--stopwords", "--stopwords-file", words,
                       "--replace-stopwords")
    assert code == 0 and out == "и кино\n"


def test_a_csv_gets_a_tokens_column_and_keeps_every_other_column(tmp_path, capsys):
    src = write_rows(tmp_path / "in.csv", [(1, "Привет, мир! :)", "1"), (2, "Мне, \"не\" понравилось\nсовсем", "0"),
                                           (3, "", "0")])
    out_path = tmp_path / "out.csv"
    code, out, err = run(capsys, "preprocess", src, "--output", out_path, "--lemmatize", "--negation")
    assert code == 0, err
    assert out == "" and "3 rows" in err
    df = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["id", "text", "label", "tokens"]
    assert df["tokens"].tolist() == ["привет мир", "я не_понравиться совсем", ""]
    assert df["text"].tolist()[1] == "Мне, \"не\" понравилось\nсовсем"


def test_csv_other_text_column_and_workers(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(text_workers, "PARALLEL_MIN_TEXTS", 10)
    rows = [(i, f"Кошки бегут {i} :(", "x") for i in range(1200)]
    src = write_rows(tmp_path / "in.csv", rows, header=("id", "body", "label"))
    out_path = tmp_path / "out.csv"
    code, _, err = run(capsys, "preprocess", src, "-o", out_path, "--text-col", "body", "--workers", "2", "--stem")
    assert code == 0, err
    df = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert df["tokens"].tolist() == [" ".join(Preprocessor(stem=True).tokenize(r[1])) for r in rows]


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--text", "x", "--lemmatize", "--stem"], "exclusive"),
        (["--text", "x", "--lang", "de"], "Invalid value for '--lang': 'de' is not one of 'ru', 'en'"),
        (["--text", "x", "--lang", "en", "--lemmatize"], "lang='ru' only"),
        (["--text", "x", "--digits", "round"], "digits='round'"),
        (["--text", "x", "--emoticons", "smile"], "emoticons='smile'"),
        (["--text", "x", "--replace-stopwords"], "--stopwords-file"),
        (["--text", "x", "--stopwords-file", "/nonexistent/stop.txt"], "not found"),
        (["--text", "x", "--output", "o.csv"], "--output"),
        ([], "nothing to preprocess"),
        (["{missing}"], "--output"),
        (["{missing}", "--output", "{out}"], "not found"),
        (["{src}", "--output", "{out}", "--text-col", "body"], "no text column 'body'"),
        (["{src}", "--output", "{src}"], "is the input file"),
        (["{src}", "--output", "{tmp}"], "is a directory"),
        (["{src}", "--output", "{tmp}/no/such/dir/out.csv"], "does not exist"),
        (["{src}", "--text", "x"], "not both"),
    ],
)
def test_bad_preprocess_arguments_are_one_line_and_exit_2(tmp_path, capsys, args, fragment):
    src = write_rows(tmp_path / "in.csv", [(1, "a", "0")])
    fill = {"src": src, "out": tmp_path / "out.csv", "missing": tmp_path / "missing.csv", "tmp": tmp_path}
    code, out, err = run(capsys, "preprocess", *[a.format(**fill) for a in args])
    assert code == 2
    assert fragment in err and err.startswith("textrnn: error: ") and err.count("\n") == 1
    assert not (tmp_path / "out.csv").exists()


def test_negative_workers_is_a_usage_error(capsys):
    code, _, err = run(capsys, "preprocess", "--text", "x", "--workers", "-1")
    assert code == 2 and "workers" in err


def test_preprocessor_from_options_defaults_equal_the_library_default():
    assert preprocessor_from_options().to_dict() == Preprocessor().to_dict()
    pre = preprocessor_from_options(lemmatize=True, stopwords=True, negation=True, lang="RU")
    assert pre.to_dict() == Preprocessor(lemmatize=True, stopwords=True, negation=True).to_dict()


@pytest.mark.parametrize("options, lemmatize", [({}, True), ({"stem": True}, False), ({"lang": "en"}, False),
                                                ({"lemmatize": False}, False)])
def test_a_recurrent_model_lemmatises_russian_unless_told_otherwise(options, lemmatize):
    pre = preprocessor_from_options(recurrent=True, **{"lemmatize": None, **options})
    assert pre.lemmatize is lemmatize


def test_a_stopwords_file_is_read_and_checked(tmp_path):
    words = tmp_path / "stop.txt"
    words.write_text("\ufeff# comment\nфильм\n  кино  \n\n", encoding="utf-8")
    assert preprocessor_from_options(stopwords=True, stopwords_file=words).extra_stopwords == ["фильм", "кино"]
    (tmp_path / "bad.txt").write_bytes("фильм".encode("cp1251"))
    with pytest.raises(TextrnnError, match="stop-word file '.*bad.txt' is not UTF-8 text"):
        preprocessor_from_options(stopwords_file=tmp_path / "bad.txt")
    with pytest.raises(TextrnnError, match="is a directory, expected a text file"):
        preprocessor_from_options(stopwords_file=tmp_path)


def test_the_console_script_prints_the_tokens(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "textrnn.cli", "preprocess", "--text", "Ёлки-палки!", "--lemmatize"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "елки-палки\n"  # the hyphen belongs to the word


def test_existing_output_needs_force(tmp_path, capsys):
    src = write_csv(tmp_path / "in.csv", [("Привет, мир", "1")])
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "preprocess", src, "--output", out)
    assert code == 2 and "already exists; pass --force to overwrite it" in err
    assert out.read_text(encoding="utf-8") == "keep me"
    code, _, err = run(capsys, "preprocess", src, "--output", out, "--force")
    assert code == 0 and "привет мир" in out.read_text(encoding="utf-8")


def test_like_uses_the_saved_models_pipeline_and_refuses_other_options(tmp_path, capsys):
    from tests.conftest import saved_classifier

    run_dir = saved_classifier(tmp_path / "run", preprocessor=Preprocessor(lemmatize=True, negation=True))
    text = "Мне не понравилось в стране :("
    code, out, err = run(capsys, "preprocess", "--text", text, "--like", run_dir)
    assert code == 0, err
    assert out == "я не_понравиться в страна\n"  # the options' own defaults give word forms
    assert run(capsys, "preprocess", "--text", text)[1] == "мне не понравилось в стране\n"
    for flags, named in ((["--lemmatize"], "--lemmatize"), (["--no-stopwords"], "--stopwords"),
                         (["--emoticons", "keep", "--stem"], "--stem, --emoticons")):
        code, out, err = run(capsys, "preprocess", "--text", text, "--like", run_dir, *flags)
        assert code == 2 and out == ""
        assert err.strip().splitlines() == [f"textrnn: error: --like uses the model's own preprocessing; drop "
                                            f"{named} (or drop --like)"]


def test_like_refuses_a_model_without_preprocessing_and_help_names_trains_default(tmp_path, capsys, tiny_lm_run):
    code, out, err = run(capsys, "preprocess", "--text", "x", "--like", tiny_lm_run[0])
    assert code == 2 and "a char_lm model has no preprocessing settings" in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "preprocess", "--text", "x", "--like", tmp_path / "missing")
    assert code == 2 and "does not exist" in err
    code, out, _ = run(capsys, "preprocess", "--help")
    flat = " ".join(out.split())
    assert code == 0 and "--like" in flat
    assert "default for a Russian recurrent model lemmatises" in " ".join(flat.replace("│", " ").split())
