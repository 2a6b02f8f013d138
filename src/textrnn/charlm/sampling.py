"""Loading a trained character LM and sampling text from it."""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from textrnn.charlm.model import CharLM
from textrnn.charlm.train import KIND, load_state
from textrnn.charlm.vocab import CharVocab
from textrnn.errors import TextrnnError
from textrnn.io import read_json, read_model_config
from textrnn.seeds import check_seed


class UnknownCharWarning(UserWarning):
    """Characters of a prime (or of a text to score) that the model's vocabulary lacks."""


def load_lm(run_dir: str | os.PathLike) -> tuple[CharLM, CharVocab, dict]:
    """Load ``(model, vocab, config)`` from a directory written by ``textrnn lm train``.

    Nothing is unpickled: config and vocabulary are JSON, weights are safetensors.
    The model is returned in eval mode.

    Raises:
        TextrnnError: the directory is missing, is not a ``char_lm`` model, or its files
            are missing or inconsistent.
    """
    config = read_model_config(run_dir, expected_kind=KIND)
    path = Path(run_dir)
    vocab = CharVocab.from_dict(read_json(path / "vocab.json"))
    m = config.get("model") or {}
    try:
        model = CharLM(m["vocab_size"], m["embed_dim"], m["hidden_size"], m["num_layers"],
                       m["cell"], m.get("dropout", 0.0), m.get("tie_weights", False))
    except (KeyError, TypeError) as e:
        raise TextrnnError(f"{str(path / 'config.json')!r} has no valid model section ({e})") from None
    if m["vocab_size"] != len(vocab):
        raise TextrnnError(f"vocab.json has {len(vocab)} symbols but config.json says {m['vocab_size']}")
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise TextrnnError(f"{str(weights)!r} not found")
    try:
        sd = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as e:
        raise TextrnnError(f"{str(weights)!r} is not a valid safetensors file: {e}") from None
    load_state(model, sd)
    model.eval()
    return model, vocab, config


def _check_options(length: int, temperature: float, top_k: int) -> None:
    if length < 0:
        raise TextrnnError(f"--length must be >= 0 characters, got {length}")
    if not (temperature >= 0 and math.isfinite(temperature)):
        raise TextrnnError(f"--temperature must be a finite number >= 0 (0 = greedy), got {temperature}")
    if top_k < 0:
        raise TextrnnError(f"--top-k must be >= 0 (0 = no limit), got {top_k}")


@torch.no_grad()
def generate(
    model: CharLM,
    vocab: CharVocab,
    prime: str = "",
    length: int = 500,
    temperature: float = 1.0,
    top_k: int = 0,
    seed: int | None = None,
    line_mode: bool = False,
) -> str:
    """Sample a continuation of ``prime`` one character at a time (Karpathy 2015, char-rnn).

    The prime is fed through the network, then each next character is drawn from
    ``softmax(logits / temperature)`` restricted to the ``top_k`` most likely characters
    (Fan et al. 2018). ``<unk>`` and ``<bos>`` are never produced.

    Args:
        model, vocab: from :func:`load_lm`.
        prime: text to condition on. In line mode generation starts from ``<bos>`` then
            the prime; in stream mode an empty prime starts after a newline (or after the
            most frequent character when the vocabulary has no newline). Characters unknown
            to the model map to ``<unk>`` with an :class:`UnknownCharWarning`.
        length: maximum number of characters to generate (not counting the prime).
        temperature: > 1 flatter, < 1 sharper; 0 is greedy (argmax), and sampling tends to
            greedy as it approaches 0.
        top_k: sample only among the k most likely characters; 0 = all; 1 = greedy.
        seed: seed of the sampler's own ``torch.Generator``: the same seed, model and
            arguments give the same text. ``None`` = nondeterministic.
        line_mode: stop at ``<eos>`` (set from the model's config by the CLI).

    Returns:
        The generated characters only (without the prime), at most ``length`` of them.

    Raises:
        TextrnnError: ``length`` < 0, ``temperature`` < 0 or not finite, ``top_k`` < 0.
    """
    _check_options(length, temperature, top_k)
    unknown = vocab.unknown_chars(prime)
    if unknown:
        warnings.warn(
            f"{sum(unknown.values())} prime character(s) not in the model's vocabulary map to <unk>: "
            f"{''.join(sorted(unknown))!r}",
            UnknownCharWarning,
            stacklevel=2,
        )
    if seed is not None:
        check_seed(seed, "seed")
    gen = torch.Generator()
    gen.manual_seed(seed if seed is not None else int.from_bytes(os.urandom(8), "little") >> 1)
    ids = vocab.encode(prime).tolist()
    if line_mode:
        ids = [vocab.bos_id] + ids
    elif not ids:
        start = "\n" if "\n" in vocab else max(vocab.chars, key=lambda c: vocab.counts.get(c, 0))
        ids = [vocab.stoi[start]]
    banned = [vocab.unk_id, vocab.bos_id] + ([] if line_mode else [vocab.eos_id])

    was_training = model.training
    model.eval()
    logits, state = model(torch.tensor([ids], dtype=torch.int64))
    out: list[int] = []
    for _ in range(length):
        last = logits[0, -1].clone()
        last[banned] = -math.inf
        if temperature == 0:
            nxt = int(torch.argmax(last))
        else:
            scaled = last / temperature
            if 0 < top_k < scaled.numel():
                kth = torch.topk(scaled, top_k).values[-1]
                scaled[scaled < kth] = -math.inf
            probs = torch.softmax(scaled.double(), dim=-1)
            if not torch.isfinite(probs).all() or probs.sum() <= 0:  # temperature ~ 0 underflow
                nxt = int(torch.argmax(last))
            else:
                nxt = int(torch.multinomial(probs, 1, generator=gen))
        if line_mode and nxt == vocab.eos_id:
            break
        out.append(nxt)
        logits, state = model(torch.tensor([[nxt]], dtype=torch.int64), state)
    model.train(was_training)
    return vocab.decode(out)
