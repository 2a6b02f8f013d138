"""CLI commands for classification: ``train``, ``evaluate``, ``predict``, ``demo`` (``explain``: cli/explain.py)."""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import List, Optional

import typer

from textrnn.cli.options import (EMBEDDINGS, ENCODING, FORCE, MODEL, SEP, parse_df, QUIET, TFIDF, TRAINING, VOCAB, WORKERS, device_option,
                                 preprocessing_group, with_groups)
from textrnn.cli.preprocess import preprocessor_from_options
from textrnn.data.tables import read_header, read_labeled_csv, read_texts
from textrnn.errors import TextrnnError
from textrnn.files import atomic_write_text, check_out_dir, check_output_file

# torch, scikit-learn and the models are imported inside the commands, so that
# `textrnn --help` and `textrnn preprocess` start fast.


class Cell(str, Enum):
    gru = "gru"
    lstm = "lstm"
    rnn = "rnn"
    tfidf_lr = "tfidf-lr"


PREPROCESSING = preprocessing_group(
    "Replace words by their pymorphy3 lemma. Default: on for recurrent models with --lang ru (unless --stem), off otherwise.",
    lemmatize_default=None)


def print_metrics(metrics: dict, labels: list[str]) -> None:
    print(f"n {metrics['n']}  accuracy {metrics['accuracy']:.4f}  macro_f1 {metrics['macro_f1']:.4f}")
    width = max(len(x) for x in labels + ["label"])
    print(f"{'label':<{width}}  precision  recall  f1      support")
    for name in labels:
        m = metrics["per_class"][name]
        print(f"{name:<{width}}  {m['precision']:<9.4f}  {m['recall']:<6.4f}  {m['f1']:<6.4f}  {m['support']}")


def build_classifier(model: Cell, preprocessing: dict, vocab: dict, arch: dict, training: dict, embeddings: dict,
                     tfidf: dict, device: str):
    """The unfitted classifier the ``train`` options describe (every option checked, also those that
    do not apply to the chosen model)."""
    from textrnn.config import ModelConfig, TrainConfig, VocabConfig
    from textrnn.devices import resolve_device

    resolve_device(device)
    pre = preprocessor_from_options(recurrent=model != Cell.tfidf_lr, **preprocessing)
    vocab_config = VocabConfig(**vocab).validate()
    model_config = ModelConfig(cell=model.value if model != Cell.tfidf_lr else ModelConfig.cell, **arch).validate()
    train_config = TrainConfig(**training).validate()
    if model == Cell.tfidf_lr:  # the recurrent options do not apply, but a bad value is still an error
        from textrnn.data.vectors import check_embeddings_source
        from textrnn.tasks.classify import check_monitor

        check_monitor(train_config.monitor)
        if embeddings["embeddings"]:
            check_embeddings_source(embeddings["embeddings"])
        elif embeddings["freeze_embeddings"]:
            raise TextrnnError("--freeze-embeddings needs --embeddings: there are no pretrained vectors to freeze")
        from textrnn.baselines.tfidf_lr import TfidfLogisticRegression
        from textrnn.checks import parse_range

        return TfidfLogisticRegression(preprocessor=pre, analyzer=tfidf["analyzer"], C=tfidf["C"], seed=training["seed"],
                                       word_ngram_range=parse_range(tfidf["ngram_range"], "ngram_range"),
                                       min_df=parse_df(tfidf["min_df"], "min_df"), max_df=parse_df(tfidf["max_df"], "max_df"))
    from textrnn.training.classifier import RecurrentTextClassifier

    return RecurrentTextClassifier(pre, vocab_config, model_config, train_config, device=device, **embeddings)


