"""Training and evaluation of :class:`~textrnn.charlm.model.CharLM`.

Units: losses are cross-entropies in **nats per character** (natural log, the unit of
nanoGPT and PyTorch); ``bits_per_char = nats / ln 2``; ``perplexity = exp(nats)``.
Times are in seconds of wall clock.

Recipe (what makes the CPU target): whole-sequence fused ``nn.GRU`` kernels, truncated
BPTT with the state carried and detached between consecutive batches (Williams & Peng
1990; Karpathy 2015), Adam (Kingma & Ba 2015) with a short linear warm-up and a cosine
decay (Loshchilov & Hutter 2017) whose clock is the *training progress* — the larger
of steps done / step limit and training seconds / time budget — so the learning rate
anneals before a ``--time-budget`` runs out; gradient-norm clipping (Pascanu et al.
2013); periodic validation with the best-validation weights kept as the checkpoint.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

import textrnn
from textrnn.charlm.config import TrainConfig
from textrnn.charlm.data import (
    IGNORE_INDEX,
    LineBatches,
    StreamBatches,
    read_texts,
    split_lines,
    stream_eval_batches,
)
from textrnn.charlm.model import CharLM, State, detach_state, n_parameters
from textrnn.charlm.vocab import CharVocab
from textrnn.devices import fits_in_memory, resolve_device
from textrnn.errors import TextrnnError
from textrnn.io import FORMAT_VERSION, atomic_dir, check_out_dir, write_json
from textrnn.optim import clip_and_step

KIND = "char_lm"
LN2 = math.log(2.0)


def metrics_from_nll(total_nats: float, n: int) -> dict:
    """``{"loss_nats_per_char", "bits_per_char", "perplexity", "n_chars"}`` from a summed NLL."""
    loss = total_nats / n if n else float("nan")
    return {
        "loss_nats_per_char": loss,
        "bits_per_char": loss / LN2,
        "perplexity": math.exp(loss) if loss < 700 else float("inf"),
        "n_chars": int(n),
    }


@torch.no_grad()
def evaluate_batches(model: CharLM, batches: Iterable) -> tuple[float, int]:
    """Summed negative log-likelihood (nats) and number of scored targets over ``batches``
    (CPU tensors; moved to the model's device here)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, n, state = torch.zeros((), dtype=torch.float64, device=device), 0, None
    for x, y, reset in batches:
        if reset:
            state = None
        n += int((y != IGNORE_INDEX).sum())
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        logits, state = model(x, state)
        total += nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=IGNORE_INDEX, reduction="sum"
        ).double()  # summed on the device: one sync at the end
    model.train(was_training)
    return float(total), n


def eval_batches_for(text: str, vocab: CharVocab, line_mode: bool, batch_size: int = 128, seq_len: int = 256) -> list:
    """Evaluation batches for ``text``: every character scored once (see ``data``).

    Stream mode scores ``len(text) - 1`` characters; line mode scores each line's
    characters plus its ``<eos>``.
    """
    if line_mode:
        return list(LineBatches(split_lines(text), vocab, batch_size, seq_len).epoch(None))
    return list(stream_eval_batches(vocab.encode(text), batch_size, seq_len))


def unknown_chars(text: str, vocab: CharVocab, line_mode: bool = False):
    """Characters of ``text`` missing from ``vocab`` (a ``Counter``); line breaks do not count in line mode."""
    return vocab.unknown_chars("".join(split_lines(text)) if line_mode else text)


def evaluate_text(model: CharLM, vocab: CharVocab, text: str, line_mode: bool = False) -> dict:
    """Score ``text`` with ``model``.

    Returns:
        ``{"loss_nats_per_char", "bits_per_char", "perplexity", "n_chars",
        "n_unknown_chars"}``; characters not in ``vocab`` are scored as ``<unk>``
        (counted in ``n_unknown_chars``).

    Raises:
        TextrnnError: the text has nothing to score (fewer than 2 characters, or no
            non-empty line in line mode).
    """
    batches = eval_batches_for(text, vocab, line_mode)
    total, n = evaluate_batches(model, batches)
    if n == 0:
        raise TextrnnError("text to evaluate is too short: expected at least 2 characters (or one non-empty line)")
    out = metrics_from_nll(total, n)
    out["n_unknown_chars"] = int(sum(unknown_chars(text, vocab, line_mode).values()))
    return out


