"""The labelled CSV reader: numeric labels by value, encodings and separators, empty texts."""

from __future__ import annotations

import pytest

from tests.conftest import write_csv
from textrnn.baselines.tfidf_lr import TfidfLogisticRegression
from textrnn.data.tables import label_key, normalize_labels, read_labeled_csv, sorted_labels
from textrnn.errors import TextrnnError

# (label as written, what it means)
LABEL_KEYS = [
    ("1", "1"), ("1.0", "1"), ("01", "1"), (" 1.00 ", "1"), ("+1", "1"), ("-1.0", "-1"), ("0.0", "0"),
    ("0.50", "0.5"), ("1e1", "10"), ("positive", "positive"), ("nan", "nan"), ("1_0", "1_0"), ("1.5.2", "1.5.2"),
]


@pytest.mark.parametrize("label,key", LABEL_KEYS)
def test_numbers_are_labels_by_value(label, key):
    assert label_key(label) == key


def test_one_class_is_spelled_as_the_file_spells_it_most_often():
    assert normalize_labels(["1.0", "1", "0", "0.0", "1.0"]) == ["1.0", "1.0", "0", "0", "1.0"]
    assert normalize_labels(["a", "b", "1"]) == ["a", "b", "1"]
    assert sorted_labels(["1.0", "-1.0", "0.0"]) == ["-1.0", "0.0", "1.0"]
    assert sorted_labels(["10", "2", "-1"]) == ["-1", "2", "10"]


def test_the_reader_makes_1_and_1_0_one_class(tmp_path):
    rows = [("хорошо", "1.0"), ("плохо", "0.0"), ("отлично", "1"), ("ужасно", "0.0"), ("прекрасно", "1.0")]
    data = read_labeled_csv(write_csv(tmp_path / "t.csv", rows))
    assert data.labels == ["1.0", "0.0", "1.0", "0.0", "1.0"]


def test_predictions_come_back_in_the_training_spelling_and_evaluation_matches_by_value(demo_rows):
    texts = [t for t, _ in demo_rows[:200]]
    # one class written 1.0 (and once 1), the other mostly 0.0 and sometimes 0
    labels = ["1.0" if y == "positive" else ("0" if i % 3 == 0 else "0.0") for i, (_, y) in enumerate(demo_rows[:200])]
    labels[labels.index("1.0")] = "1"
    clf = TfidfLogisticRegression().fit(texts, labels, quiet=True)
    assert clf.labels_ == ["0.0", "1.0"]
    assert set(clf.predict(texts)) == {"0.0", "1.0"}
    gold = ["1" if y == "positive" else "0" for _, y in demo_rows[200:260]]
    assert clf.evaluate([t for t, _ in demo_rows[200:260]], gold)["n"] == 60
    with pytest.raises(TextrnnError, match=r"labels \['2'\] are not known to the model"):
        clf.evaluate(["кот"], ["2"])


BODY = 'text,label\n"Привет, мир!",1\nВсё плохо,0\n'


# (file name, bytes, options, error fragment or None)
ENCODINGS = [
    ("cp.csv", BODY.encode("cp1251"), {}, "is not UTF-8 text (byte 12: invalid continuation byte); it looks like "
                                          "cp1251; use encoding cp1251"),
    ("cp.csv", BODY.encode("cp1251"), {"encoding": "cp1251"}, None),
    ("cp.csv", BODY.encode("cp1251"), {"encoding": "windows-1251"}, None),
    ("u16.csv", BODY.encode("utf-16"), {}, "it looks like utf-16; use encoding utf-16"),
    ("u16.csv", BODY.encode("utf-16"), {"encoding": "utf-16"}, None),
    ("u16le.csv", BODY.encode("utf-16-le"), {}, "is not UTF-8 text (it holds NUL bytes); it looks like utf-16-le; "
                                                "use encoding utf-16-le"),
    ("u16le.csv", BODY.encode("utf-16-le"), {"encoding": "utf-16-le"}, None),
    ("bom.csv", BODY.encode("utf-8-sig"), {}, None),
    ("bom.csv", BODY.encode("utf-8-sig"), {"encoding": "UTF8"}, None),
    ("latin.csv", "text,label\nle café est très bon,1\nnon,0\n".encode("latin-1"), {}, "re-save it as UTF-8 or name its encoding"),
    ("cp.csv", BODY.encode("cp1251"), {"encoding": "klingon"}, "encoding 'klingon' is unknown"),
    # separators: a header that names the columns with another separator says which
    ("semi.csv", "text;class\nПривет, мир!;1\nВсё плохо;0\n".encode(), {}, "header is 'text;class': use sep ';'"),
    ("semi2.csv", "text;class\nПривет мир;1\nВсё плохо;0\n".encode(), {}, "header is 'text;class': use sep ';'"),
    ("semi.csv", "text;class\nПривет, мир!;1\nВсё плохо;0\n".encode(), {"sep": ";"}, None),
    ("tab.csv", "text\tclass\nПривет, мир!\t1\nВсё плохо\t0\n".encode(), {}, "header is 'text\\tclass': use sep '\\t'"),
    ("tab.csv", "text\tclass\nПривет, мир!\t1\nВсё плохо\t0\n".encode(), {"sep": "\\t"}, None),
    ("tab.csv", "text\tclass\nПривет, мир!\t1\nВсё плохо\t0\n".encode(), {"sep": "\t"}, None),
    ("semi.csv", "text;class\nПривет;1\n".encode(), {"sep": ";;"}, "separator sep=';;' is invalid"),
    ("long.csv", "text;class\nа;б;1\n".encode(), {"sep": ";"}, "line 2 has 3 fields, the header 2 (quote a text "
                                                                 "that contains ';')"),
]


@pytest.mark.parametrize("name,raw,options,error", ENCODINGS, ids=[f"{c[0]}-{c[2]}" for c in ENCODINGS])
def test_encodings_and_separators_are_read_or_named(tmp_path, name, raw, options, error):
    path = tmp_path / name
    path.write_bytes(raw)
    if error is None:
        data = read_labeled_csv(path, **options)
        assert data.texts[:2] == ["Привет, мир!", "Всё плохо"] and data.labels == ["1", "0"]
        return
    with pytest.raises(TextrnnError) as e:
        read_labeled_csv(path, **options)
    assert error in str(e.value)
    assert e.value.param in ("encoding", "sep", None)