@with_groups(preprocessing=PREPROCESSING, vocab=VOCAB, arch=MODEL, training=TRAINING, embeddings=EMBEDDINGS, tfidf=TFIDF)
def train_command(
    train_csv: Path = typer.Argument(..., help="Training CSV with a text and a label column."),
    val: Optional[Path] = typer.Option(None, "--val", help="Validation CSV (early stopping). Default: 10% of TRAIN held out."),
    out: Path = typer.Option(..., "--out", help="Model directory to create."),
    text_col: str = typer.Option("text", "--text-col", help="Column with the texts."),
    label_col: Optional[str] = typer.Option(None, "--label-col", help="Column with the labels [default: label, else class]."),
    model: Cell = typer.Option(Cell.gru, "--model", help="Recurrent cell, or the TF-IDF + logistic regression baseline."),
    encoding: Optional[str] = ENCODING,
    sep: Optional[str] = SEP,
    workers: int = WORKERS,
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Keep preprocessed files on disk ($TEXTRNN_CACHE_DIR or ~/.cache/textrnn)."),
    device: str = device_option(),
    force: bool = FORCE,
    quiet: bool = QUIET,
    preprocessing: dict = None, vocab: dict = None, arch: dict = None, training: dict = None, embeddings: dict = None,
    tfidf: dict = None,
) -> None:
    """Train a classifier (recurrent, or the tfidf-lr baseline) on a labelled CSV and save it to --out.

    Every default is the library's (textrnn.config): `textrnn train` builds the same model as
    RecurrentTextClassifier() and compare's `default` spec.
    """
    from textrnn.text import tokenize_file

    check_out_dir(out, force)  # fail before any work
    clf = build_classifier(model, preprocessing, vocab, arch, training, embeddings, tfidf, device)
    train = read_labeled_csv(train_csv, text_col, label_col, encoding, sep)
    val_label_col = train.label_col if label_col is None and train.label_col != "label" else label_col
    val_data = read_labeled_csv(val, text_col, val_label_col, encoding, sep) if val else None
    if val is None and model != Cell.tfidf_lr:  # the recurrent model holds validation out: can it?
        from textrnn.data.splits import check_holdout

        check_holdout(train.labels)  # before preprocessing a large file
    train_tokens = tokenize_file(train_csv, train.texts, clf.preprocessor, cache=cache, workers=workers, quiet=quiet)
    val_tokens = tokenize_file(val, val_data.texts, clf.preprocessor, cache=cache, workers=workers, quiet=quiet) if val else None
    start = time.perf_counter()
    clf.fit(train.texts, train.labels, val_data.texts if val_data else None, val_data.labels if val_data else None,
            quiet=quiet, train_tokens=train_tokens, val_tokens=val_tokens)
    clf.summary_["total_seconds"] = time.perf_counter() - start
    extra = {"data": {"train": str(train_csv), "val": str(val) if val else None, "text_col": text_col,
                      "label_col": train.label_col}}
    clf.save(out, force=force, extra=extra)
    v = clf.summary_.get("val") or {}
    shown = f"val accuracy {v['accuracy']:.4f}  val macro_f1 {v['macro_f1']:.4f}  " if v else ""
    best = f"best epoch {clf.summary_['best_epoch']}  " if "best_epoch" in clf.summary_ else ""
    print(f"saved {out}  {best}{shown}({clf.summary_['total_seconds']:.1f}s)")


def _load_classifier(run_dir: Path, device: str):
    from textrnn.runs import load

    return load(run_dir, device=device, kind="classifier")


def _trained_on(clf) -> dict:
    """The data section of the model's config.json (``text_col``, ``label_col``), or ``{}``."""
    data = clf.record.get("data")
    return data if isinstance(data, dict) else {}


