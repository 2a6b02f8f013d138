"""Train several model specs on the same split and report them side by side.

:func:`compare_models` trains every spec (``tfidf-lr``, ``default``, ``bigru-max:hidden=256`` …, see
:mod:`textrnn.compare.specs`) once per seed on the same training / validation data, scores it on the
same test set and returns a JSON-ready report; :func:`format_table` renders it as a table
(Markdown or plain text) and :func:`write_report` writes ``compare.json`` and ``compare.md``.

Per model the report gives test accuracy and macro-F1 (mean and standard deviation over
seeds; sample std, ``ddof=1``; 0 for one seed), training seconds (``fit`` wall time on
already preprocessed tokens), prediction milliseconds per test text (``evaluate`` wall time,
preprocessing included, over the number of test texts) and the parameter count
(``tfidf-lr``: coefficients + intercepts; recurrent: trainable and frozen tensors).
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import textrnn
from textrnn.data.tables import LabeledTexts, label_key
from textrnn.devices import resolve_device
from textrnn.errors import TextrnnError
from textrnn.files import atomic_dir, write_json
from textrnn.compare.specs import ModelSpec, build_from_spec, parse_specs

REPORT_FORMAT = 1


def seed_list(seeds: int, first_seed: int = 13) -> list[int]:
    """``seeds`` consecutive seeds from ``first_seed``.

    Raises:
        TextrnnError: ``seeds`` < 1.
    """
    if seeds < 1:
        raise TextrnnError(f"seeds must be >= 1, got {seeds}")
    return [first_seed + i for i in range(seeds)]


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    values = [float(v) for v in values]
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def _check_specs(specs: Sequence[ModelSpec]) -> None:
    seen = set()
    for s in specs:
        if s.text in seen:
            raise TextrnnError(f"model spec {s.text!r} is given twice")
        seen.add(s.text)


def compare_models(
    train: LabeledTexts,
    test: LabeledTexts,
    specs: str | Sequence[ModelSpec],
    val: LabeledTexts | None = None,
    seeds: int = 1,
    first_seed: int = 13,
    device: str = "auto",
    log: Callable[[str], None] | None = None,
    progress: bool = False,
) -> dict:
    """Train each spec ``seeds`` times on ``train`` (``val`` for early stopping / reporting)
    and score it on ``test``.

    Texts are preprocessed once per distinct preprocessing configuration and the tokens are
    shared by all models and seeds that use it.

    Args:
        train, val, test: labelled data (:func:`textrnn.data.tables.read_labeled_csv`).
        specs: a comma-separated spec string or parsed specs.
        seeds: runs per spec, with seeds ``first_seed, first_seed + 1, …``.
        device: for the recurrent models.
        log: called with one progress line per run (``None``: silent).
        progress: a progress bar with its ETA while each recurrent model trains (on stderr, only
            when it is a terminal; :class:`~textrnn.training.callbacks.RunProgress`).

    Returns:
        A JSON-ready dict: ``{"models": [{"spec", "runs": [...], "summary": {...}}, ...], ...}``;
        see :func:`format_table` for the summary fields.

    Raises:
        TextrnnError: a bad spec, a duplicated spec, bad seeds, or test labels unknown to a model.
    """
    if isinstance(specs, str):
        specs = parse_specs(specs)
    specs = list(specs)
    _check_specs(specs)
    seed_values = seed_list(seeds, first_seed)
    resolve_device(device)  # a bad --device is an error even when only TF-IDF models are compared
    # Build every model once up front so a bad option fails before any training.
    for spec in specs:
        build_from_spec(spec, seed=seed_values[0], device=device)
    known = {label_key(y) for y in train.labels}
    unknown = sorted({y for y in test.labels if label_key(y) not in known})
    if unknown:
        raise TextrnnError(f"test labels {unknown[:10]} do not occur in the training data")
    log = log or (lambda _msg: None)
    token_cache: dict[str, tuple[list, list | None, float]] = {}
    models = []
    n_runs = len(specs) * len(seed_values)
    for spec in specs:
        runs = []
        for seed in seed_values:
            clf = build_from_spec(spec, seed=seed, device=device)
            if progress and hasattr(clf, "callbacks"):  # the recurrent models: tfidf-lr trains in seconds
                from textrnn.training.callbacks import RunProgress

                done = len(models) * len(seed_values) + len(runs)
                clf.callbacks.append(RunProgress(f"{spec.text} seed {seed} (run {done + 1}/{n_runs})"))
            key = json.dumps(clf.preprocessor.to_dict(), sort_keys=True, ensure_ascii=False)
            if key not in token_cache:
                start = time.perf_counter()
                tr_tok = clf.preprocessor.transform(train.texts)
                va_tok = clf.preprocessor.transform(val.texts) if val is not None else None
                token_cache[key] = (tr_tok, va_tok, time.perf_counter() - start)
                log(f"preprocessed {len(train.texts)} + {len(val.texts) if val else 0} texts in {token_cache[key][2]:.1f}s")
            tr_tok, va_tok, _ = token_cache[key]
            start = time.perf_counter()
            clf.fit(train.texts, train.labels, val.texts if val else None, val.labels if val else None,
                    quiet=True, train_tokens=tr_tok, val_tokens=va_tok)
            train_seconds = time.perf_counter() - start
            metrics = clf.evaluate(test.texts, test.labels)
            val_metrics = (clf.summary_ or {}).get("val")
            run = {
                "seed": seed,
                "test": {k: metrics[k] for k in ("n", "accuracy", "macro_f1", "per_class", "confusion_matrix", "top_confusions")
                         if k in metrics},
                "val": {k: val_metrics[k] for k in ("accuracy", "macro_f1")} if val_metrics else None,
                "train_seconds": train_seconds,
                "predict_ms_per_text": metrics["seconds"] / max(1, metrics["n"]) * 1000.0,
                "n_parameters": int(clf.n_parameters()),
                **{k: clf.summary_[k] for k in ("best_epoch", "converged", "n_features") if k in (clf.summary_ or {})},
            }
            runs.append(run)
            log(f"{spec.text} seed {seed}: test accuracy {run['test']['accuracy']:.4f}  macro_f1 "
                f"{run['test']['macro_f1']:.4f}  train {train_seconds:.1f}s  "
                f"predict {run['predict_ms_per_text']:.3f} ms/text  {run['n_parameters']:,} parameters")
        acc = _mean_std([r["test"]["accuracy"] for r in runs])
        f1 = _mean_std([r["test"]["macro_f1"] for r in runs])
        models.append({
            "spec": spec.text,
            "name": spec.name,
            "options": spec.options,
            "labels": list(clf.labels_),
            "runs": runs,
            "summary": {
                "accuracy_mean": acc[0], "accuracy_std": acc[1],
                "macro_f1_mean": f1[0], "macro_f1_std": f1[1],
                "train_seconds_mean": statistics.fmean(r["train_seconds"] for r in runs),
                "predict_ms_per_text_mean": statistics.fmean(r["predict_ms_per_text"] for r in runs),
                "n_parameters": runs[0]["n_parameters"],
            },
        })
    return {
        "format": REPORT_FORMAT,
        "textrnn_version": textrnn.__version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "data": {
            "train": {"path": train.path, "n": len(train.texts)},
            "val": {"path": val.path, "n": len(val.texts)} if val is not None else None,
            "test": {"path": test.path, "n": len(test.texts)},
            "text_col": train.text_col, "label_col": train.label_col,
        },
        "seeds": seed_values,
        "preprocess_seconds": {k: v[2] for k, v in token_cache.items()},
        "models": models,
    }


def _pm(mean: float, std: float, n: int) -> str:
    return f"{mean:.4f} ± {std:.4f}" if n > 1 else f"{mean:.4f}"


def table_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the comparison table (strings)."""
    header = ["model", "accuracy", "macro-F1", "train s", "predict ms/text", "parameters"]
    n = len(report["seeds"])
    rows = []
    for m in report["models"]:
        s = m["summary"]
        rows.append([
            m["spec"], _pm(s["accuracy_mean"], s["accuracy_std"], n), _pm(s["macro_f1_mean"], s["macro_f1_std"], n),
            f"{s['train_seconds_mean']:.1f}", f"{s['predict_ms_per_text_mean']:.3f}", f"{s['n_parameters']:,}",
        ])
    return header, rows


