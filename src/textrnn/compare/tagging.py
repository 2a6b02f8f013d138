"""Taggers side by side: tagging specs, training each on the same data and seeds, one table.

Grammar::

    spec    := name [":" option ("," option)*]
    name    := "most-frequent"                     the most-frequent-tag baseline
             | "default"                           exactly what ``textrnn tag train`` builds
             | ["bi"] cell "-" ("crf" | "softmax")  cell in rnn, lstm, gru (the encoder is always bidirectional)

Options: ``char`` (cnn, lstm, none), ``navec`` (0/1: frozen navec vectors, else none),
``morph`` (0/1: pymorphy3 features), ``hidden``, ``layers``, ``emb`` (word embedding size),
``dropout``, ``word_dropout``, ``scheme`` (bio, bioes), ``epochs``, ``lr``, ``batch``, ``patience``.
Examples: ``most-frequent``, ``bilstm-crf``, ``bilstm-softmax:char=lstm,navec=0``.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any, Sequence

from textrnn.compare.specs import _convert
from textrnn.errors import TextrnnError

NAME_RE = re.compile(r"^(?:bi)?(?P<cell>rnn|lstm|gru)-(?P<head>crf|softmax)$")
KEYS = {"char": str, "navec": bool, "morph": bool, "hidden": int, "layers": int, "emb": int, "dropout": float,
        "word_dropout": float, "scheme": str, "epochs": int, "lr": float, "batch": int, "patience": int}
MODEL_FIELDS = {"char": "char", "hidden": "hidden_size", "layers": "num_layers", "emb": "embedding_dim",
                "dropout": "dropout", "word_dropout": "word_dropout"}
TRAIN_FIELDS = {"epochs": "epochs", "lr": "lr", "batch": "batch_size", "patience": "patience"}


def parse_tagging_spec(text: str) -> tuple[str, dict[str, Any]]:
    """``(name, options)`` of one spec.

    Raises:
        TextrnnError: unknown name or option, or a value of the wrong type.
    """
    name, _, rest = text.strip().partition(":")
    if name not in ("most-frequent", "default") and not NAME_RE.match(name):
        raise TextrnnError(f"tagging spec {text!r}: unknown model {name!r}; expected most-frequent, default, or e.g. "
                           f"bilstm-crf, bigru-softmax")
    options: dict[str, Any] = {}
    for part in filter(None, rest.split(",")):
        key, eq, value = part.partition("=")
        if not eq or key not in KEYS:
            raise TextrnnError(f"tagging spec {text!r}: unknown option {part!r}; expected some of {', '.join(KEYS)}")
        if key in options:
            raise TextrnnError(f"tagging spec {text!r}: option {key!r} is given twice")
        options[key] = _convert(key, value, KEYS[key], text)
    if name == "most-frequent" and options:
        raise TextrnnError(f"tagging spec {text!r}: most-frequent takes no options")
    return name, options


def build_tagger(text: str, seed: int, device: str = "cpu", threads: int | None = None):
    """The unfitted tagger a spec names (a :class:`~textrnn.baselines.most_frequent.MostFrequentTagger`
    for ``most-frequent``, else a :class:`~textrnn.training.tagger.SequenceTagger`)."""
    name, options = parse_tagging_spec(text)
    if name == "most-frequent":
        from textrnn.baselines.most_frequent import MostFrequentTagger

        return MostFrequentTagger()
    from textrnn.config import TaggerConfig, TaggerTrainConfig
    from textrnn.training.tagger import SequenceTagger

    model = {field: options[key] for key, field in MODEL_FIELDS.items() if key in options}
    match = NAME_RE.match(name)
    if match:
        model.update(cell=match["cell"], crf=match["head"] == "crf")
    train = {field: options[key] for key, field in TRAIN_FIELDS.items() if key in options}
    embeddings = "auto" if "navec" not in options else ("navec" if options["navec"] else None)
    return SequenceTagger(TaggerConfig(**model), TaggerTrainConfig(seed=seed, threads=threads, **train),
                          scheme=options.get("scheme", "bioes"), morph_features=options.get("morph", True),
                          embeddings=embeddings, device=device)


def compare_taggers(specs: Sequence[str], train, val, test, seeds: Sequence[int], device: str = "cpu",
                    threads: int | None = None, progress=None) -> dict:
    """Train every spec with every seed on ``train`` (``val`` picks the best epoch) and score it on
    ``test`` (:class:`~textrnn.data.tagged.TaggedSentences`).

    Returns:
        ``{"rows": [{spec, seeds, score, score_std, accuracy, accuracy_std, f1_<type>, seconds}], "entities": bool}``.
    """
    from textrnn.baselines.most_frequent import MostFrequentTagger
    from textrnn.tasks.schemes import is_entity_tagset

    for spec in specs:
        parse_tagging_spec(spec)  # every spec checked before any training
    entity_tags = is_entity_tagset({y for row in train.tags for y in row})
    rows = []
    for spec in specs:
        runs = []
        for seed in seeds:
            start = time.perf_counter()
            tagger = build_tagger(spec, seed, device, threads)
            baseline = isinstance(tagger, MostFrequentTagger)
            if baseline:
                tagger.scheme = "bio" if entity_tags else None
                tagger.fit(train.tokens, train.tags)
            else:
                tagger.fit(train.tokens, train.tags, val.tokens, val.tags, quiet=True)
            metrics = tagger.evaluate(test.tokens, test.tags)
            runs.append({"score": metrics["score"], "accuracy": metrics["accuracy"],
                         **{f"f1_{k}": v["f1"] for k, v in (metrics.get("entities") or {}).get("per_type", {}).items()},
                         "seconds": time.perf_counter() - start})
            if progress:
                progress(f"{spec} seed {seed}: score {metrics['score']:.4f} ({runs[-1]['seconds']:.0f}s)")
            if baseline:
                break  # no randomness: one run
        row: dict[str, Any] = {"spec": spec, "seeds": len(runs)}
        for key in runs[0]:
            values = [r[key] for r in runs]
            row[key] = statistics.mean(values)
            if key != "seconds":
                row[f"{key}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
        rows.append(row)
    return {"rows": rows, "entities": any("f1_" in k for r in rows for k in r)}


def format_tagging_table(report: dict) -> str:
    """A plain-text table, one row per spec: mean ± standard deviation over seeds."""
    types = sorted({k[3:] for r in report["rows"] for k in r if k.startswith("f1_") and not k.endswith("_std")})
    head = ["model", "seeds", "entity F1" if report["entities"] else "accuracy"] + \
           (["accuracy"] if report["entities"] else []) + [f"F1 {t}" for t in types] + ["seconds"]
    lines = [head]
    for r in report["rows"]:
        cells = [r["spec"], str(r["seeds"]), f"{r['score']:.4f} ± {r['score_std']:.4f}"]
        if report["entities"]:
            cells.append(f"{r['accuracy']:.4f}")
        cells += [f"{r.get(f'f1_{t}', 0.0):.4f}" for t in types] + [f"{r['seconds']:.0f}"]
        lines.append(cells)
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in lines)
