"""CLI commands for classification: ``train``, ``evaluate``, ``predict``, ``demo``."""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import List, Optional

import typer

from textrnn.commands_preprocess import (
    DigitsOpt,
    EmoticonsOpt,
    HashtagsOpt,
    HtmlOpt,
    LemmatizeOpt,
    LowercaseOpt,
    MentionsOpt,
    NegationOpt,
    PunctuationOpt,
    ReplaceStopwordsOpt,
    StemOpt,
    StopwordsFileOpt,
    StopwordsOpt,
    TokenizerOpt,
    UrlsOpt,
    WorkersOpt,
    YoOpt,
    preprocessor_from_cli,
)
from textrnn.csv_input import read_header, read_labeled_csv, read_texts
from textrnn.errors import TextrnnError
from textrnn.io import atomic_write_text, check_out_dir, check_output_file, read_model_config

# torch, scikit-learn and the models are imported inside the commands, so that
# `textrnn --help` and `textrnn preprocess` start fast.


class Cell(str, Enum):
    lstm = "lstm"
    gru = "gru"
    rnn = "rnn"
    tfidf_lr = "tfidf-lr"


class Lang(str, Enum):
    ru = "ru"
    en = "en"


def parse_range(value: str, option: str) -> tuple[int, int]:
    """``"1,2"`` -> ``(1, 2)``; raises TextrnnError naming the option."""
    parts = value.replace("-", ",").split(",")
    try:
        lo, hi = (int(x) for x in parts)
    except ValueError:
        raise TextrnnError(f"{option} must look like 1,2 (two integers), got {value!r}") from None
    if lo < 1 or hi < lo:
        raise TextrnnError(f"{option} must be MIN,MAX with 1 <= MIN <= MAX, got {value!r}")
    return lo, hi


class Pooling(str, Enum):
    last = "last"
    mean = "mean"
    max = "max"
    attention = "attention"


def _print_metrics(metrics: dict, labels: list[str]) -> None:
    print(f"n {metrics['n']}  accuracy {metrics['accuracy']:.4f}  macro_f1 {metrics['macro_f1']:.4f}")
    width = max(len(x) for x in labels + ["label"])
    print(f"{'label':<{width}}  precision  recall  f1      support")
    for name in labels:
        m = metrics["per_class"][name]
        print(f"{name:<{width}}  {m['precision']:<9.4f}  {m['recall']:<6.4f}  {m['f1']:<6.4f}  {m['support']}")