def lr_at(config: TrainConfig, step: int, progress: float) -> float:
    """Learning rate: linear warm-up over ``warmup_steps``, then cosine from ``lr`` down to
    ``lr * min_lr_ratio`` as ``progress`` goes from 0 to 1."""
    peak = config.lr
    warm = min(1.0, (step + 1) / config.warmup_steps) if config.warmup_steps > 0 else 1.0
    p = min(max(progress, 0.0), 1.0)
    floor = peak * config.min_lr_ratio
    return warm * (floor + (peak - floor) * 0.5 * (1.0 + math.cos(math.pi * p)))


def train_step(
    model: CharLM,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    state: State,
    clip: float = 1.0,
) -> tuple[float, State]:
    """One truncated-BPTT step.

    Args:
        x, y: ``(batch, seq_len) int64`` inputs and next-character targets.
        state: the state left by the previous batch of the same streams (or ``None``).

    Returns:
        ``(loss, state)``: the mean loss in nats per character (float) and the final state,
        **detached** so the next step does not backpropagate into this one.
    """
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=IGNORE_INDEX
    )
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    clip_and_step(optimizer, list(model.parameters()), clip)
    return loss.item(), detach_state(state)


def state_dict_for_save(model: CharLM) -> dict[str, torch.Tensor]:
    """Tensors to write with safetensors (a tied output matrix is stored once, as the embedding)."""
    sd = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in model.state_dict().items()}
    if model.output.weight is model.embedding.weight:
        sd.pop("output.weight", None)
    return sd


def load_state(model: CharLM, sd: dict[str, torch.Tensor]) -> None:
    """Load weights saved by :func:`state_dict_for_save`.

    Raises:
        TextrnnError: the tensors do not match the model.
    """
    tied = model.output.weight is model.embedding.weight
    try:
        missing, unexpected = model.load_state_dict(sd, strict=False)
    except RuntimeError as e:
        raise TextrnnError(f"model weights do not match config.json: {str(e).splitlines()[0]}") from None
    if unexpected or (set(missing) - ({"output.weight"} if tied else set())):
        raise TextrnnError(f"model weights do not match config.json (missing {missing}, unexpected {unexpected})")


def model_config(model: CharLM, config: TrainConfig) -> dict:
    """The ``"model"`` section of config.json: everything needed to rebuild the network."""
    return {
        "cell": config.model,
        "vocab_size": model.vocab_size,
        "embed_dim": config.embed_dim,
        "hidden_size": config.hidden_size,
        "num_layers": config.num_layers,
        "dropout": config.dropout,
        "tie_weights": config.tie_weights,
    }


