"""Which preprocessing for Russian classification? TF-IDF + logistic regression on the shared sets.

    python benchmarks/preprocess_variants.py [--data ../shared/data] [--negation]

Trains on ``train.csv`` and scores accuracy and macro-F1 on ``val.csv`` of rutweetcorp_sample,
sentirueval2015_banks and sentirueval2015_telecom for word normalisation none / stem / lemma
x stop words off / on (and, with ``--negation``, x negation off / on). Everything else is the
default pipeline (so RuTweetCorp's emoticon brackets are removed: the "hard" variant).

Fixed model: ``TfidfVectorizer`` on the tokens (word 1-2-grams, sublinear tf, min_df=1) +
``LogisticRegression(C=1, max_iter=2000)``; no tuning, the same for every variant.
A paired bootstrap over the validation texts (1,000 resamples) gives a 95 % interval for the
macro-F1 difference of each variant against the baseline (none, stop words off, no negation).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from textrnn.text import Preprocessor

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"
DATASETS = ("rutweetcorp_sample", "sentirueval2015_banks", "sentirueval2015_telecom")


def read(path: Path) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def identity(tokens):
    return tokens


def bigrams(tokens: list[str]) -> list[str]:
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def fit_predict(train_tokens, y_train, val_tokens):
    vec = TfidfVectorizer(analyzer=bigrams, sublinear_tf=True, min_df=1)
    x_train = vec.fit_transform(train_tokens)
    clf = LogisticRegression(C=1.0, max_iter=2000)
    clf.fit(x_train, y_train)
    return clf.predict(vec.transform(val_tokens))


def bootstrap_diff(y, pred_a, pred_b, n=1000, seed=0) -> tuple[float, float]:
    """95 % interval of macro-F1(b) - macro-F1(a), resampling validation texts (paired)."""
    rng = np.random.default_rng(seed)
    y, pred_a, pred_b = map(np.asarray, (y, pred_a, pred_b))
    diffs = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        diffs.append(f1_score(y[idx], pred_b[idx], average="macro") - f1_score(y[idx], pred_a[idx], average="macro"))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(lo), float(hi)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--negation", action="store_true", help="also compare negation on/off")
    args = ap.parse_args()

    norms = ("none", "stem", "lemma")
    stops = (False, True)
    negs = (False, True) if args.negation else (False,)
    variants = list(itertools.product(norms, stops, negs))
    results: dict[tuple, dict[str, tuple]] = {v: {} for v in variants}
    for name in DATASETS:
        x_train, y_train = read(args.data / name / "train.csv")
        x_val, y_val = read(args.data / name / "val.csv")
        base_pred = None
        for norm, stop, neg in variants:
            pre = Preprocessor(lemmatize=norm == "lemma", stem=norm == "stem", stopwords=stop, negation=neg)
            start = time.perf_counter()
            t_train, t_val = pre.transform(x_train), pre.transform(x_val)
            prep_s = time.perf_counter() - start
            pred = fit_predict(t_train, y_train, t_val)
            acc = accuracy_score(y_val, pred)
            f1 = f1_score(y_val, pred, average="macro")
            if base_pred is None:
                base_pred, ci = pred, (0.0, 0.0)
            else:
                ci = bootstrap_diff(y_val, base_pred, pred)
            results[(norm, stop, neg)][name] = (acc, f1, ci, prep_s)
            print(f"{name:24s} {norm:5s} stopwords={'on ' if stop else 'off'} negation={'on ' if neg else 'off'} "
                  f"acc {acc:.4f} macro-F1 {f1:.4f} (dF1 95% CI {ci[0]:+.3f}..{ci[1]:+.3f}) prep {prep_s:.1f}s",
                  flush=True)

    print()
    head = "| words | stop words | negation | " + " | ".join(f"{d} acc / macro-F1 (ΔF1 95% CI)" for d in DATASETS)
    print(head + " | mean acc / macro-F1 |")
    print("|" + "---|" * (4 + len(DATASETS)))
    for v in variants:
        cells = []
        for d in DATASETS:
            acc, f1, ci, _ = results[v][d]
            cells.append(f"{acc:.3f} / {f1:.3f} ({ci[0]:+.3f}..{ci[1]:+.3f})")
        mean_acc = np.mean([results[v][d][0] for d in DATASETS])
        mean_f1 = np.mean([results[v][d][1] for d in DATASETS])
        print(f"| {v[0]} | {'on' if v[1] else 'off'} | {'on' if v[2] else 'off'} | " + " | ".join(cells)
              + f" | {mean_acc:.3f} / {mean_f1:.3f} |")


if __name__ == "__main__":
    main()
