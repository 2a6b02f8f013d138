"""``textrnn tag train | evaluate | predict``: token tagging (part of speech, named entities)."""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from textrnn.cli.options import FORCE, QUIET, TAG_EMBEDDINGS, TAG_MODEL, TAG_TRAINING, device_option, with_groups
from textrnn.errors import TextrnnError
from textrnn.files import atomic_write_text, check_out_dir, check_output_file

tag_app = typer.Typer(
    help="Token tagging: part-of-speech tags from CoNLL-U, named entities from token<TAB>tag files (BiLSTM-CRF).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Column(str, Enum):
    upos = "upos"
    xpos = "xpos"
    feats = "feats"


class Scheme(str, Enum):
    bio = "bio"
    bioes = "bioes"


class Format(str, Enum):
    text = "text"
    json = "json"
    conllu = "conllu"
    html = "html"


COLUMN = typer.Option(Column.upos, "--column", help="CoNLL-U column to tag: upos, xpos or feats (token<TAB>tag files: the tag).")


@tag_app.command("train")
@with_groups(model=TAG_MODEL, training=TAG_TRAINING, embeddings=TAG_EMBEDDINGS)
def train_command(
    train: Path = typer.Argument(..., help="Training file: CoNLL-U (.conllu) or token<TAB>tag lines, blank line between sentences."),
    val: Optional[Path] = typer.Option(None, "--val", help="Validation file (picks the best epoch). Default: the last 10% of TRAIN."),
    out: Path = typer.Option(..., "--out", help="Model directory to create."),
    column: Column = COLUMN,
    scheme: Scheme = typer.Option(Scheme.bioes, "--scheme", help="Entity tags are trained as bio or bioes (output: the file's scheme)."),
    morph: bool = typer.Option(True, "--morph/--no-morph", help="pymorphy3's grammatical classes of each word as features."),
    device: str = device_option(),
    force: bool = FORCE,
    quiet: bool = QUIET,
    as_json: bool = typer.Option(False, "--json", help="Print the validation metrics as one JSON object."),
    stopwords: bool = typer.Option(False, "--stopwords", hidden=True),
    negation: bool = typer.Option(False, "--negation", hidden=True),
    lemmatize: bool = typer.Option(False, "--lemmatize", hidden=True),
    stem: bool = typer.Option(False, "--stem", hidden=True),
    model: dict = None, training: dict = None, embeddings: dict = None,
) -> None:
    """Train a tagger (BiLSTM over words, characters and word features; --crf for a CRF output
    layer) and save it to --out. Prints the best validation score."""
    from textrnn.config import TaggerConfig, TaggerTrainConfig
    from textrnn.data.tagged import read_tagged
    from textrnn.training.tagger import SequenceTagger

    for name, given in (("--stopwords", stopwords), ("--negation", negation), ("--lemmatize", lemmatize), ("--stem", stem)):
        if given:
            raise TextrnnError(f"{name} does not apply to tagging: a tagger tags the tokens as given (one tag per "
                               f"token), so preprocessing that drops, merges or rewrites tokens is refused")
    check_out_dir(out, force)  # fail before any work
    tagger = SequenceTagger(TaggerConfig(**model), TaggerTrainConfig(**training), scheme=scheme.value,
                            morph_features=morph, device=device, **embeddings)
    data = read_tagged(train, column.value)
    val_data = read_tagged(val, column.value) if val else None
    start = time.perf_counter()
    tagger.fit(data.tokens, data.tags, val_data.tokens if val_data else None, val_data.tags if val_data else None,
               quiet=quiet)
    tagger.summary_["total_seconds"] = time.perf_counter() - start
    extra = {"data": {"train": str(train), "val": str(val) if val else None, "column": column.value}}
    tagger.save(out, force=force, extra=extra)
    v = tagger.summary_.get("val") or {}
    if as_json:
        print(json.dumps({"out": str(out), "best_epoch": tagger.summary_.get("best_epoch"),
                          "val": {k: v[k] for k in ("accuracy", "score", "f1") if k in v},
                          "seconds": round(tagger.summary_["total_seconds"], 2)}))
        return
    f1 = f"  val entity F1 {v['f1']:.4f}" if "f1" in v else ""
    print(f"saved {out}  best epoch {tagger.summary_.get('best_epoch')}  val accuracy {v.get('accuracy', 0):.4f}{f1}  "
          f"({tagger.summary_['total_seconds']:.1f}s)")


def _load_tagger(run_dir: Path, device: str):
    from textrnn.devices import auto_threads
    from textrnn.runs import load

    auto_threads()
    return load(run_dir, device=device, kind="tagger")


def _trained_column(tagger) -> str:
    data = tagger.record.get("data")
    column = data.get("column") if isinstance(data, dict) else None
    return column if column in ("upos", "xpos", "feats") else "upos"


def print_tag_metrics(m: dict) -> None:
    print(f"sentences {m['n_sentences']}  tokens {m['n_tokens']}  accuracy {m['accuracy']:.4f}")
    if "entities" in m:
        e = m["entities"]
        print(f"entities (strict)  precision {e['precision']:.4f}  recall {e['recall']:.4f}  f1 {e['f1']:.4f}  "
              f"macro_f1 {e['macro_f1']:.4f}")
        rows = e["per_type"]
    else:
        rows = m["per_tag"]
    width = max([len(k) for k in rows] + [3])
    print(f"{'tag':<{width}}  precision  recall  f1      support")
    for name, r in rows.items():
        print(f"{name:<{width}}  {r['precision']:<9.4f}  {r['recall']:<6.4f}  {r['f1']:<6.4f}  {r['support']}")
    if m.get("unseen_tags"):
        print(f"tags not seen in training (counted as errors): {m['unseen_tags']}")


@tag_app.command("evaluate")
def evaluate_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn tag train`."),
    test: Path = typer.Argument(..., help="Tagged file (CoNLL-U or token<TAB>tag) to score, gold tokens in."),
    column: Optional[Column] = typer.Option(None, "--column", help="CoNLL-U column [default: the one trained on]."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    device: str = device_option(),
) -> None:
    """Score a tagger: token accuracy and per-tag scores; for entity tags strict entity
    precision / recall / F1 per type, micro and macro (seqeval's strict IOB2 definition)."""
    from textrnn.data.tagged import read_tagged

    tagger = _load_tagger(run_dir, device)
    data = read_tagged(test, column.value if column else _trained_column(tagger))
    metrics = tagger.evaluate(data.tokens, data.tags)
    if as_json:
        print(json.dumps(metrics, ensure_ascii=False))
    else:
        print_tag_metrics(metrics)


@tag_app.command("predict")
def predict_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn tag train`."),
    texts: Optional[List[str]] = typer.Argument(None, help="Raw texts to tag (razdel splits sentences and tokens)."),
    input_file: Optional[Path] = typer.Option(None, "--input", help="UTF-8 file, one text per line (or a .conllu file: its tokens are kept)."),
    output: Optional[Path] = typer.Option(None, "--output", help="File to write [default: stdout]; .conllu / .json / .html pick --format."),
    fmt: Optional[Format] = typer.Option(None, "--format", help="text (token/TAG and entity spans), json (one object per text), conllu or html."),
    probs: bool = typer.Option(False, "--probs", help="Add each tag's probability (CRF marginals or softmax) to json output."),
    batch_size: int = typer.Option(128, "--batch-size", help="Sentences per batch."),
    device: str = device_option(),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --output file."),
) -> None:
    """Tag texts given as arguments or in a file."""
    from textrnn.inference.tag_views import format_conllu, format_html, format_text

    if texts and input_file:
        raise TextrnnError("give texts as arguments or --input FILE, not both")
    if not texts and not input_file:
        raise TextrnnError("nothing to tag: give texts as arguments or --input FILE")
    if output and input_file and output.exists() and output.resolve() == input_file.resolve():
        raise TextrnnError(f"--output {str(output)!r} is the input file; expected a different path")
    check_output_file(output, force)
    if batch_size < 1:
        raise TextrnnError(f"--batch-size must be >= 1, got {batch_size}")
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = Format(suffix) if suffix in ("conllu", "json", "html") else Format.text
    if probs and fmt != Format.json:
        raise TextrnnError(f"--probs needs --format json (the {fmt.value} output has no place for probabilities)")
    tagger = _load_tagger(run_dir, device)
    items = texts
    if input_file:
        results = _predict_file(tagger, input_file, batch_size, probs)
    else:
        empty = [i + 1 for i, t in enumerate(items) if not t.strip()]
        if empty:
            raise TextrnnError(f"text {empty[0]} is empty; give non-empty texts")
        results = tagger.predict_text(list(items), batch_size, probs)
    if fmt == Format.json:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    elif fmt == Format.conllu:
        column = "misc" if tagger.output_scheme else _trained_column(tagger)
        text = format_conllu(results, column)
    elif fmt == Format.html:
        text = format_html(results)
    else:
        text = "".join(format_text(r) + "\n" for r in results)
    if output:
        atomic_write_text(output, text, replace=force)
        print(f"wrote {len(results)} tagged text(s) to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _predict_file(tagger, path: Path, batch_size: int, probs: bool) -> list[dict]:
    """A .conllu file's own tokens tagged (offsets into its ``# text``-less token string), else one raw text per line."""
    from textrnn.data.tagged import read_conllu
    from textrnn.data.text_files import read_texts

    if path.suffix.lower() == ".conllu":
        sentences = read_conllu(path, "upos", require_tags=False).tokens
        result = tagger.predict(sentences, batch_size, probs)
        tags, chosen = result if probs else (result, None)
        out = []
        for k, (tokens, row) in enumerate(zip(sentences, tags)):
            text, at, items = " ".join(tokens), 0, []
            for i, (token, tag) in enumerate(zip(tokens, row)):
                items.append({"text": token, "start": at, "end": at + len(token), "tag": tag, "sentence": 0,
                              **({"prob": chosen[k][i]} if probs else {})})
                at += len(token) + 1
            out.append(tagger.result(text, items))
        return out
    lines = read_texts([path]).split("\n")
    lines = lines[:-1] if lines and lines[-1] == "" else lines
    empty = [i + 1 for i, t in enumerate(lines) if not t.strip()]
    if empty:
        raise TextrnnError(f"{str(path)!r} line {empty[0]} is empty; give one non-empty text per line")
    return tagger.predict_text(lines, batch_size, probs)


@tag_app.command("compare")
def compare_command(
    train: Path = typer.Argument(..., help="Training file (CoNLL-U or token<TAB>tag)."),
    val: Path = typer.Option(..., "--val", help="Validation file (picks each model's best epoch)."),
    test: Path = typer.Option(..., "--test", help="Test file the table reports."),
    models: str = typer.Option("most-frequent,bilstm-softmax,bilstm-crf", "--models",
                               help="Comma-separated tagging specs, e.g. most-frequent, bilstm-crf, "
                                    "bilstm-softmax:char=lstm,navec=0 (options after ':', joined by ',').",),
    column: Column = COLUMN,
    seeds: int = typer.Option(1, "--seeds", min=1, max=100, help="Seeds per model (mean ± standard deviation)."),
    threads: Optional[int] = typer.Option(None, "--threads", min=1, help="CPU threads [default: one per core]."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
    device: str = device_option("cpu"),
) -> None:
    """Train several taggers on the same data and seeds and print one table of test scores
    (entity F1 for entity tags, else accuracy)."""
    from textrnn.compare.tagging import compare_taggers, format_tagging_table
    from textrnn.data.tagged import read_tagged
    from textrnn.devices import resolve_device

    resolve_device(device)
    specs = _split_specs(models)
    data = [read_tagged(p, column.value) for p in (train, val, test)]
    report = compare_taggers(specs, *data, seeds=list(range(13, 13 + seeds)), device=device, threads=threads,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(report) if as_json else format_tagging_table(report))


def _split_specs(text: str) -> list[str]:
    """``a,b:x=1,y=2,c`` -> ``["a", "b:x=1,y=2", "c"]``: a part with ``=`` and no ``:`` is an option of the spec before it."""
    specs: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" in part and ":" not in part and specs:
            specs[-1] += "," + part
        else:
            specs.append(part)
    if not specs:
        raise TextrnnError("--models is empty; expected comma-separated tagging specs", param="models")
    return specs
