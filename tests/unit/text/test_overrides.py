"""Lemma overrides: pymorphy3's known dictionary errors fixed, the user's own table, saved with the model."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_csv
from textrnn import Preprocessor, TextrnnError
from textrnn.text.morphology import lemma
from textrnn.text.overrides import LEMMA_FIXES, read_lemma_overrides

# (text, options, expected tokens)
FIXED = [
    ("счастья", {}, ["счастье"]),
    ("от счастья и веселья", {}, ["от", "счастье", "и", "веселье"]),
    ("в воскресенье варенье с печеньем", {}, ["в", "воскресенье", "варенье", "с", "печенье"]),
    ("Счастья", {"lowercase": False}, ["счастье"]),
    ("питьём", {}, ["питье"]),
    ("питьём", {"replace_yo": False}, ["питьё"]),
    ("печенью", {}, ["печень"]),  # the liver's instrumental: left to pymorphy3
    ("счастья", {"lemma_fixes": False}, ["счастие"]),
    # the user's table wins over pymorphy3 and over the fixes
    ("кот котов", {"lemma_overrides": {"кот": "кошка"}}, ["кошка", "кот"]),
    ("счастья", {"lemma_overrides": {"Счастья": "Счастьице"}}, ["счастьице"]),
    ("ёлки", {"lemma_overrides": {"ёлки": "ёлка"}}, ["елка"]),
]


@pytest.mark.parametrize("text,options,expected", FIXED, ids=[f"{c[0]}-{sorted(c[1])}" for c in FIXED])
def test_lemma_fixes_and_overrides_come_before_pymorphy3(text, options, expected):
    pre = Preprocessor(lemmatize=True, **options)
    assert pre.tokenize(text) == expected
    assert pre.transform([text, "кот", text])[0] == expected


def test_every_fix_corrects_a_form_pymorphy3_gets_archaic_or_already_right():
    assert len(LEMMA_FIXES) > 50
    for form, fixed in LEMMA_FIXES.items():
        got = lemma(form)
        archaic = fixed[:-2] + "ие"  # счастье -> счастие, питьё -> питие
        # pymorphy3 gives the archaic form; only a few forms of питьё / житьё it already gets right
        assert got == archaic or (got == fixed and fixed.endswith("ьё")), (form, got)


def test_the_table_is_saved_and_an_older_configuration_keeps_pymorphy3s_lemmas():
    pre = Preprocessor(lemmatize=True, lemma_overrides={"кот": "кошка"})
    data = json.loads(json.dumps(pre.to_dict(), ensure_ascii=False))
    assert data["version"] == 3 and data["lemma_fixes"] is True and data["lemma_overrides"] == {"кот": "кошка"}
    again = Preprocessor.from_dict(data)
    assert again.tokenize("кот счастья") == ["кошка", "счастье"]
    old = {k: v for k, v in data.items() if k not in ("lemma_fixes", "lemma_overrides")}
    old["version"] = 2
    assert Preprocessor.from_dict(old).tokenize("кот счастья") == ["кот", "счастие"]


@pytest.mark.parametrize(
    "options,fragment",
    [
        ({"lemma_overrides": {"кот": "кошка"}}, "lemma_overrides needs lemmatize=True"),
        ({"lemmatize": True, "lemma_overrides": ["кот"]}, "expected a {word: lemma} mapping"),
        ({"lemmatize": True, "lemma_overrides": {"кот": "две кошки"}}, "lemma 'две кошки' (of 'кот') is invalid"),
        ({"lemmatize": True, "lemma_overrides": {"": "кошка"}}, "word '' (of '') is invalid"),
    ],
)
def test_bad_overrides_are_one_line_errors(options, fragment):
    with pytest.raises(TextrnnError, match="lemma_overrides") as err:
        Preprocessor(**options)
    assert fragment in str(err.value) and err.value.param == "lemma_overrides"


def test_the_tsv_reader_names_a_bad_line(tmp_path):
    good = tmp_path / "good.tsv"
    good.write_text("# form\tlemma\nсчастья\tсчастье\n\nкотов\tкот\n", encoding="utf-8")
    assert read_lemma_overrides(good) == {"счастья": "счастье", "котов": "кот"}
    bad = tmp_path / "bad.tsv"
    bad.write_text("котов\tкот\nкошек кошка\n", encoding="utf-8")
    with pytest.raises(TextrnnError, match=r"line 2: 'кошек кошка' is invalid; expected word<TAB>lemma"):
        read_lemma_overrides(bad)
    with pytest.raises(TextrnnError, match="not found"):
        read_lemma_overrides(tmp_path / "missing.tsv")


def test_train_stores_the_overrides_and_predict_applies_them(tmp_path, demo_rows, capsys):
    train = write_csv(tmp_path / "train.csv", demo_rows[:80])
    table = tmp_path / "lemmas.tsv"
    table.write_text("отличный\tзамечательный\n", encoding="utf-8")
    out = tmp_path / "run"
    code, _, err = run_cli(capsys, "train", train, "--val", train, "--out", out, "--model", "tfidf-lr",
                           "--lemmatize", "--lemma-overrides", table, "--quiet")
    assert code == 0, err
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["preprocessing"]["lemma_overrides"] == {"отличный": "замечательный"}
    import textrnn

    assert textrnn.load(out).preprocessor.tokenize("отличный счастья") == ["замечательный", "счастье"]
    code, _, err = run_cli(capsys, "train", train, "--val", train, "--out", tmp_path / "r2", "--model", "tfidf-lr",
                           "--lemma-overrides", table, "--quiet")
    assert code == 2 and err.strip() == "textrnn: error: --lemma-overrides needs lemmatize=True (they replace lemmas)", err