def train_command(
    train_csv: Path = typer.Argument(..., help="Training CSV with a text and a label column."),
    val: Optional[Path] = typer.Option(None, "--val", help="Validation CSV (early stopping). Default: 10% of TRAIN held out."),
    out: Path = typer.Option(..., "--out", help="Model directory to create."),
    text_col: str = typer.Option("text", "--text-col", help="Column with the texts."),
    label_col: Optional[str] = typer.Option(None, "--label-col", help="Column with the labels [default: label, else class]."),
    model: Cell = typer.Option(Cell.gru, "--model", help="Recurrent cell."),
    epochs: int = typer.Option(8, "--epochs", help="Most passes over the training data."),
    batch_size: int = typer.Option(64, "--batch-size", help="Texts per batch."),
    lr: float = typer.Option(2e-3, "--lr", help="Adam learning rate."),
    weight_decay: float = typer.Option(0.0, "--weight-decay", help="AdamW weight decay."),
    clip_grad_norm: float = typer.Option(1.0, "--clip-grad-norm", help="Largest global L2 norm of the gradients; 0 = no clipping."),
    max_len: int = typer.Option(64, "--max-len", help="Tokens kept per text (the first ones)."),
    max_vocab: int = typer.Option(30000, "--max-vocab", help="Most vocabulary entries, <pad> and <unk> included."),
    min_freq: int = typer.Option(1, "--min-freq", help="Occurrences a token needs to enter the vocabulary."),
    embedding_dim: int = typer.Option(128, "--embedding-dim", help="Token embedding size."),
    hidden_size: int = typer.Option(128, "--hidden-size", help="Hidden state size per direction."),
    num_layers: int = typer.Option(1, "--num-layers", help="Stacked recurrent layers."),
    dropout: float = typer.Option(0.3, "--dropout", help="Dropout between layers and before the output layer."),
    embedding_dropout: float = typer.Option(0.3, "--embedding-dropout", help="Dropout on embeddings."),
    bidirectional: bool = typer.Option(True, "--bidirectional/--unidirectional", help="Also read texts backwards."),
    pooling: Pooling = typer.Option(Pooling.max, "--pooling", help="How token states become one text vector."),
    seed: int = typer.Option(13, "--seed", help="Random seed (weights, dropout, batch order)."),
    patience: int = typer.Option(2, "--patience", help="Epochs without improvement before stopping (0: never)."),
    monitor: str = typer.Option("macro_f1", "--monitor", help="Validation metric for early stopping: macro_f1, accuracy, val_loss."),
    class_weight: Optional[str] = typer.Option(None, "--class-weight", help="'balanced' to weight classes by inverse frequency."),
    embeddings: Optional[str] = typer.Option(None, "--embeddings", help="Pretrained vectors: navec (news vectors in the natasha wheel), a navec .tar archive, or a word2vec/GloVe text file."),
    freeze_embeddings: bool = typer.Option(False, "--freeze-embeddings", help="Keep pretrained vectors fixed."),
    subword_buckets: int = typer.Option(20000, "--subword-buckets", help="Add fastText-style character 3-5-gram embeddings hashed into N buckets (0: off)."),
    lang: Lang = typer.Option(Lang.ru, "--lang", help="Language of the texts (stemmer, stop words)."),
    lemmatize: Optional[bool] = typer.Option(
        None, "--lemmatize/--no-lemmatize",
        help="Replace words by their pymorphy3 lemma. Default: on for recurrent models with --lang ru (unless --stem), off otherwise."),
    stem: StemOpt = False,
    stopwords: StopwordsOpt = False,
    stopwords_file: StopwordsFileOpt = None,
    replace_stopwords: ReplaceStopwordsOpt = False,
    negation: NegationOpt = False,
    emoticons: EmoticonsOpt = "remove",
    digits: DigitsOpt = "keep",
    hashtags: HashtagsOpt = "word",
    tokenizer: TokenizerOpt = "razdel",
    lowercase: LowercaseOpt = True,
    remove_punctuation: PunctuationOpt = True,
    strip_html: HtmlOpt = True,
    remove_urls: UrlsOpt = True,
    remove_mentions: MentionsOpt = True,
    replace_yo: YoOpt = True,
    workers: WorkersOpt = 1,
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Keep preprocessed files on disk ($TEXTRNN_CACHE_DIR or ~/.cache/textrnn)."),
    analyzer: str = typer.Option("word", "--analyzer", help="tfidf-lr only: word, char_wb or word+char."),
    ngram_range: str = typer.Option("1,2", "--ngram-range", help="tfidf-lr only: word n-gram range MIN,MAX."),
    c: float = typer.Option(4.0, "--C", help="tfidf-lr only: inverse regularisation strength of logistic regression."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N."),
    threads: Optional[int] = typer.Option(None, "--threads", help="CPU threads for torch [default: one per core]."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing model directory."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or per-epoch log."),
) -> None:
    """Train a classifier (recurrent, or the tfidf-lr baseline) on a labelled CSV and save it to --out."""
    from textrnn.preprocessing import transform_file_cached
    from textrnn.training import set_threads

    check_out_dir(out, force)  # fail before any work
    set_threads(threads)
    if lemmatize is None:  # the measured Russian default (benchmarks/RESULTS.md, "The train default")
        lemmatize = model != Cell.tfidf_lr and lang == Lang.ru and not stem
    pre = preprocessor_from_cli(
        lemmatize=lemmatize, stem=stem, stopwords=stopwords, negation=negation, lang=lang.value,
        stopwords_file=stopwords_file, replace_stopwords=replace_stopwords, emoticons=emoticons, digits=digits,
        hashtags=hashtags, tokenizer=tokenizer, lowercase=lowercase, remove_punctuation=remove_punctuation,
        strip_html=strip_html, remove_urls=remove_urls, remove_mentions=remove_mentions, replace_yo=replace_yo,
    )
    if model == Cell.tfidf_lr:
        from textrnn.baseline import TfidfLogisticRegression
        from textrnn.devices import resolve_device
        from textrnn.models import ModelConfig
        from textrnn.training import TrainConfig

        resolve_device(device)  # unused by TF-IDF, but a bad value is an error here too
        # the recurrent options do not apply, but a bad value is still an error (not silently ignored)
        ModelConfig(embedding_dim=embedding_dim, hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
                    embedding_dropout=embedding_dropout, subword_buckets=subword_buckets).validate()
        TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay, patience=patience,
                    monitor=monitor, clip_grad_norm=clip_grad_norm).validate()

        clf = TfidfLogisticRegression(preprocessor=pre, analyzer=analyzer, word_ngram_range=parse_range(ngram_range, "--ngram-range"),
                                      C=c, seed=seed)
    else:
        clf = _recurrent(pre, model, epochs, batch_size, lr, weight_decay, max_len, max_vocab, min_freq, embedding_dim,
                         hidden_size, num_layers, dropout, embedding_dropout, bidirectional, pooling, seed, patience,
                         monitor, class_weight, device, embeddings, freeze_embeddings, subword_buckets, clip_grad_norm)
    train = read_labeled_csv(train_csv, text_col, label_col)
    val_data = read_labeled_csv(val, text_col, train.label_col if label_col is None and train.label_col != "label" else label_col) if val else None
    tokenize = (lambda path, texts: transform_file_cached(path, texts, pre, workers=workers, quiet=quiet)) if cache else (
        lambda path, texts: pre.transform(texts, workers=workers))
    train_tokens = tokenize(train_csv, train.texts)
    val_tokens = tokenize(val, val_data.texts) if val_data else None
    start = time.perf_counter()
    clf.fit(train.texts, train.labels, val_data.texts if val_data else None, val_data.labels if val_data else None, quiet=quiet,
            train_tokens=train_tokens, val_tokens=val_tokens)
    clf.summary_["total_seconds"] = time.perf_counter() - start
    extra = {"data": {"train": str(train_csv), "val": str(val) if val else None, "text_col": text_col, "label_col": train.label_col}}
    clf.save(out, force=force, extra=extra)
    v = clf.summary_.get("val") or {}
    shown = f"val accuracy {v['accuracy']:.4f}  val macro_f1 {v['macro_f1']:.4f}  " if v else ""
    best = f"best epoch {clf.summary_['best_epoch']}  " if "best_epoch" in clf.summary_ else ""
    print(f"saved {out}  {best}{shown}({clf.summary_['total_seconds']:.1f}s)")


