"""``textrnn lm train``, ``textrnn lm evaluate`` and ``textrnn generate``."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import List, Optional

import typer

from textrnn.charlm.config import TrainConfig
from textrnn.errors import TextrnnError

lm_app = typer.Typer(
    help="Character-level language models: train on UTF-8 text, evaluate in nats/bits per character.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_D = TrainConfig()  # defaults shared with the library


@lm_app.command("train")
def train_command(
    train: List[Path] = typer.Argument(..., help="Training text file(s), UTF-8 (concatenated)."),
    val: Optional[List[Path]] = typer.Option(None, "--val", help="Validation text file (repeatable). Default: the last 5% of the training text."),
    out: Path = typer.Option(..., "--out", help="Model directory to write (config.json, vocab.json, model.safetensors, metrics.json)."),
    model: str = typer.Option(_D.model, "--model", help="Recurrent cell: rnn, lstm or gru."),
    hidden_size: int = typer.Option(_D.hidden_size, "--hidden-size", help="Hidden units per layer."),
    num_layers: int = typer.Option(_D.num_layers, "--num-layers", help="Stacked recurrent layers."),
    embed_dim: int = typer.Option(_D.embed_dim, "--embed-dim", help="Character embedding size."),
    dropout: float = typer.Option(_D.dropout, "--dropout", help="Dropout on embeddings, between layers and before the output."),
    tie_weights: bool = typer.Option(False, "--tie-weights", help="Share embedding and output matrices (needs --embed-dim == --hidden-size)."),
    seq_len: int = typer.Option(_D.seq_len, "--seq-len", help="Characters per truncated-BPTT window."),
    batch_size: int = typer.Option(_D.batch_size, "--batch-size", help="Parallel streams (stream mode) or lines (line mode) per batch."),
    lr: float = typer.Option(_D.lr, "--lr", help="Peak Adam learning rate (cosine decay to 5% of it)."),
    clip: float = typer.Option(_D.clip, "--clip", help="Gradient-norm clipping threshold (0 = off)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Stop after N epochs."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Stop after N optimizer steps."),
    time_budget: Optional[float] = typer.Option(None, "--time-budget", help="Stop after SECONDS of training (validation excluded); the LR schedule anneals within it."),
    line_mode: bool = typer.Option(False, "--line-mode", help="Each line is one <bos> ... <eos> sequence (names, titles, tweets)."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    threads: int = typer.Option(0, "--threads", help="CPU threads (0 = tuned while training, between 1 and the available cores, by measured speed and load)."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, cuda:N or auto (CUDA when available)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out directory."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress lines on stderr."),
) -> None:
    """Train a character-level language model. Stops at the first of --epochs, --max-steps,
    --time-budget (default: 10 epochs). Prints the final metrics as JSON on stdout."""
    from textrnn.charlm.train import train_lm

    config = TrainConfig(
        model=model, embed_dim=embed_dim, hidden_size=hidden_size, num_layers=num_layers, dropout=dropout,
        tie_weights=tie_weights, seq_len=seq_len, batch_size=batch_size, lr=lr, clip=clip, epochs=epochs,
        max_steps=max_steps, time_budget=time_budget, line_mode=line_mode, seed=seed, threads=threads,
    )
    metrics = train_lm(train, out, config, val_paths=val or None, force=force, log=None if quiet else _err,
                       device=device)
    typer.echo(json.dumps(metrics["final"] | {"train_seconds": metrics["train_seconds"], "steps": metrics["steps"]}))


@lm_app.command("evaluate")
def evaluate_command(
    run_dir: Path = typer.Argument(..., help="Model directory written by `textrnn lm train`."),
    text: List[Path] = typer.Argument(..., help="UTF-8 text file(s) to score."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, cuda:N or auto (CUDA when available)."),
) -> None:
    """Score text: loss in nats per character, bits per character, perplexity."""
    from textrnn.charlm.data import read_texts
    from textrnn.charlm.sampling import load_lm
    from textrnn.charlm.train import auto_threads, evaluate_text, unknown_chars

    from textrnn.devices import resolve_device

    auto_threads()
    dev = resolve_device(device)
    model, vocab, config = load_lm(run_dir)
    model.to(dev)
    content = read_texts(text)
    result = evaluate_text(model, vocab, content, bool(config.get("line_mode")))
    if result["n_unknown_chars"]:
        unknown = unknown_chars(content, vocab, bool(config.get("line_mode")))
        _err(f"textrnn: warning: {result['n_unknown_chars']} characters not in the model's vocabulary "
             f"({''.join(sorted(unknown))!r}) are scored as <unk>")
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(
            f"{result['loss_nats_per_char']:.4f} nats/char  {result['bits_per_char']:.4f} bits/char  "
            f"perplexity {result['perplexity']:.3f}  ({result['n_chars']} characters)"
        )


def generate_command(
    run_dir: Path = typer.Argument(..., help="Model directory written by `textrnn lm train`."),
    prime: str = typer.Option("", "--prime", help="Text to start from (printed before the continuation)."),
    length: int = typer.Option(500, "--length", help="Characters to generate (at most; line mode stops at <eos>)."),
    temperature: float = typer.Option(0.8, "--temperature", help="Sampling temperature; 0 = greedy."),
    top_k: int = typer.Option(0, "--top-k", help="Sample among the K most likely characters (0 = all)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Sampler seed: the same seed gives the same text."),
    num_samples: int = typer.Option(1, "--num-samples", help="Number of samples (line mode: lines)."),
) -> None:
    """Generate text with a character-level language model."""
    from textrnn.charlm.sampling import UnknownCharWarning, _check_options, generate, load_lm
    from textrnn.charlm.train import auto_threads

    _check_options(length, temperature, top_k)
    if num_samples < 1:
        raise TextrnnError(f"--num-samples must be >= 1, got {num_samples}")
    if seed is not None:
        from textrnn.seeds import MAX_SEED, check_seed

        check_seed(seed)
        if seed + num_samples - 1 > MAX_SEED:  # sample i uses seed + i
            raise TextrnnError(f"--seed + --num-samples - 1 must be <= {MAX_SEED}, got {seed + num_samples - 1}")
    auto_threads()
    model, vocab, config = load_lm(run_dir)
    line_mode = bool(config.get("line_mode"))
    for i in range(num_samples):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UnknownCharWarning)
            text = generate(model, vocab, prime, length, temperature, top_k,
                            None if seed is None else seed + i, line_mode)
        if i == 0:
            for w in caught:
                _err(f"textrnn: warning: {w.message}")
        typer.echo(prime + text)


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