def evaluate_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn train`."),
    test_csv: Path = typer.Argument(..., help="Labelled CSV to score."),
    text_col: Optional[str] = typer.Option(None, "--text-col", help="Text column [default: the one used in training]."),
    label_col: Optional[str] = typer.Option(None, "--label-col", help="Label column [default: the one used in training if the file has it, else label, else class]."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    encoding: Optional[str] = ENCODING,
    sep: Optional[str] = SEP,
    device: str = device_option(),
) -> None:
    """Score a trained model on a labelled CSV: accuracy, macro-F1, per-class scores."""
    clf = _load_classifier(run_dir, device)
    trained_on = _trained_on(clf)
    if label_col is None and trained_on.get("label_col") in read_header(test_csv, encoding, sep):
        label_col = trained_on["label_col"]  # the training label column, where the file has it
    data = read_labeled_csv(test_csv, text_col or trained_on.get("text_col") or "text", label_col, encoding, sep)
    metrics = clf.evaluate(data.texts, data.labels)
    if as_json:
        keys = ("accuracy", "macro_f1", "n", "per_class", "confusion_matrix", "top_confusions", "seconds")
        print(json.dumps({k: metrics[k] for k in keys if k in metrics}, ensure_ascii=False))
    else:
        print_metrics(metrics, clf.labels_)


def predict_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn train`."),
    texts: Optional[List[str]] = typer.Argument(None, help="Texts to classify."),
    input_csv: Optional[Path] = typer.Option(None, "--input", help="CSV with texts to classify."),
    output: Optional[Path] = typer.Option(None, "--output", help="CSV to write (input columns + label_pred + p_<label>)."),
    text_col: Optional[str] = typer.Option(None, "--text-col", help="Text column of --input [default: the one used in training, else text]."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
    batch_size: int = typer.Option(256, "--batch-size", help="Texts per batch."),
    encoding: Optional[str] = ENCODING,
    sep: Optional[str] = SEP,
    shard: Optional[str] = typer.Option(None, "--shard", help="I/N: predict only the I-th of N contiguous blocks of "
                                                               "--input's rows (0 <= I < N); the N outputs concatenated "
                                                               "in order (headers after the first dropped) equal the "
                                                               "unsharded output row for row."),
    device: str = device_option(),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --output file."),
) -> None:
    """Predict labels and class probabilities for texts given as arguments or in a CSV."""
    if texts and input_csv:
        raise TextrnnError("give texts as arguments or --input CSV, not both")
    if not texts and not input_csv:
        raise TextrnnError("nothing to predict: give texts as arguments or --input CSV")
    if output and not input_csv:
        raise TextrnnError("--output needs --input")
    if shard is not None:
        from textrnn.data.splits import parse_shard

        parse_shard(shard)  # fail before loading anything
        if not input_csv:
            raise TextrnnError("--shard splits the rows of --input; give --input CSV")
    if output and output.exists() and output.resolve() == input_csv.resolve():
        raise TextrnnError(f"--output {str(output)!r} is the input file; expected a different path")
    check_output_file(output, force)
    if batch_size < 1:
        raise TextrnnError(f"--batch-size must be >= 1, got {batch_size}")
    clf = _load_classifier(run_dir, device)
    if input_csv:
        df, items = read_texts(input_csv, text_col or _trained_on(clf).get("text_col") or "text", encoding, sep)
        if shard is not None:
            from textrnn.data.splits import shard_rows

            rows = shard_rows(len(items), shard)
            df, items = df.iloc[rows], items[rows]
        added = ["label_pred"] + [f"p_{name}" for name in clf.labels_]
        clash = [c for c in added if c in df.columns]
        if output and clash:
            raise TextrnnError(f"{str(input_csv)!r} already has column(s) {clash}, which --output would overwrite; "
                               f"rename or drop them first")
    else:
        df, items = None, list(texts)
    import numpy as np

    proba = clf.predict_proba(items, batch_size=batch_size) if items else np.zeros((0, len(clf.labels_)), np.float32)
    pred = [clf.labels_[i] for i in proba.argmax(1)]
    if output:
        out_df = df.copy()
        out_df["label_pred"] = pred
        for j, name in enumerate(clf.labels_):
            out_df[f"p_{name}"] = proba[:, j].round(6)
        atomic_write_text(output, out_df.to_csv(index=False), replace=force)
        print(f"wrote {len(out_df)} predictions to {output}", file=sys.stderr)
        return
    for text, label, p in zip(items, pred, proba):
        probs = {name: round(float(x), 6) for name, x in zip(clf.labels_, p)}
        if as_json:
            print(json.dumps({"text": text, "label": label, "probabilities": probs}, ensure_ascii=False))
        else:
            shown = "  ".join(f"p({k})={v:.3f}" for k, v in probs.items())
            print(f"{label}\t{shown}\t{text}")


