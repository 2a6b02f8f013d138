"""Bag of words, scikit-learn TF-IDF and the lecture's textbook TF-IDF over token lists."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp

from textrnn.baselines.vectorize import TextVectorizer, WordNgrams, textbook_idf, textbook_tf, textbook_tfidf, top_terms
from textrnn.errors import TextrnnError

# d1: "заяц" twice; d3 has "зайцы" and "заяцлес", which must not count as "заяц".
TOY = [["заяц", "заяц", "лес"], ["лес", "лиса", "лиса", "лиса"], ["зайцы", "заяцлес"]]


# --- textbook TF-IDF ----------------------------------------------------------------------


def test_lecture_worked_example():
    # 100-word document with 3 "заяц"; 10,000,000 documents, 1,000 of them contain "заяц"
    tf = textbook_tf(3, 100)
    idf = textbook_idf(10_000_000, 1_000)
    assert tf == pytest.approx(0.03)
    assert idf == pytest.approx(4.0)
    assert tf * idf == pytest.approx(0.12)


def test_lecture_example_through_the_matrix_function():
    # the same tf on a real 100-token document: 3 x "заяц" + 97 other tokens
    doc = ["заяц"] * 3 + [f"w{i}" for i in range(97)]
    X, terms, idf = textbook_tfidf([doc, ["другой", "текст"]])
    j = terms.index("заяц")
    assert idf[j] == pytest.approx(math.log10(2 / 1))
    assert X[0, j] == pytest.approx(0.03 * math.log10(2))


def test_textbook_tfidf_hand_computed_toy_corpus():
    X, terms, idf = textbook_tfidf(TOY)
    assert terms == sorted(["заяц", "лес", "лиса", "зайцы", "заяцлес"])
    assert X.shape == (3, 5) and X.dtype == np.float64 and sp.isspmatrix_csr(X)
    w = {(i, terms[j]): X[i, j] for i in range(3) for j in range(5) if X[i, j]}
    log3, log15 = math.log10(3), math.log10(1.5)
    assert w == pytest.approx({
        (0, "заяц"): 2 / 3 * log3,      # 0.3181: df("заяц") = 1, not 2 occurrences and not "зайцы"/"заяцлес"
        (0, "лес"): 1 / 3 * log15,      # df("лес") = 2 documents (3 occurrences)
        (1, "лес"): 1 / 4 * log15,
        (1, "лиса"): 3 / 4 * log3,
        (2, "зайцы"): 1 / 2 * log3,
        (2, "заяцлес"): 1 / 2 * log3,
    })
    assert w[(0, "заяц")] == pytest.approx(0.31808, abs=1e-5)
    assert dict(zip(terms, idf))["лес"] == pytest.approx(0.176091, abs=1e-6)


def test_textbook_term_in_every_document_gets_zero_and_ngrams_count_in_tf():
    X, terms, _ = textbook_tfidf([["a", "b"], ["a", "c"]], ngram_range=(1, 2))
    assert "a b" in terms and "a c" in terms
    j = terms.index("a")
    assert X[0, j] == 0 and X[1, j] == 0  # idf = log10(2/2) = 0
    # tf denominator counts all terms of the document: 2 unigrams + 1 bigram
    assert X[0, terms.index("a b")] == pytest.approx(1 / 3 * math.log10(2))


def test_textbook_formulas_refuse_undefined_inputs():
    with pytest.raises(TextrnnError):
        textbook_idf(10, 0)
    with pytest.raises(TextrnnError):
        textbook_tf(5, 3)
    with pytest.raises(TextrnnError):
        textbook_tfidf([])
    with pytest.raises(TextrnnError):
        textbook_tfidf(["raw text, not tokens"])


# --- scikit-learn vectorisers ---------------------------------------------------------------

DOCS = [["a", "b", "a"], ["b", "c"], ["c"]]


def test_binary_and_count_vectors_by_hand():
    b = TextVectorizer(kind="binary").fit_transform(DOCS)
    c = TextVectorizer(kind="count").fit_transform(DOCS)
    assert b.toarray().tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert c.toarray().tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert b.dtype == np.float64


def test_sklearn_tfidf_formula_by_hand():
    vec = TextVectorizer(kind="tfidf")
    X = vec.fit_transform(DOCS).toarray()
    idf = lambda df: math.log((1 + 3) / (1 + df)) + 1  # noqa: E731  smoothed natural-log idf
    assert vec.idf_ == pytest.approx([idf(1), idf(2), idf(2)])
    row = np.array([2 * idf(1), 1 * idf(2), 0.0])
    assert X[0] == pytest.approx(row / np.linalg.norm(row))
    sub = TextVectorizer(kind="tfidf", sublinear_tf=True).fit_transform(DOCS).toarray()
    row = np.array([(1 + math.log(2)) * idf(1), idf(2), 0.0])
    assert sub[0] == pytest.approx(row / np.linalg.norm(row))


def test_word_ngrams_and_thresholds():
    assert WordNgrams((1, 2))(["не", "люблю", "зиму"]) == ["не", "люблю", "зиму", "не люблю", "люблю зиму"]
    assert WordNgrams((2, 3))(["a", "b", "c"]) == ["a b", "b c", "a b c"]
    vec = TextVectorizer(kind="count", word_ngram_range=(1, 2), min_df=2)
    vec.fit(DOCS + [["a", "b"]])
    assert vec.terms() == ["a", "a b", "b", "c"]
    docs = [["a", "b"], ["a", "c"], ["a"], ["b"]]  # df: a 3, b 2, c 1
    assert TextVectorizer(kind="count", max_df=0.5).fit(docs).terms() == ["b", "c"]
    assert TextVectorizer(kind="count", min_df=2).fit(docs).terms() == ["a", "b"]
    assert TextVectorizer(kind="count", max_features=1).fit(docs).terms() == ["a"]


def test_word_plus_char_union_and_roundtrip():
    vec = TextVectorizer(kind="tfidf", analyzer="word+char", char_ngram_range=(2, 3), sublinear_tf=True)
    X = vec.fit_transform(TOY)
    terms = vec.terms()
    assert X.shape == (3, len(terms)) and vec.n_features_ == len(terms)
    assert terms[:5] == sorted(["заяц", "заяцлес", "зайцы", "лес", "лиса"])
    assert " з" in [t[2:] for t in terms if t.startswith("c:")]  # char_wb pads words with spaces
    state = json.loads(json.dumps(vec.to_dict(), ensure_ascii=False))
    back = TextVectorizer.from_dict(state)
    new = [["заяц", "в", "лесу"], ["лиса"]]
    assert (back.transform(new) != vec.transform(new)).nnz == 0
    assert back.terms() == terms and np.array_equal(back.idf_, vec.idf_)
    count = TextVectorizer(kind="count", analyzer="char_wb", char_ngram_range=(1, 1)).fit(TOY)
    assert (TextVectorizer.from_dict(count.to_dict()).transform(new) != count.transform(new)).nnz == 0


def test_bad_vectorizer_options_and_inputs_raise():
    with pytest.raises(TextrnnError, match="word n-gram range 2,1 is invalid"):
        TextVectorizer(word_ngram_range="2,1")
    assert TextVectorizer(word_ngram_range="1-2").word_ngram_range == (1, 2)  # the grammar of textrnn.checks.parse_range
    with pytest.raises(TextrnnError):
        TextVectorizer(kind="tf")
    with pytest.raises(TextrnnError):
        TextVectorizer(analyzer="char")
    with pytest.raises(TextrnnError):
        TextVectorizer(min_df=0)
    with pytest.raises(TextrnnError):
        TextVectorizer().fit(["raw text"])
    with pytest.raises(TextrnnError):
        TextVectorizer().fit([[], []])  # empty vocabulary
    with pytest.raises(TextrnnError):
        TextVectorizer().transform([["a"]])
    with pytest.raises(TextrnnError):
        TextVectorizer(kind="count").fit(DOCS).idf_


def test_top_terms_orders_by_weight_then_term():
    X = sp.csr_matrix(np.array([[0.5, 0.0, 0.5, 0.9]]))
    assert top_terms(X, ["b", "x", "a", "z"], 0, 3) == [("z", 0.9), ("a", 0.5), ("b", 0.5)]


# (min_df, max_df, documents, the error's words or None)
DF_BOUNDS = [
    (5, 1.0, 3, "min_df=5 keeps terms found in at least 5 documents, but there are 3 documents; expected min_df <= 3"),
    (2, 1.0, 3, None),
    (2, 0.3, 3, "min_df=2 and max_df=0.3 (0.9 of 3 documents) leave no term: a term needs at least 2 and at most 0.9 "
                "of the 3 documents"),
    (0.9, 2, 3, "min_df=0.9 (2.7 of 3 documents) and max_df=2 leave no term"),
    (0.5, 2, 3, None),
    (1, 1.0, 3, None),
]


@pytest.mark.parametrize("min_df,max_df,n_docs,error", DF_BOUNDS)
def test_min_df_and_max_df_are_checked_against_the_document_count(min_df, max_df, n_docs, error):
    docs = [["кот", "спит"], ["кот", "ест"], ["пес", "спит"]][:n_docs]
    vec = TextVectorizer(kind="count", min_df=min_df, max_df=max_df)
    if error is None:
        assert vec.fit_transform(docs).shape[0] == n_docs
        return
    with pytest.raises(TextrnnError) as e:
        vec.fit_transform(docs)
    assert str(e.value).startswith(error)
