"""CLI commands ``vectorize`` (bag of words / TF-IDF tables and matrices) and ``compare``
(several models on one split, side by side)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from textrnn.cli.options import ENCODING, SEP, parse_df
from textrnn.errors import TextrnnError


class Analyzer(str, Enum):
    word = "word"
    char_wb = "char_wb"
    word_char = "word+char"


def _preprocessor(lang: str, lemmatize: bool, stem: bool, stopwords: bool):
    from textrnn.text import Preprocessor

    return Preprocessor(lang=lang, lemmatize=lemmatize, stem=stem, stopwords=stopwords)


def vectorize_command(
    input_csv: Path = typer.Argument(..., help="CSV with a text column."),
    kind: str = typer.Option("tfidf", "--kind", help="binary, count, tfidf (scikit-learn) or textbook (lecture formulas)."),
    ngram_range: str = typer.Option("1,1", "--ngram-range", help="Word n-grams MIN,MAX, e.g. 1,2."),
    analyzer: str = typer.Option("word", "--analyzer", help="word, char_wb or word+char (not for --kind textbook)."),
    char_ngram_range: str = typer.Option("2,5", "--char-ngram-range", help="Character n-grams MIN,MAX for char_wb."),
    min_df: str = typer.Option("1", "--min-df", help="Drop terms in fewer documents (int) or a smaller fraction (float)."),
    max_df: str = typer.Option("1.0", "--max-df", help="Drop terms in more than this fraction of documents (a whole number above 1: this many documents)."),
    max_features: Optional[int] = typer.Option(None, "--max-features", help="Keep only the most frequent terms."),
    sublinear_tf: bool = typer.Option(False, "--sublinear-tf", help="tf -> 1 + ln(tf) (kind tfidf)."),
    top: int = typer.Option(5, "--top", help="Terms shown per document."),
    docs: int = typer.Option(10, "--docs", help="Documents shown (0: all)."),
    output: Optional[Path] = typer.Option(None, "--output", help="Write the matrix here (.npz, scipy sparse) "
                                          "and the vocabulary to the same name with .vocab.json, instead of printing."),
    text_col: str = typer.Option("text", "--text-col", help="Column with the texts."),
    encoding: Optional[str] = ENCODING,
    sep: Optional[str] = SEP,
    lang: str = typer.Option("ru", "--lang", help="Preprocessing language: ru or en."),
    lemmatize: bool = typer.Option(False, "--lemmatize", help="Lemmatise tokens (pymorphy3, Russian)."),
    stem: bool = typer.Option(False, "--stem", help="Stem tokens (Snowball)."),
    stopwords: bool = typer.Option(False, "--stopwords", help="Drop stop words."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing --output files."),
) -> None:
    """Bag-of-words or TF-IDF vectors of the texts in a CSV: the top-weighted terms per document, or the matrix."""
    import numpy as np
    import scipy.sparse as sp

    from textrnn.baselines.vectorize import KINDS, TextVectorizer, textbook_tfidf, top_terms
    from textrnn.checks import parse_range
    from textrnn.data.tables import read_texts
    from textrnn.files import check_output_file, write_json

    kinds = KINDS + ("textbook",)
    if kind not in kinds:
        raise TextrnnError(f"--kind {kind!r} is unknown; expected one of {', '.join(kinds)}")
    word_range = parse_range(ngram_range, "ngram_range")
    char_range = parse_range(char_ngram_range, "char_ngram_range")
    if analyzer not in [a.value for a in Analyzer]:
        raise TextrnnError(f"--analyzer {analyzer!r} is unknown; expected word, char_wb or word+char")
    if kind == "textbook" and analyzer != "word":
        raise TextrnnError(f"--kind textbook counts whole word tokens; --analyzer {analyzer!r} is not supported with it")
    if top < 1:
        raise TextrnnError(f"--top must be >= 1, got {top}")
    if docs < 0:
        raise TextrnnError(f"--docs must be >= 0, got {docs}")
    vocab_path = None
    if output is not None:
        if output.suffix != ".npz":
            raise TextrnnError(f"--output {str(output)!r} must end with .npz")
        vocab_path = output.with_suffix(".vocab.json")
        for p in (output, vocab_path):
            check_output_file(p, force)  # not a directory, its directory exists, not overwritten without --force
    _, texts = read_texts(input_csv, text_col, encoding, sep)
    pre = _preprocessor(lang, lemmatize, stem, stopwords)
    tokens = pre.transform(texts)
    if kind == "textbook":
        X, terms, idf = textbook_tfidf(tokens, word_range)
        vocab = {"kind": kind, "ngram_range": list(word_range), "terms": terms, "idf": [float(x) for x in idf],
                 "idf_formula": "log10(n_docs / df)", "tf_formula": "n_t / sum_k n_k"}
    else:
        vec = TextVectorizer(kind=kind, analyzer=analyzer, word_ngram_range=word_range, char_ngram_range=char_range,
                             min_df=parse_df(min_df, "min_df"), max_df=parse_df(max_df, "max_df"),
                             max_features=max_features, sublinear_tf=sublinear_tf)
        X = vec.fit_transform(tokens)
        terms = vec.terms()
        vocab = {"kind": kind, **vec.params(), "terms": terms}
        if kind == "tfidf":
            vocab["idf"] = [float(x) for x in vec.idf_]
    vocab["preprocessing"] = pre.to_dict()
    if output is not None:
        from textrnn.files import atomic_file

        # both files or neither: each is written to a temporary file, renamed only when both are complete
        with atomic_file(output) as tmp_matrix, atomic_file(vocab_path) as tmp_vocab:
            sp.save_npz(tmp_matrix, sp.csr_matrix(X, dtype=np.float64), compressed=True)
            write_json(tmp_vocab, vocab)
        print(f"wrote {X.shape[0]} x {X.shape[1]} {kind} matrix ({X.nnz} non-zeros) to {output} "
              f"and its vocabulary to {vocab_path}", file=sys.stderr)
        return
    print(f"{X.shape[0]} documents x {X.shape[1]} terms ({kind}, {X.nnz} non-zeros)")
    shown = range(X.shape[0]) if docs == 0 else range(min(docs, X.shape[0]))
    for i in shown:
        text = " ".join(texts[i].split())
        print(f"doc {i + 1}: {text[:70] + '…' if len(text) > 70 else text}")
        pairs = top_terms(X, terms, i, top)
        if not pairs:
            print("  (no terms)")
        width = max((len(t) for t, _ in pairs), default=0)
        for t, w in pairs:
            value = f"{int(w)}" if kind in ("binary", "count") else f"{w:.4f}"
            print(f"  {t:<{width}}  {value}")


def compare_command(
    train_csv: Path = typer.Argument(..., help="Training CSV with a text and a label column."),
    test: Path = typer.Option(..., "--test", help="Test CSV: every model is scored on it."),
    val: Optional[Path] = typer.Option(None, "--val", help="Validation CSV (early stopping for recurrent models, "
                                       "reported only for tfidf-lr). Default: recurrent models hold out 10% of TRAIN."),
    models: str = typer.Option("tfidf-lr,tfidf-lr:analyzer=word+char,default", "--models",
                               help="Comma-separated model specs, e.g. tfidf-lr,tfidf-lr:analyzer=word+char,default,lstm,bigru-attn:hidden=256 (default = what `textrnn train` builds)."),
    seeds: int = typer.Option(1, "--seeds", help="Runs per model (seeds 13, 14, ...); the table shows mean ± std."),
    out: Path = typer.Option(..., "--out", help="Directory for compare.json and compare.md."),
    text_col: str = typer.Option("text", "--text-col", help="Column with the texts."),
    label_col: Optional[str] = typer.Option(None, "--label-col", help="Column with the labels [default: label, else class]."),
    encoding: Optional[str] = ENCODING,
    sep: Optional[str] = SEP,
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N (recurrent models)."),
    threads: Optional[int] = typer.Option(None, "--threads", help="CPU threads for torch [default: one per core]."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out directory."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the final table (no progress bars, no log lines)."),
) -> None:
    """Train each model spec on the same split and print accuracy, macro-F1, time and size side by side."""
    from textrnn.compare.report import compare_models, format_table, seed_list, write_report
    from textrnn.compare.specs import parse_specs
    from textrnn.data.tables import read_labeled_csv
    from textrnn.devices import set_threads
    from textrnn.files import check_out_dir

    check_out_dir(out, force, "compare.json")  # fail before any work
    seed_list(seeds)
    specs = parse_specs(models)
    set_threads(threads)
    train = read_labeled_csv(train_csv, text_col, label_col, encoding, sep)
    other_col = label_col if label_col is not None else train.label_col
    val_data = read_labeled_csv(val, text_col, other_col, encoding, sep) if val else None
    test_data = read_labeled_csv(test, text_col, other_col, encoding, sep)
    log = None if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    report = compare_models(train, test_data, specs, val=val_data, seeds=seeds, device=device, log=log,
                            progress=not quiet)
    import shlex

    argv = ["textrnn", "compare", str(train_csv)] + (["--val", str(val)] if val else []) + [
        "--test", str(test), "--models", models, "--seeds", str(seeds), "--out", str(out)]
    if text_col != "text":
        argv += ["--text-col", text_col]
    if label_col is not None:
        argv += ["--label-col", label_col]
    argv += (["--encoding", encoding] if encoding else []) + (["--sep", sep] if sep else [])
    write_report(report, out, force=force, command=" ".join(shlex.quote(a) for a in argv))
    print(format_table(report))
    if not quiet:
        print(f"wrote {out / 'compare.json'} and {out / 'compare.md'}", file=sys.stderr)