def _recurrent(pre, model, epochs, batch_size, lr, weight_decay, max_len, max_vocab, min_freq, embedding_dim, hidden_size,
               num_layers, dropout, embedding_dropout, bidirectional, pooling, seed, patience, monitor, class_weight,
               device, embeddings, freeze_embeddings, subword_buckets=0, clip_grad_norm=1.0):
    from textrnn.classifier import RecurrentTextClassifier, VocabConfig
    from textrnn.models import ModelConfig
    from textrnn.training import TrainConfig

    return RecurrentTextClassifier(
        preprocessor=pre,
        vocab_config=VocabConfig(max_size=max_vocab, min_freq=min_freq, max_len=max_len),
        model_config=ModelConfig(
            cell=model.value, embedding_dim=embedding_dim, hidden_size=hidden_size, num_layers=num_layers,
            dropout=dropout, embedding_dropout=embedding_dropout, bidirectional=bidirectional, pooling=pooling.value,
            subword_buckets=subword_buckets,
        ).validate(),
        train_config=TrainConfig(
            epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay, seed=seed,
            patience=patience, monitor=monitor, class_weight=class_weight, clip_grad_norm=clip_grad_norm,
        ).validate(),
        device=device,
        embeddings=embeddings,
        freeze_embeddings=freeze_embeddings,
    )


