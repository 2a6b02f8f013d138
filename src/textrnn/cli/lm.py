"""``textrnn lm train``, ``textrnn lm evaluate`` and ``textrnn generate``: the character language model's commands."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import List, Optional

import typer

from textrnn.cli.options import LM_MODEL, LM_TRAINING, device_option, with_groups
from textrnn.errors import TextrnnError

lm_app = typer.Typer(
    help="Character-level language models: train on UTF-8 text, evaluate in nats/bits per character.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@lm_app.command("train")
@with_groups(model=LM_MODEL, training=LM_TRAINING)
def train_command(
    train: List[Path] = typer.Argument(..., help="Training text file(s), UTF-8 (concatenated)."),
    val: Optional[List[Path]] = typer.Option(None, "--val", help="Validation text file (repeatable). Default: the last 5% of the training text."),
    out: Path = typer.Option(..., "--out", help="Model directory to write (config.json, vocab.json, model.safetensors, metrics.json)."),
    device: str = device_option("cpu"),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out directory."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress lines on stderr."),
    model: dict = None, training: dict = None,
) -> None:
    """Train a character-level language model. Stops at the first of --epochs, --max-steps,
    --time-budget (default: 10 epochs). Prints the final metrics as JSON on stdout."""
    from textrnn.config import CharLMConfig, LMTrainConfig
    from textrnn.training.lm import train_lm

    metrics = train_lm(train, out, CharLMConfig(**model), LMTrainConfig(**training), val_paths=val or None, force=force,
                       device=device, quiet=quiet)
    typer.echo(json.dumps(metrics["final"] | {"train_seconds": round(metrics["train_seconds"], 2), "steps": metrics["steps"]}))


def _load_lm(run_dir: Path, device: str = "cpu"):
    from textrnn.devices import auto_threads
    from textrnn.runs import load

    auto_threads()
    return load(run_dir, device=device, kind="char_lm")


@lm_app.command("evaluate")
def evaluate_command(
    run_dir: Path = typer.Argument(..., help="Model directory written by `textrnn lm train`."),
    text: List[Path] = typer.Argument(..., help="UTF-8 text file(s) to score."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    device: str = device_option("cpu"),
) -> None:
    """Score text: loss in nats per character, bits per character, perplexity."""
    from textrnn.data.text_files import read_texts
    from textrnn.tasks.lm import unknown_chars

    lm = _load_lm(run_dir, device)
    content = read_texts(text)
    result = lm.evaluate_text(content)
    if result["n_unknown_chars"]:
        unknown = unknown_chars(content, lm.vocab, lm.line_mode)
        print(f"textrnn: warning: {result['n_unknown_chars']} characters not in the model's vocabulary "
              f"({''.join(sorted(unknown))!r}) are scored as <unk>", file=sys.stderr)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(f"{result['loss_nats_per_char']:.4f} nats/char  {result['bits_per_char']:.4f} bits/char  "
                   f"perplexity {result['perplexity']:.3f}  ({result['n_chars']} characters)")


def generate_command(
    run_dir: Path = typer.Argument(..., help="Model directory written by `textrnn lm train`."),
    prime: str = typer.Option("", "--prime", help="Text to start from (printed before the continuation)."),
    length: int = typer.Option(500, "--length", help="Characters to generate (at most; line mode stops at <eos>)."),
    temperature: float = typer.Option(0.8, "--temperature", help="Sampling temperature; 0 = greedy."),
    top_k: int = typer.Option(0, "--top-k", help="Sample among the K most likely characters (0 = all)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Sampler seed: the same seed gives the same text "
                                       "[default: a random one, printed on stderr]."),
    num_samples: int = typer.Option(1, "--num-samples", help="Number of samples (line mode: lines)."),
) -> None:
    """Generate text with a character-level language model."""
    from textrnn.checks import MAX_SEED, check_seed
    from textrnn.inference.charlm import UnknownCharWarning, check_sampling

    check_sampling(length, temperature, top_k)
    if not 1 <= num_samples <= 10_000:
        raise TextrnnError(f"--num-samples must be in [1, 10000], got {num_samples}")
    if seed is not None:
        check_seed(seed)
        if seed + num_samples - 1 > MAX_SEED:  # sample i uses seed + i
            raise TextrnnError(f"--seed + --num-samples - 1 must be <= {MAX_SEED}, got {seed + num_samples - 1}")
    lm = _load_lm(run_dir)
    if seed is None and temperature > 0:  # a random text, but one that can be repeated
        import secrets

        seed = secrets.randbelow(MAX_SEED - num_samples + 2)
        print(f"textrnn: seed {seed} (pass --seed {seed} to generate the same text again)", file=sys.stderr)
    for i in range(num_samples):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UnknownCharWarning)
            text = lm.generate(prime, length, temperature, top_k, None if seed is None else seed + i)
        if i == 0:
            for w in caught:
                print(f"textrnn: warning: {w.message}", file=sys.stderr)
        typer.echo(prime + text)
