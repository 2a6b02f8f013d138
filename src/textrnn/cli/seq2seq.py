"""``textrnn seq2seq train | evaluate | translate``: encoder-decoder with attention on text pairs (inflection, transliteration, translation)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from textrnn.cli.options import FORCE, QUIET, SEQ2SEQ_MODEL, SEQ2SEQ_TRAINING, device_option, with_groups
from textrnn.errors import TextrnnError
from textrnn.files import atomic_write_text, check_out_dir, check_output_file

seq2seq_app = typer.Typer(
    help="Sequence to sequence: an encoder-decoder with attention and beam search on source<TAB>target pairs "
         "(e.g. `textrnn data inflection`: lemma + tags -> word form).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

BEAM = typer.Option(5, "--beam", min=1, max=1000, help="Beam size; 1 = greedy decoding.")
ALPHA = typer.Option(0.6, "--alpha", min=0.0, max=10.0, help="Length normalisation exponent of beam search (GNMT); 0 = none.")


@seq2seq_app.command("train")
@with_groups(model=SEQ2SEQ_MODEL, training=SEQ2SEQ_TRAINING)
def train_command(
    train: Path = typer.Argument(..., help="UTF-8 file of source<TAB>target lines (rows with one source are alternatives)."),
    val: Optional[Path] = typer.Option(None, "--val", help="Validation pairs (pick the best epoch). Default: the pairs of "
                                                            "the last 10% of TRAIN's distinct sources."),
    out: Path = typer.Option(..., "--out", help="Model directory to create."),
    device: str = device_option(),
    force: bool = FORCE,
    quiet: bool = QUIET,
    as_json: bool = typer.Option(False, "--json", help="Print the validation metrics as one JSON object."),
    model: dict = None, training: dict = None,
) -> None:
    """Train an encoder-decoder (a bidirectional encoder, an attentive decoder, teacher forcing)
    and save it to --out. Prints the best validation exact match (greedy decoding)."""
    from textrnn.config import Seq2SeqConfig, Seq2SeqTrainConfig
    from textrnn.data.pairs import read_pairs
    from textrnn.training.seq2seq import Seq2Seq

    check_out_dir(out, force)  # fail before any work
    s2s = Seq2Seq(Seq2SeqConfig(**model), Seq2SeqTrainConfig(**training), device=device)
    pairs = read_pairs(train)
    val_pairs = read_pairs(val) if val else None
    start = time.perf_counter()
    s2s.fit(pairs.sources, pairs.targets, val_pairs.sources if val_pairs else None,
            val_pairs.targets if val_pairs else None, quiet=quiet)
    s2s.summary_["total_seconds"] = time.perf_counter() - start
    s2s.save(out, force=force, extra={"data": {"train": str(train), "val": str(val) if val else None}})
    v = s2s.summary_.get("val") or {}
    if as_json:
        print(json.dumps({"out": str(out), "best_epoch": s2s.summary_.get("best_epoch"),
                          "val": {k: v[k] for k in ("accuracy", "mean_edit_distance", "cer", "loss") if k in v},
                          "seconds": round(s2s.summary_["total_seconds"], 2)}))
        return
    print(f"saved {out}  best epoch {s2s.summary_.get('best_epoch')}  val exact match {v.get('accuracy', 0):.4f}  "
          f"CER {v.get('cer', 0):.4f}  ({s2s.summary_['total_seconds']:.1f}s)")


def _load(run_dir: Path, device: str):
    from textrnn.devices import auto_threads
    from textrnn.runs import load

    auto_threads()
    return load(run_dir, device=device, kind="seq2seq")


@seq2seq_app.command("evaluate")
def evaluate_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn seq2seq train`."),
    test: Path = typer.Argument(..., help="source<TAB>target pairs to score (rows with one source are its accepted answers)."),
    beam: int = BEAM,
    alpha: float = ALPHA,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    device: str = device_option(),
) -> None:
    """Score a model: exact match (any accepted answer counts), mean edit distance and character
    error rate; for word units also BLEU and chrF (sacrebleu)."""
    from textrnn.data.pairs import read_pairs

    s2s = _load(run_dir, device)
    pairs = read_pairs(test)
    m = s2s.evaluate(pairs.sources, pairs.targets, beam=beam, alpha=alpha)
    if as_json:
        print(json.dumps(m))
        return
    decoding = "greedy" if beam == 1 else f"beam {beam}"
    extra = "".join(f"  {k} {m[k]:.2f}" for k in ("bleu", "chrf") if k in m)
    print(f"sources {m['n']} (pairs {m['n_pairs']})  {decoding}  exact match {m['accuracy']:.4f}  "
          f"mean edit distance {m['mean_edit_distance']:.4f}  CER {m['cer']:.4f}{extra}  ({m['seconds']:.1f}s)")


@seq2seq_app.command("translate")
def translate_command(
    run_dir: Path = typer.Argument(..., help="Model directory from `textrnn seq2seq train`."),
    texts: Optional[List[str]] = typer.Argument(None, help="Source texts, e.g. 'стол <NOUN> <gent> <plur>'."),
    input_file: Optional[Path] = typer.Option(None, "--input", help="UTF-8 file, one source a line (a TSV's first column is read)."),
    output: Optional[Path] = typer.Option(None, "--output", help="File to write [default: stdout]."),
    beam: int = BEAM,
    n_best: int = typer.Option(1, "--n-best", min=1, help="Outputs per source (<= --beam), best first."),
    alpha: float = ALPHA,
    max_len: Optional[int] = typer.Option(None, "--max-len", min=1, help="Most output units [default: the model's limit]."),
    attention_png: Optional[Path] = typer.Option(None, "--attention-png", help="Draw the source x output attention "
                                                                                "matrix of one translation to this PNG."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per source, its attention matrix included."),
    batch_size: int = typer.Option(128, "--batch-size", min=1, help="Sources per batch."),
    device: str = device_option(),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --output or --attention-png file."),
) -> None:
    """Translate sources given as arguments or in a file: one output a line (with --n-best, the
    alternatives tab-separated), or JSON lines."""
    from textrnn.data.pairs import read_pairs

    if texts and input_file:
        raise TextrnnError("give texts as arguments or --input FILE, not both")
    if not texts and not input_file:
        raise TextrnnError("nothing to translate: give texts as arguments or --input FILE")
    if output and input_file and output.exists() and output.resolve() == input_file.resolve():
        raise TextrnnError(f"--output {str(output)!r} is the input file; expected a different path")
    check_output_file(output, force)
    check_output_file(attention_png, force, "attention_png")
    if n_best > beam:
        raise TextrnnError(f"--n-best {n_best} is more than --beam {beam}; expected --n-best <= --beam")
    items = list(texts) if texts else read_pairs(input_file, require_targets=False).sources
    if attention_png and len(items) != 1:
        raise TextrnnError(f"--attention-png draws one translation; got {len(items)} sources")
    s2s = _load(run_dir, device)
    results = s2s.translate(items, beam=beam, n_best=n_best, alpha=alpha, max_len=max_len,
                            attention=bool(as_json or attention_png), batch_size=batch_size)
    if attention_png:
        from textrnn.files import atomic_file
        from textrnn.plots import plot_attention

        r = results[0]
        with atomic_file(attention_png, replace=force) as tmp:
            plot_attention(r["attention"], r["source_units"], r["output_units"] or ["(empty)"], tmp,
                           f"{r['source']} → {r['output']}")
        print(f"wrote attention of «{r['source']}» → «{r['output']}» to {attention_png}", file=sys.stderr)
    if as_json:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    elif n_best > 1:
        text = "".join("\t".join(a["output"] for a in r["alternatives"]) + "\n" for r in results)
    else:
        text = "".join(r["output"] + "\n" for r in results)
    if output:
        atomic_write_text(output, text, replace=force)
        print(f"wrote {len(results)} translation(s) to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