class ThreadTuner:
    """Pick the fastest CPU thread count while training (``--threads 0``).

    On a machine shared with other jobs, two OpenMP threads on two busy cores can be
    several times *slower* than one (threads wait on each other), while on an idle
    machine two are faster. After ``first_probe`` steps, then every ``probe_every`` steps, the tuner runs up to
    ``probe_len`` steps with each other candidate, measures seconds per step (the first
    step after a switch is not counted) and keeps the fastest. A probe is cut short as
    soon as one of its steps takes over twice the current rate, and the interval between
    probes doubles (up to 16x) each time a probe loses, so a bad candidate costs little.
    More threads than fit beside the other jobs (1-minute load average minus this job's
    threads, plus the candidate, above ``cores + 0.5``) are neither started with nor probed:
    on a loaded 2-core machine one step with 2 threads was measured 15x slower than with 1.
    Probe steps are ordinary training steps.
    """

    def __init__(self, candidates: Sequence[int], probe_every: int = 40, probe_len: int = 4,
                 first_probe: int = 5, cores: int | None = None,
                 load_fn: Callable[[], float] | None = None) -> None:
        self.candidates = sorted(set(candidates), reverse=True)
        self.cores = cores or max(self.candidates)
        self.load_fn = load_fn or (lambda: os.getloadavg()[0])
        # Start with the most threads that fit beside the other jobs' load.
        self.current = self._fitting(self.load_fn())
        self.base_every = probe_every
        self.probe_every = min(first_probe, probe_every)
        self.probe_len = probe_len
        self.rate: dict[int, float] = {}
        self.switches = 0
        self._recent: list[float] = []
        self._queue: list[int] = []
        self._probe: list[float] = []
        self._since = 0
        torch.set_num_threads(self.current)

    def _fitting(self, others: float) -> int:
        for c in self.candidates:
            if others + c <= self.cores + 0.5:
                return c
        return self.candidates[-1]

    def _worth_probing(self, c: int) -> bool:
        # More threads than fit beside the other jobs would stall on barriers: skip them.
        return c < self.current or self.load_fn() - self.current + c <= self.cores + 0.5

    @property
    def active(self) -> int:
        """The thread count in use for the next step."""
        return self._queue[0] if self._queue else self.current

    def _end_probe(self, rate: float) -> None:
        self.rate[self._queue.pop(0)] = rate
        self._probe = []
        if not self._queue:
            best = min(self.rate, key=self.rate.get)
            if best != self.current:
                self.current, self.probe_every = best, self.base_every
                self.switches += 1
            else:
                self.probe_every = min(max(self.probe_every, self.base_every) * 2, self.base_every * 16)

    def record(self, seconds: float) -> None:
        """Report the duration of the step that just ran with :attr:`active` threads."""
        if len(self.candidates) < 2:
            return
        if self._queue:
            self._probe.append(seconds)
            ref = self.rate.get(self.current, float("inf"))
            if seconds > 2.0 * ref:
                self._end_probe(seconds)
            elif len(self._probe) >= self.probe_len:
                self._end_probe(float(np.median(self._probe[1:])))
            torch.set_num_threads(self.active)
            return
        self._recent = (self._recent + [seconds])[-10:]
        self._since += 1
        if self._since >= self.probe_every:
            self.rate[self.current] = float(np.median(self._recent[1:] or self._recent))
            self._since, self._recent = 0, []
            self._queue = [c for c in self.candidates if c != self.current and self._worth_probing(c)]
            torch.set_num_threads(self.active)


def _default_threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(torch.get_num_threads(), cores))


def auto_threads() -> int:
    """Set and return the CPU thread count for inference: the most threads (up to the
    available cores) that fit beside the other jobs' 1-minute load average (see
    :class:`ThreadTuner`; on a busy 2-core machine 2 threads were ~10x slower than 1)."""
    cores = _default_threads()
    n = ThreadTuner(list(range(cores, 0, -1)), cores=cores).current
    torch.set_num_threads(n)
    return n


