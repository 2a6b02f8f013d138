"""Readers of tagged sentences: CoNLL-U (multiword tokens, empty nodes, columns) and token<TAB>tag files."""

import pytest

from textrnn.data.tagged import read_conllu, read_tagged, read_tsv
from textrnn.errors import TextrnnError

CONLLU = """# sent_id = 1
# text = Он пошёл в школу.
1\tОн\tон\tPRON\tPRP\tCase=Nom|Number=Sing\t2\tnsubj\t_\t_
2\tпошёл\tпойти\tVERB\tVBD\tGender=Masc|Tense=Past\t0\troot\t_\t_
3\tв\tв\tADP\tIN\t_\t4\tcase\t_\t_
4\tшколу\tшкола\tNOUN\tNN\tCase=Acc\t2\tobl\t_\tSpaceAfter=No
5\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

# sent_id = 2
1-2\tdel\t_\t_\t_\t_\t_\t_\t_\t_
1\tde\tde\tADP\tIN\t_\t2\tcase\t_\t_
2\tel\tel\tDET\tDT\t_\t3\tdet\t_\t_
3\tmundo\tmundo\tNOUN\tNN\t_\t0\troot\t_\t_
3.1\tvisto\tver\tVERB\tVBN\t_\t_\t_\t0:root\t_

"""


def test_conllu_words_and_columns(tmp_path):
    path = tmp_path / "a.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    upos = read_conllu(path)
    # the range line 1-2 ("del") and the empty node 3.1 are skipped: the syntactic words are tagged
    assert upos.tokens == [["Он", "пошёл", "в", "школу", "."], ["de", "el", "mundo"]]
    assert upos.tags == [["PRON", "VERB", "ADP", "NOUN", "PUNCT"], ["ADP", "DET", "NOUN"]]
    assert read_conllu(path, "xpos").tags[0] == ["PRP", "VBD", "IN", "NN", "."]
    assert read_conllu(path, "feats").tags[0][:3] == ["Case=Nom|Number=Sing", "Gender=Masc|Tense=Past", "_"]
    assert read_tagged(path).tags == upos.tags


@pytest.mark.parametrize("text, message", [
    ("1\tОн\tон\tPRON\n", r"line 1 is not a CoNLL-U word line: expected 10 tab-separated fields, got 4"),
    ("# c\n1\tОн\tон\t_\t_\t_\t0\troot\t_\t_\n\n", r"sentence 1 word 1 \('Он'\) has no upos"),
    ("# only a comment\n", r"holds no sentences"),
])
def test_conllu_errors_name_the_line(tmp_path, text, message):
    path = tmp_path / "bad.conllu"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TextrnnError, match=message):
        read_conllu(path)


def test_conllu_unknown_column(tmp_path):
    path = tmp_path / "a.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    with pytest.raises(TextrnnError, match=r"column 'lemma' is unknown; expected one of upos, xpos, feats"):
        read_conllu(path, "lemma")


def test_tsv_sentences(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_text("-DOCSTART-\tO\n\nЛев\tB-PER\nТолстой\tI-PER\n\n\n\nТула\tB-LOC\r\n", encoding="utf-8")
    data = read_tsv(path)
    assert data.tokens == [["Лев", "Толстой"], ["Тула"]]
    assert data.tags == [["B-PER", "I-PER"], ["B-LOC"]]
    assert data.n_tokens() == 3 and len(data) == 2


@pytest.mark.parametrize("text, message", [
    ("Лев B-PER\n", r"line 1 is not 'token<TAB>tag': 'Лев B-PER'"),
    ("Лев\tB-PER\nТолстой\t\n", r"line 2 is not 'token<TAB>tag'"),
    ("a\tb\tc\n", r"line 1 is not 'token<TAB>tag'"),
    ("\n\n", r"holds no sentences"),
])
def test_tsv_errors(tmp_path, text, message):
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TextrnnError, match=message):
        read_tsv(path)


def test_not_utf8_and_missing(tmp_path):
    path = tmp_path / "cp.tsv"
    path.write_bytes("Лев\tB-PER\n".encode("cp1251"))
    with pytest.raises(TextrnnError, match=r"is not UTF-8"):
        read_tsv(path)
    with pytest.raises(TextrnnError, match=r"not found"):
        read_tagged(tmp_path / "none.conllu")
