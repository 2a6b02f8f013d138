"""Training a character language model: UTF-8 text files in, a run directory (``kind: char_lm``) out.

Recipe (what makes the CPU target, benchmarks/RESULTS.md "Character-level language model"):
whole-window fused GRU kernels, truncated BPTT with the state carried and detached between
consecutive windows, AdamW with a short warm-up and a cosine decay over training *progress* (so
the rate anneals before a time budget runs out), gradient-norm clipping (Pascanu et al. 2013),
validations spread over the run with the best weights kept, the CPU thread count tuned by
measurement.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any, Sequence

import torch

from textrnn.config import CharLMConfig, LMTrainConfig
from textrnn.data.streams import LineBatches, StreamBatches
from textrnn.data.text_files import read_texts, split_lines
from textrnn.devices import default_threads, fits_in_memory, resolve_device, set_threads
from textrnn.errors import TextrnnError
from textrnn.files import check_out_dir
from textrnn.inference.charlm import CharLMPredictor
from textrnn.logs import get_logger
from textrnn.nn import CharLM, count_parameters
from textrnn.tasks.lm import LanguageModelTask, eval_batches_for, evaluate_text, unknown_chars
from textrnn.training.callbacks import LogLines, ProgressBar, ThreadTuning
from textrnn.training.trainer import Trainer
from textrnn.vocab import CHAR_SPECIALS, Vocab

log = get_logger("textrnn.training")


def split_validation(text: str, config: LMTrainConfig) -> tuple[str, str]:
    """``(train, validation)``: the last ``val_fraction`` of the text (of its lines in line mode).

    Raises:
        TextrnnError: too little text to hold any out.
    """
    if config.line_mode:
        lines = split_lines(text)
        if len(lines) < 2:
            raise TextrnnError("line mode without validation files needs at least 2 non-empty lines to hold one out")
        k = max(1, int(len(lines) * config.val_fraction))
        return "\n".join(lines[:-k]), "\n".join(lines[-k:])
    k = max(2, int(len(text) * config.val_fraction))
    if len(text) < 2 * k:
        raise TextrnnError(f"training text of {len(text)} characters is too short to hold out validation; give "
                           f"validation files (val_paths)", param="val_paths")
    return text[:-k], text[-k:]


def train_lm(train_paths: Sequence[str | os.PathLike], out: str | os.PathLike, model_config: CharLMConfig | None = None,
             train_config: LMTrainConfig | None = None, val_paths: Sequence[str | os.PathLike] | None = None,
             force: bool = False, device: str | torch.device = "cpu", quiet: bool = False,
             callbacks: Sequence[Any] = (), plots: bool = True) -> dict:
    """Train a character LM on UTF-8 text files and write the run directory ``out`` atomically.

    ``out`` gets ``config.json`` (``kind: char_lm``), ``vocab.json``, ``model.safetensors``
    (the weights of the best validation loss), ``metrics.json`` (per-evaluation history and
    the final validation metrics) and, with ``plots``, ``curves.png`` (losses and bits per
    character per evaluation, the kept one marked); an existing ``out`` is replaced only with ``force``.

    Args:
        train_paths: training text files (concatenated).
        model_config, train_config: see :class:`~textrnn.config.CharLMConfig` and
            :class:`~textrnn.config.LMTrainConfig` (their defaults: the CPU recipe).
        val_paths: validation text files; without them the end of the training text is held out.
        device: ``"cpu"``, ``"cuda[:N]"`` or ``"auto"``.
        quiet: no progress bar and no log lines.
        callbacks: extra :class:`~textrnn.training.Trainer` callbacks.
        plots: write ``curves.png``.

    Returns:
        The content of ``metrics.json``; ``final`` holds ``loss_nats_per_char``, ``bits_per_char``,
        ``perplexity``, ``n_chars`` and ``n_unknown_chars`` on the validation text.

    Raises:
        TextrnnError: ``out`` exists without ``force``; a bad file or option value; divergence.
    """
    info = (lambda _msg: None) if quiet else log.info
    for name, value, kind in (("model_config", model_config, CharLMConfig), ("train_config", train_config, LMTrainConfig)):
        if value is not None and not isinstance(value, kind):
            raise TextrnnError(f"{name} must be a {kind.__name__} or None, got {type(value).__name__}", param=name)
    train_paths = [train_paths] if isinstance(train_paths, (str, os.PathLike)) else list(train_paths)
    if isinstance(val_paths, (str, os.PathLike)):
        val_paths = [val_paths]
    tc = (train_config or LMTrainConfig()).validate().limits()
    mc = (model_config or CharLMConfig()).validate()
    device = resolve_device(device)
    check_out_dir(out, force)
    text = read_texts(train_paths)
    text, val_text = (text, read_texts(val_paths)) if val_paths else split_validation(text, tc)
    vocab = Vocab.build(split_lines(text) if tc.line_mode else [text], CHAR_SPECIALS, order="sorted")
    unknown = unknown_chars(val_text, vocab, tc.line_mode)
    if unknown and not quiet:
        log.warning(f"warning: {sum(unknown.values())} validation characters are not in the training vocabulary "
                    f"({''.join(sorted(unknown))!r}); they are scored as <unk>")
    if tc.line_mode:
        batches = LineBatches(split_lines(text), vocab, tc.batch_size, tc.seq_len)
    else:
        batches = StreamBatches(vocab.encode_text(text), tc.batch_size, tc.seq_len)
    task = LanguageModelTask(batches, eval_batches_for(val_text, vocab, tc.line_mode))
    mc = dataclasses.replace(mc, vocab_size=len(vocab))
    torch.manual_seed(tc.seed)
    with fits_in_memory("the model", f"hidden_size, embedding_dim or num_layers (now {mc.hidden_size}, "
                                     f"{mc.embedding_dim}, {mc.num_layers})"):
        model = CharLM(mc).to(device)
    threads = tc.threads or default_threads()
    tuning = ThreadTuning(threads) if tc.threads == 0 and device.type == "cpu" else None
    if tuning is None:
        set_threads(threads if device.type == "cpu" else tc.threads or None)
    info(f"char LM: {mc.cell} {mc.num_layers}x{mc.hidden_size}, vocab {len(vocab)}, {count_parameters(model):,} "
         f"parameters, {len(text):,} training characters, {task.steps_per_epoch()} steps/epoch, on {device}, "
         f"{f'auto 1..{threads}' if tuning else threads} threads")
    extra = ([] if quiet else [ProgressBar(), LogLines()]) + ([tuning] if tuning else []) + list(callbacks)
    trainer = Trainer(model, task, tc, device, extra).fit()
    start = time.perf_counter()
    final = evaluate_text(model, vocab, val_text, tc.line_mode)  # the best weights, every character once
    metrics = {"final": final, "final_eval_seconds": time.perf_counter() - start, **trainer.summary(),
               "threads": threads, **(tuning.summary() if tuning else {}), "history": trainer.history}
    record = {"training": tc.to_dict(),
              "data": {"train": [str(p) for p in train_paths], "val": [str(p) for p in val_paths] if val_paths else None,
                       "n_train_chars": len(text)}, "n_parameters": count_parameters(model)}
    files = {}
    if plots and trainer.history:
        from textrnn.plots import plot_curves

        files["curves.png"] = lambda p: plot_curves(trainer.history, p, unit="char", best=trainer.best, x="step",
                                                    loss_key="val_loss_nats_per_char")
    CharLMPredictor(model, vocab, tc.line_mode, record, metrics).save(out, force=force, files=files)
    info(f"done: {trainer.step} steps, {trainer.train_seconds:.1f} s training; best val {final['loss_nats_per_char']:.4f} "
         f"nats/char, {final['bits_per_char']:.4f} bits/char, perplexity {final['perplexity']:.3f} -> {out}")
    return metrics
