"""The inflection data set from the pymorphy3 dictionary: splits by lemma, counts, determinism, real forms, tags."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from textrnn.data.inflection import (ORDER, RANK, InflectionData, InflectionItem, build_inflection, cells,
                                     source_text, write_inflection)
from textrnn.errors import TextrnnError

SIZES = (300, 50, 50)


@pytest.fixture(scope="module")
def data() -> InflectionData:
    return build_inflection(*SIZES, seed=0)


def all_items(d: InflectionData) -> list[InflectionItem]:
    return d.train + d.val + d.test


def test_requested_counts(data):
    assert (len(data.train), len(data.val), len(data.test)) == SIZES
    dist = data.distribution()
    assert dist["sizes"] == {"train": 300, "val": 50, "test": 50}
    assert dist["splits"]["train"]["lines"] == sum(len(it.forms) for it in data.train) > 300
    assert sum(dist["splits"]["val"]["pos"].values()) == 50
    assert dist["seed"] == 0 and dist["pymorphy3_version"] and dist["dictionary_revision"]
    assert dist["splits"]["train"]["multi_form_items"] == sum(len(it.forms) > 1 for it in data.train) > 0


def test_no_lemma_in_two_splits_and_at_most_five_cells(data):
    lemmas = [{it.lemma for it in getattr(data, name)} for name in ("train", "val", "test")]
    assert not lemmas[0] & lemmas[1] and not lemmas[0] & lemmas[2] and not lemmas[1] & lemmas[2]
    per_lemma = Counter(it.lemma for it in all_items(data))
    assert max(per_lemma.values()) == 5
    cells_of = Counter((it.lemma, it.tags) for it in all_items(data))
    assert max(cells_of.values()) == 1  # distinct cells


def test_deterministic_for_a_seed_and_different_for_another(data):
    again = build_inflection(*SIZES, seed=0)
    assert again.train == data.train and again.val == data.val and again.test == data.test
    other = build_inflection(*SIZES, seed=1)
    assert {it.lemma for it in other.train} != {it.lemma for it in data.train}
    assert len(other.train) == 300


def test_val_and_test_do_not_depend_on_the_train_size(data):
    bigger = build_inflection(600, 50, 50, seed=0)
    assert bigger.val == data.val and bigger.test == data.test


def test_several_parts_of_speech(data):
    pos = Counter(it.tags[0] for it in data.train)
    assert {"NOUN", "ADJF", "VERB", "INFN", "PRTF", "GRND", "ADJS"} <= set(pos)
    assert pos["NOUN"] < 0.6 * len(data.train)
    assert len({it.tags[0] for it in all_items(data)}) >= 9


def test_tags_are_pos_then_varying_inflectional_grammemes_in_order(data):
    for it in all_items(data):
        assert it.tags[0].isupper() and it.tags[0] not in RANK
        assert list(it.tags[1:]) == sorted(it.tags[1:], key=RANK.get) and set(it.tags[1:]) <= set(ORDER)
        if it.tags[0] == "NOUN":  # a noun's gender and animacy are constant over its lexeme
            assert not set(it.tags) & {"masc", "femn", "neut", "anim", "inan"}
        assert it.lemma == it.lemma.lower() and all(f == f.lower() and f for f in it.forms)
        assert len(set(it.forms)) == len(it.forms)


def test_every_form_is_a_form_of_the_lemma_with_those_grammemes(data):
    from textrnn.text.morphology import get_morph

    morph = get_morph()
    for it in all_items(data):
        for form in it.forms:
            parses = morph.parse(form)
            assert any(p.normal_form == it.lemma and set(it.tags) <= p.tag.grammemes for p in parses), (it, form)


def test_golden_cells():
    assert cells("стол")[("NOUN", "gent", "plur")] == ("столов",)
    assert cells("стол")[("NOUN", "nomn", "sing")] == ("стол",)  # the lemma's own cell is kept
    assert cells("стол")[("NOUN", "loc2", "sing")] == ("столу",)  # на столу: the second locative is its own cell
    assert len(cells("стол")) == 13  # 6 cases x 2 numbers + loc2
    assert cells("идти")[("VERB", "sing", "femn", "past", "indc")] == ("шла",)
    assert cells("идти")[("INFN",)] == ("идти",)
    assert cells("идти")[("GRND", "pres")] == ("идя",)
    assert cells("хороший")[("ADJF", "gent", "sing", "masc")] == ("хорошего",)
    assert cells("хороший")[("ADJF", "accs", "sing", "masc", "anim")] == ("хорошего",)
    assert cells("хороший")[("ADJF", "accs", "sing", "masc", "inan")] == ("хороший",)
    assert cells("хороший")[("COMP",)] == ("лучше",)
    assert cells("хороший")[("ADJS", "sing", "femn")] == ("хороша",)
    assert cells("мама")[("NOUN", "ablt", "sing")] == ("мамой", "мамою")
    assert cells("мама")[("NOUN", "voct", "sing")] == ("мам",)
    assert cells("он")[("NPRO", "gent")] == ("его", "него")
    assert cells("два")[("NUMR", "nomn", "femn")] == ("две",)
    assert cells("ножницы")[("NOUN", "gent")] == ("ножниц",)  # plurale tantum: number is constant
    assert cells("Стол") == cells("стол")


def test_skipped_words_have_no_cells():
    assert cells("столов") == {}  # not a normal form
    assert cells("кофе") == {}  # indeclinable: one distinct form
    assert cells("иван") == {}  # a person's name
    assert cells("вдруг") == {}  # one cell
    assert cells("qwerty") == {}


def test_source_text():
    assert source_text("стол", ("NOUN", "gent", "plur")) == "стол <NOUN> <gent> <plur>"
    assert source_text("идти", ["INFN"]) == "идти <INFN>"
    for lemma, tags in (("", ("NOUN",)), ("два слова", ("NOUN",)), ("стол", ()), ("стол", ("NO UN",)),
                        ("стол", ("<NOUN>",))):
        with pytest.raises(TextrnnError):
            source_text(lemma, tags)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_train": 0}, r"n_train 0: expected an integer >= 1"),
    ({"n_val": -3}, r"n_val -3: expected an integer >= 1"),
    ({"n_test": 1.5}, r"n_test 1.5 is a float; expected an integer"),
    ({"n_train": True}, r"n_train True is a bool; expected an integer"),
    ({"seed": "0"}, r"seed '0' is a str; expected an integer"),
    ({"seed": 1.0}, r"seed 1.0 is a float; expected an integer"),
    ({"n_train": 10_000_000}, r"n_train \+ n_val \+ n_test = 10,002,000 items; expected at most the [\d,]+ the dictionary"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(TextrnnError, match=match):
        build_inflection(**kwargs)


def test_write_inflection(tmp_path, data):
    out = write_inflection(data, tmp_path / "infl")
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "distribution.json", "test.tsv", "train.tsv", "val.tsv"]
    lines = (out / "train.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == sum(len(it.forms) for it in data.train)
    multi = next(it for it in data.train if len(it.forms) > 1)
    src = source_text(multi.lemma, multi.tags)
    i = lines.index(f"{src}\t{multi.forms[0]}")
    assert lines[i:i + len(multi.forms)] == [f"{src}\t{f}" for f in multi.forms]  # alternatives are consecutive
    assert json.loads((out / "distribution.json").read_text(encoding="utf-8"))["kind"] == "inflection_data"
    assert "| train | 300 |" in (out / "README.md").read_text(encoding="utf-8")
    with pytest.raises(TextrnnError, match="already exists"):
        write_inflection(data, out)
    write_inflection(build_inflection(*SIZES, seed=1), out, force=True)  # our own data set: replaced
    assert json.loads((out / "distribution.json").read_text(encoding="utf-8"))["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["infl"]  # no temporary directories left
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(TextrnnError, match="not a textrnn data set"):
        write_inflection(data, foreign, force=True)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