def _stderr_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def train_lm(
    train_paths: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    config: TrainConfig | None = None,
    val_paths: Sequence[str | os.PathLike] | None = None,
    force: bool = False,
    log: Callable[[str], None] | None = _stderr_log,
    device: str | torch.device = "cpu",
) -> dict:
    """Train a character LM on UTF-8 text files and write the model directory ``out``.

    ``out`` gets ``config.json`` (``kind: char_lm``), ``vocab.json``, ``model.safetensors``
    (weights of the best validation loss) and ``metrics.json`` (per-evaluation history and
    the final validation metrics), written atomically: an existing ``out`` is replaced
    only with ``force`` and only once everything is written.

    Args:
        train_paths: training text files (concatenated).
        out: model directory.
        config: hyper-parameters (defaults: :class:`TrainConfig`).
        val_paths: validation text files; without them the last ``val_fraction`` of the
            training text (of its lines in line mode) is held out.
        force: replace an existing ``out``.
        log: receives one progress line per evaluation (``None`` = silent).
        device: ``"cpu"``, ``"cuda[:N]"`` or ``"auto"`` (CUDA when available). Batches are
            built on the CPU and copied per step; the weights are saved from the CPU.

    Returns:
        The content of ``metrics.json``: ``final`` holds ``loss_nats_per_char``,
        ``bits_per_char``, ``perplexity``, ``n_chars`` on the validation text.

    Raises:
        TextrnnError: ``out`` exists without ``force``; a bad file or option value.
    """
    config = dataclasses.replace(config) if config is not None else TrainConfig()
    config.check()
    device = resolve_device(device)
    log = log or (lambda _msg: None)
    check_out_dir(out, force)
    if config.epochs is None and config.max_steps is None and config.time_budget is None:
        config.epochs = 10

    text = read_texts(train_paths)
    if val_paths:
        val_text = read_texts(val_paths)
    elif config.line_mode:
        lines = split_lines(text)
        k = max(1, int(len(lines) * config.val_fraction))
        if len(lines) < 2:
            raise TextrnnError("line mode without --val needs at least 2 non-empty lines to hold one out")
        text, val_text = "\n".join(lines[:-k]), "\n".join(lines[-k:])
    else:
        k = max(2, int(len(text) * config.val_fraction))
        if len(text) < 2 * k:
            raise TextrnnError(f"training text of {len(text)} characters is too short to hold out validation; pass --val")
        text, val_text = text[:-k], text[-k:]

    vocab = CharVocab.from_text(split_lines(text) if config.line_mode else text)
    unknown = unknown_chars(val_text, vocab, config.line_mode)
    if unknown:
        log(f"warning: {sum(unknown.values())} validation characters are not in the training vocabulary "
            f"({''.join(sorted(unknown))!r}); they are scored as <unk>")

    threads = config.threads or _default_threads()
    tuner = ThreadTuner([threads] if config.threads else [threads, 1], cores=threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)

    if config.line_mode:
        batches = LineBatches(split_lines(text), vocab, config.batch_size, config.seq_len)
    else:
        batches = StreamBatches(vocab.encode(text), config.batch_size, config.seq_len)
    val_batches = eval_batches_for(val_text, vocab, config.line_mode)
    if not val_batches:
        raise TextrnnError("validation text is too short: expected at least 2 characters")

    with fits_in_memory("the model", f"--hidden-size, --embed-dim or --num-layers (now {config.hidden_size}, "
                                     f"{config.embed_dim}, {config.num_layers})"):
        model = CharLM(len(vocab), config.embed_dim, config.hidden_size, config.num_layers,
                       config.model, config.dropout, config.tie_weights).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(0.9, 0.99),
                                 weight_decay=config.weight_decay, fused=device.type == "cuda" or None)
    steps_per_epoch = batches.steps_per_epoch()
    step_limits = [n for n in (config.max_steps, config.epochs and config.epochs * steps_per_epoch) if n]
    total_steps = min(step_limits) if step_limits else None

    def progress(step: int, seconds: float) -> float:
        p = 0.0
        if total_steps:
            p = max(p, step / total_steps)
        if config.time_budget:
            p = max(p, seconds / config.time_budget)
        return p

    cfg_json = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "textrnn_version": textrnn.__version__,
        "model": model_config(model, config),
        "line_mode": config.line_mode,
        "training": dataclasses.asdict(config) | {"threads": threads, "device": str(device)},
        "train_files": [str(p) for p in train_paths],
        "val_files": [str(p) for p in val_paths] if val_paths else None,
        "n_train_chars": len(text),
        "n_parameters": n_parameters(model),
    }
    log(f"char LM: {config.model} {config.num_layers}x{config.hidden_size}, vocab {len(vocab)}, "
        f"{n_parameters(model):,} parameters, {len(text):,} training characters, "
        f"{steps_per_epoch} steps/epoch, on {device}, "
        f"{threads if config.threads else f'auto 1..{threads} (start {tuner.current})'} threads")

    history: list[dict] = []
    best = {"loss_nats_per_char": float("inf")}
    best_sd: dict[str, torch.Tensor] | None = None
    step, epoch, train_seconds, chars_seen = 0, 0, 0.0, 0
    run_loss, run_n = 0.0, 0
    next_eval = 1
    wall_start = time.perf_counter()
    load_start = os.getloadavg()[0]

    with atomic_dir(out, force) as tmp:
        write_json(tmp / "config.json", cfg_json)
        write_json(tmp / "vocab.json", vocab.to_dict())

        def evaluate_now(reason: str) -> None:
            nonlocal best, best_sd, run_loss, run_n
            t0 = time.perf_counter()
            total, n = evaluate_batches(model, val_batches)
            m = metrics_from_nll(total, n)
            entry = {"step": step, "epoch": epoch, "reason": reason, "train_seconds": round(train_seconds, 2),
                     "chars_seen": chars_seen, "lr": optimizer.param_groups[0]["lr"],
                     "train_loss": run_loss / run_n if run_n else None, **m}
            improved = m["loss_nats_per_char"] < best["loss_nats_per_char"]
            if improved:
                best = dict(entry)
                best_sd = state_dict_for_save(model)
                save_file(best_sd, str(tmp / "model.safetensors"))
            entry["eval_seconds"] = round(time.perf_counter() - t0, 2)
            history.append(entry)
            tl = f"{entry['train_loss']:.4f}" if run_n else "-"
            log(f"epoch {epoch:>3} step {step:>6} | train {tl} | val {m['loss_nats_per_char']:.4f} nats/char "
                f"{m['bits_per_char']:.4f} bpc ppl {m['perplexity']:.2f}{' *' if improved else ''} | "
                f"{train_seconds:7.1f} s | {chars_seen / max(train_seconds, 1e-9) / 1000:.1f}k chars/s | "
                f"{tuner.current} thr | load {os.getloadavg()[0]:.1f}")
            run_loss, run_n = 0.0, 0

        model.train()
        done = False
        while not done:
            state = None
            for x, y, reset in batches.epoch(rng):
                t0 = time.perf_counter()
                if reset:
                    state = None
                lr = lr_at(config, step, progress(step, train_seconds))
                for g in optimizer.param_groups:
                    g["lr"] = lr
                chars_seen += int((y != IGNORE_INDEX).sum())
                if device.type != "cpu":
                    x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
                loss, state = train_step(model, optimizer, x, y, state, config.clip)
                if not math.isfinite(loss):
                    raise TextrnnError(f"training diverged (loss {loss}) at step {step}; try a lower --lr")
                step += 1
                run_loss += loss
                run_n += 1
                dt = time.perf_counter() - t0
                train_seconds += dt
                tuner.record(dt)
                p = progress(step, train_seconds)
                if p >= 1.0:
                    done = True
                    break
                if config.evals > 0 and p >= next_eval / config.evals:
                    next_eval = int(p * config.evals) + 1
                    evaluate_now("progress")
            epoch += 1
            if not done:
                evaluate_now("epoch")
        evaluate_now("end")

        # Final full validation with the best weights (timed separately from training).
        t0 = time.perf_counter()
        if best_sd is not None:
            load_state(model, best_sd)
        final = evaluate_text(model, vocab, val_text, config.line_mode)
        final_seconds = time.perf_counter() - t0
        metrics = {
            "final": final,
            "final_eval_seconds": round(final_seconds, 2),
            "best": best,
            "steps": step,
            "epochs_completed": epoch,
            "train_seconds": round(train_seconds, 2),
            "wall_seconds": round(time.perf_counter() - wall_start, 2),
            "chars_per_second": chars_seen / max(train_seconds, 1e-9),
            "threads": threads,
            "device": str(device),
            "thread_rates_seconds_per_step": tuner.rate,
            "loadavg_1min_start": load_start,
            "loadavg_1min_end": os.getloadavg()[0],
            "history": history,
        }
        write_json(tmp / "metrics.json", metrics)
    log(f"done: {step} steps, {train_seconds:.1f} s training; best val {final['loss_nats_per_char']:.4f} nats/char, "
        f"{final['bits_per_char']:.4f} bits/char, perplexity {final['perplexity']:.3f} "
        f"(final eval {final_seconds:.1f} s) -> {out}")
    return metrics