def format_table(report: dict, markdown: bool = False) -> str:
    """The comparison table: model, accuracy and macro-F1 on the test set (mean ± std over
    seeds when there is more than one), mean training seconds, prediction ms per text and
    parameter count. ``markdown`` gives a GitHub table, otherwise aligned plain text."""
    header, rows = table_rows(report)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows])


def format_markdown(report: dict, command: str | None = None) -> str:
    """``compare.md``: data, seeds, the table and (optionally) the command that produced it."""
    d = report["data"]
    lines = ["# textrnn compare", ""]
    if command:
        lines += ["```", command, "```", ""]
    lines.append(f"- train: `{d['train']['path']}` ({d['train']['n']} texts)")
    if d.get("val"):
        lines.append(f"- val: `{d['val']['path']}` ({d['val']['n']} texts)")
    lines.append(f"- test: `{d['test']['path']}` ({d['test']['n']} texts) — scores below are on the test set")
    lines.append(f"- seeds: {', '.join(str(s) for s in report['seeds'])}; textrnn {report['textrnn_version']}; {report['created']}")
    lines += ["", format_table(report, markdown=True), ""]
    return "\n".join(lines)


def write_report(report: dict, out: str | Path, force: bool = False, command: str | None = None) -> Path:
    """Write ``compare.json`` and ``compare.md`` into ``out`` atomically.

    Raises:
        TextrnnError: ``out`` exists and ``force`` is false.
    """
    with atomic_dir(out, force=force, marker="compare.json") as tmp:
        write_json(tmp / "compare.json", {**report, "command": command})
        (tmp / "compare.md").write_text(format_markdown(report, command), encoding="utf-8")
    return Path(out)