DEMO_SENTENCES = [
    "Отличный сервис, всё привезли вовремя, спасибо!",
    "Ужасное обслуживание, больше никогда сюда не приду.",
    "Фильм мне совсем не понравился, зря потратил вечер.",
]


def demo_command(
    out: Optional[Path] = typer.Option(None, "--out", help="Also save the demo model here."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --out directory."),
    quiet: bool = QUIET,
) -> None:
    """Train on the bundled Russian demo set, evaluate, and predict three sentences (< 1 min on 2 cores)."""
    from textrnn.config import ModelConfig, TrainConfig, VocabConfig
    from textrnn.data.splits import stratified_split
    from textrnn.data.vectors import navec_available
    from textrnn.text import Preprocessor
    from textrnn.training.classifier import RecurrentTextClassifier

    if out:
        check_out_dir(out, force)
    with resources.as_file(resources.files("textrnn") / "data" / "demo_ru_sentiment.csv") as path:
        data = read_labeled_csv(path)
    rest, test_idx = stratified_split(data.labels, 0.2, seed=7)
    train_idx, val_idx = (rest[i] for i in stratified_split([data.labels[i] for i in rest], 0.125, seed=7))
    pick = lambda idx, xs: [xs[i] for i in idx]  # noqa: E731
    print(f"demo set (bundled, written for this demo): {len(data.texts)} Russian texts -> "
          f"{len(train_idx)} train / {len(val_idx)} validation / {len(test_idx)} test")
    # 315 training texts are too few to learn word meanings from scratch: with the navec extra
    # installed the demo starts from pretrained Russian vectors (lemmas match navec's word forms
    # better); without it, stems share what little data there is (measured: test accuracy
    # 0.78 vs 0.68, mean of 3 seeds).
    embeddings = "navec" if navec_available() else None
    print("embeddings: navec (pretrained Russian vectors), lemmatised tokens" if embeddings
          else "embeddings: random init, stemmed tokens (pip install 'textrnn[navec]' for pretrained vectors)")
    clf = RecurrentTextClassifier(
        preprocessor=Preprocessor(lemmatize=True) if embeddings else Preprocessor(stem=True),
        vocab_config=VocabConfig(max_size=20000, min_freq=1, max_len=48),
        embeddings=embeddings,
        model_config=ModelConfig(cell="gru", embedding_dim=64, hidden_size=64, bidirectional=True,
                                 pooling="max" if embeddings else "mean", dropout=0.3, embedding_dropout=0.1,
                                 subword_buckets=0),
        train_config=TrainConfig(epochs=25, batch_size=16, lr=3e-3, patience=6, seed=13),
        device="cpu",
    )
    clf.fit(pick(train_idx, data.texts), pick(train_idx, data.labels), pick(val_idx, data.texts),
            pick(val_idx, data.labels), quiet=quiet)
    metrics = clf.evaluate(pick(test_idx, data.texts), pick(test_idx, data.labels))
    print("test set:")
    print_metrics(metrics, clf.labels_)
    print("predictions:")
    for text, p in zip(DEMO_SENTENCES, clf.predict_proba(DEMO_SENTENCES)):
        print(f"  {clf.labels_[p.argmax()]:<8} p={p.max():.3f}  {text}")
    if out:
        clf.save(out, force=force)
        print(f"saved {out}; try: textrnn predict {out} \"ваш текст\"")