def evaluate_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn train`."),
    test_csv: Path = typer.Argument(..., help="Labelled CSV to score."),
    text_col: Optional[str] = typer.Option(None, "--text-col", help="Text column [default: the one used in training]."),
    label_col: Optional[str] = typer.Option(None, "--label-col", help="Label column [default: the one used in training if the file has it, else label, else class]."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N."),
) -> None:
    """Score a trained model on a labelled CSV: accuracy, macro-F1, per-class scores."""
    from textrnn.classifier import load_classifier

    clf = load_classifier(run_dir, device=device)
    trained_on = read_model_config(run_dir).get("data") or {}
    if label_col is None and trained_on.get("label_col") in read_header(test_csv):
        label_col = trained_on["label_col"]  # the training label column, where the file has it
    data = read_labeled_csv(test_csv, text_col or trained_on.get("text_col") or "text", label_col)
    metrics = clf.evaluate(data.texts, data.labels)
    if as_json:
        print(json.dumps({k: metrics[k] for k in ("accuracy", "macro_f1", "n", "per_class", "confusion_matrix", "seconds")}, ensure_ascii=False))
    else:
        _print_metrics(metrics, clf.labels_)


def predict_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn train`."),
    texts: Optional[List[str]] = typer.Argument(None, help="Texts to classify."),
    input_csv: Optional[Path] = typer.Option(None, "--input", help="CSV with texts to classify."),
    output: Optional[Path] = typer.Option(None, "--output", help="CSV to write (input columns + label_pred + p_<label>)."),
    text_col: Optional[str] = typer.Option(None, "--text-col", help="Text column of --input [default: the one used in training, else text]."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
    batch_size: int = typer.Option(256, "--batch-size", help="Texts per batch."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --output file."),
) -> None:
    """Predict labels and class probabilities for texts given as arguments or in a CSV."""
    from textrnn.classifier import load_classifier

    if texts and input_csv:
        raise TextrnnError("give texts as arguments or --input CSV, not both")
    if not texts and not input_csv:
        raise TextrnnError("nothing to predict: give texts as arguments or --input CSV")
    if output and not input_csv:
        raise TextrnnError("--output needs --input")
    if output and output.exists() and output.resolve() == input_csv.resolve():
        raise TextrnnError(f"--output {str(output)!r} is the input file; expected a different path")
    check_output_file(output, force)
    if batch_size < 1:
        raise TextrnnError(f"batch-size must be >= 1, got {batch_size}")
    clf = load_classifier(run_dir, device=device)
    if input_csv:
        if text_col is None:
            text_col = (read_model_config(run_dir).get("data") or {}).get("text_col") or "text"
        df, items = read_texts(input_csv, text_col)
        added = ["label_pred"] + [f"p_{name}" for name in clf.labels_]
        clash = [c for c in added if c in df.columns]
        if output and clash:
            raise TextrnnError(f"{str(input_csv)!r} already has column(s) {clash}, which --output would overwrite; "
                               f"rename or drop them first")
    else:
        empty = [i + 1 for i, t in enumerate(texts) if not t.strip()]
        if empty:
            raise TextrnnError(f"text {empty[0]} is empty; give non-empty texts")
        df, items = None, list(texts)
    proba = clf.predict_proba(items, batch_size=batch_size)
    pred = [clf.labels_[i] for i in proba.argmax(1)]
    if output:
        out_df = df.copy()
        out_df["label_pred"] = pred
        for j, name in enumerate(clf.labels_):
            out_df[f"p_{name}"] = proba[:, j].round(6)
        atomic_write_text(output, out_df.to_csv(index=False))
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


def navec_available() -> bool:
    """True when the optional navec extra (navec + natasha's bundled vectors) is installed."""
    import importlib.util

    return importlib.util.find_spec("navec") is not None and importlib.util.find_spec("natasha") is not None


def demo_command(
    out: Optional[Path] = typer.Option(None, "--out", help="Also save the demo model here."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --out directory."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or per-epoch log."),
) -> None:
    """Train on the bundled Russian demo set, evaluate, and predict three sentences (< 1 min on 2 cores)."""
    from textrnn.classifier import RecurrentTextClassifier, VocabConfig
    from textrnn.models import ModelConfig
    from textrnn.preprocessing import Preprocessor
    from textrnn.training import TrainConfig

    if out:
        check_out_dir(out, force)
    ref = resources.files("textrnn") / "data" / "demo_ru_sentiment.csv"
    with resources.as_file(ref) as path:
        data = read_labeled_csv(path)
    from textrnn.classifier import stratified_split

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
                                 pooling="max" if embeddings else "mean", dropout=0.3, embedding_dropout=0.1),
        train_config=TrainConfig(epochs=25, batch_size=16, lr=3e-3, patience=6, seed=13),
        device="cpu",
    )
    clf.fit(pick(train_idx, data.texts), pick(train_idx, data.labels), pick(val_idx, data.texts), pick(val_idx, data.labels), quiet=quiet)
    metrics = clf.evaluate(pick(test_idx, data.texts), pick(test_idx, data.labels))
    print("test set:")
    _print_metrics(metrics, clf.labels_)
    print("predictions:")
    proba = clf.predict_proba(DEMO_SENTENCES)
    for text, p in zip(DEMO_SENTENCES, proba):
        print(f"  {clf.labels_[p.argmax()]:<8} p={p.max():.3f}  {text}")
    if out:
        clf.save(out, force=force)
        print(f"saved {out}; try: textrnn predict {out} \"ваш текст\"")


def explain_command(
    run_dir: Path = typer.Argument(..., help="Model directory of a recurrent classifier."),
    text: str = typer.Argument(..., help="The text to explain."),
    html_path: Optional[Path] = typer.Option(None, "--html", help="Write tokens shaded by weight as an HTML page."),
    png_path: Optional[Path] = typer.Option(None, "--png", help="Write a bar chart of token weights."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing --html / --png files."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N."),
) -> None:
    """Show each token's weight in a prediction: attention weights, or gradient x input saliency."""
    from textrnn.classifier import load_classifier
    from textrnn.explain import explain, to_html

    check_output_file(html_path, force, "--html")
    check_output_file(png_path, force, "--png")
    if png_path is not None and png_path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise TextrnnError(f"--png {str(png_path)!r}: expected a file name ending in .png (or .svg, .pdf)")
    if html_path is not None and png_path is not None and html_path.resolve() == png_path.resolve():
        raise TextrnnError(f"--html and --png are the same file {str(html_path)!r}; expected two different paths")
    clf = load_classifier(run_dir, device=device)
    exp = explain(clf, text)
    if as_json:
        print(json.dumps({"label": exp.label, "probabilities": exp.probabilities, "method": exp.method,
                          "tokens": exp.tokens, "scores": exp.scores}, ensure_ascii=False))
    else:
        probs = "  ".join(f"p({k})={v:.3f}" for k, v in exp.probabilities.items())
        print(f"predicted {exp.label}  {probs}  ({exp.method}; '?' marks words outside the vocabulary)")
        width = max(len(t) for t in exp.tokens)
        top = max(abs(s) for s in exp.scores) or 1.0
        for token, score in zip(exp.tokens, exp.scores):
            bar = ("+" if score >= 0 else "-") * max(0, round(20 * abs(score) / top))
            print(f"  {token:<{width}}  {score:+.4f}  {bar}")
    if html_path:
        atomic_write_text(html_path, to_html(exp))
        print(f"wrote {html_path}", file=sys.stderr)
    if png_path:
        from textrnn.plots import plot_token_weights

        plot_token_weights(exp.tokens, exp.scores, png_path, f"{exp.method}: predicted {exp.label}")
        print(f"wrote {png_path}", file=sys.stderr)
