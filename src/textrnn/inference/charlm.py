"""The character language model as a Predictor: sampling text (char-rnn) and scoring text in bits per character."""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import Any

import torch

from textrnn.checks import check_seed
from textrnn.config import CharLMConfig
from textrnn.errors import TextrnnError
from textrnn.files import atomic_dir, read_json, write_json
from textrnn.inference.weights import load_weights, prefix_renames
from textrnn.nn import CharLM, count_parameters
from textrnn.runs import VOCAB_BYTES, header, read_metrics, section
from textrnn.tasks.lm import evaluate_text
from textrnn.vocab import CHAR_SPECIALS, EOS, Vocab

V1_NAMES = prefix_renames({"embedding.weight": "embedding.words.weight", "rnn.": "encoder.rnn."})


MAX_LENGTH = 1_000_000  # characters one call generates (one forward step each)


class UnknownCharWarning(UserWarning):
    """Characters of a prime (or of a text to score) that the model's vocabulary lacks."""


def check_sampling(length: int, temperature: float, top_k: int) -> None:
    """Raises :class:`TextrnnError` for ``length`` < 0, a negative or non-finite ``temperature``, ``top_k`` < 0."""
    if isinstance(length, bool) or not isinstance(length, int) or not 0 <= length <= MAX_LENGTH:
        raise TextrnnError(f"length must be an integer in [0, {MAX_LENGTH:,}] characters, got {length!r}", param="length")
    if not (isinstance(temperature, (int, float)) and temperature >= 0 and math.isfinite(temperature)):
        raise TextrnnError(f"temperature must be a finite number >= 0 (0 = greedy), got {temperature}", param="temperature")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
        raise TextrnnError(f"top_k must be an integer >= 0 (0 = no limit), got {top_k!r}", param="top_k")


@torch.no_grad()
def generate(model: CharLM, vocab: Vocab, prime: str = "", length: int = 500, temperature: float = 1.0,
             top_k: int = 0, seed: int | None = None, line_mode: bool = False) -> str:
    """Sample a continuation of ``prime`` one character at a time (Karpathy 2015, char-rnn).

    The prime is fed through the network, then each next character is drawn from
    ``softmax(logits / temperature)`` restricted to the ``top_k`` most likely characters (Fan et
    al. 2018). Special tokens are never produced, except ``<eos>`` in line mode, which ends the text.

    Args:
        prime: text to condition on. In line mode generation starts from ``<bos>`` then the
            prime; in stream mode an empty prime starts after a newline (or after the most
            frequent character when the vocabulary has no newline). Characters unknown to the
            model map to ``<unk>`` with an :class:`UnknownCharWarning`.
        length: the most characters to generate (not counting the prime).
        temperature: > 1 flatter, < 1 sharper; 0 is greedy (argmax).
        top_k: sample only among the k most likely characters; 0 = all; 1 = greedy.
        seed: seed of the sampler's own ``torch.Generator`` (same seed, model and arguments: same
            text); ``None`` = nondeterministic.

    Returns:
        The generated characters only (without the prime), at most ``length`` of them.

    Raises:
        TextrnnError: a bad ``length``, ``temperature``, ``top_k`` or ``seed``.
    """
    check_sampling(length, temperature, top_k)
    unknown = vocab.unknown(prime)
    if unknown:
        warnings.warn(f"{sum(unknown.values())} prime character(s) not in the model's vocabulary map to <unk>: "
                      f"{''.join(sorted(unknown))!r}", UnknownCharWarning, stacklevel=2)
    if seed is not None:
        check_seed(seed)
    gen = torch.Generator()
    gen.manual_seed(seed if seed is not None else int.from_bytes(os.urandom(8), "little") >> 1)
    ids = vocab.encode_text(prime).tolist()
    if line_mode:
        ids = [vocab.bos_id] + ids
    elif not ids:
        counts = dict(zip(vocab.tokens, vocab.counts or [0] * len(vocab.tokens)))
        start = "\n" if "\n" in vocab else max(vocab.tokens, key=lambda c: counts.get(c, 0))
        ids = [vocab.stoi[start]]
    banned = [vocab.special_id(s) for s in vocab.specials if not (line_mode and s == EOS)]
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    logits, state = model(torch.tensor([ids], dtype=torch.int64, device=device))
    out: list[int] = []
    for _ in range(length):
        last = logits[0, -1].float().cpu().clone()
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
        logits, state = model(torch.tensor([[nxt]], dtype=torch.int64, device=device), state)
    model.train(was_training)
    return vocab.decode_text(out)


class CharLMPredictor:
    """A trained character LM: the network, its vocabulary and whether it reads lines.

    Args:
        model: the :class:`~textrnn.nn.CharLM` (its ``config`` is the architecture).
        vocab: the character vocabulary.
        line_mode: texts are ``<bos> line <eos>`` sequences.
        record: the rest of ``config.json`` (training settings, data) kept for :meth:`save`.
        metrics: training's ``metrics.json``.
    """

    kind = "char_lm"

    def __init__(self, model: CharLM, vocab: Vocab, line_mode: bool = False, record: dict | None = None,
                 metrics: dict | None = None) -> None:
        self.model, self.vocab, self.line_mode = model.eval(), vocab, line_mode
        self.record, self.metrics = dict(record or {}), dict(metrics or {})

    def generate(self, prime: str = "", length: int = 500, temperature: float = 1.0, top_k: int = 0,
                 seed: int | None = None) -> str:
        """See :func:`generate` (stops at ``<eos>`` for a line-mode model)."""
        return generate(self.model, self.vocab, prime, length, temperature, top_k, seed, self.line_mode)

    def evaluate_text(self, text: str) -> dict:
        """Score ``text``: nats and bits per character, perplexity, counts (:func:`textrnn.tasks.lm.evaluate_text`)."""
        return evaluate_text(self.model, self.vocab, text, self.line_mode)

    def n_parameters(self) -> int:
        return count_parameters(self.model)

    def to(self, device: str | torch.device) -> "CharLMPredictor":
        self.model.to(device)
        return self

    def config_dict(self) -> dict:
        return header(self.kind, model=self.model.config.to_dict(), line_mode=self.line_mode, **self.record)

    def save(self, out: str | Path, force: bool = False, files: dict | None = None) -> Path:
        """Write the run directory atomically: ``config.json``, ``vocab.json``, ``model.safetensors``
        (a tied output matrix stored once, as the embedding), ``metrics.json``, and each of ``files``
        (name -> a function that writes that path, e.g. ``curves.png`` from training).

        Raises:
            TextrnnError: ``out`` exists and ``force`` is false.
        """
        from safetensors.torch import save_file

        state = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in self.model.state_dict().items()}
        if self.model.tied:
            state.pop("output.weight", None)
        with atomic_dir(out, force=force) as tmp:
            write_json(tmp / "config.json", self.config_dict())
            write_json(tmp / "vocab.json", self.vocab.to_dict())
            save_file(state, str(tmp / "model.safetensors"))
            write_json(tmp / "metrics.json", self.metrics)
            for name, write in (files or {}).items():
                write(tmp / name)
        return Path(out)

    @classmethod
    def load(cls, run_dir: str | Path, config: dict, device: str = "cpu") -> "CharLMPredictor":
        """Read a run directory (format 1 or 2) checked field by field, weights' shapes before the network.

        Raises:
            TextrnnError: a missing, damaged or inconsistent file.
        """
        from textrnn.devices import resolve_device

        run_dir = Path(run_dir)
        m = dict(section(config, "model", run_dir))
        legacy = config["format_version"] < 2
        if legacy:  # 0.1 named two fields otherwise
            m["embedding_dim"] = m.pop("embed_dim", None)
        mc = CharLMConfig.from_dict(m)
        vocab = Vocab.from_dict(read_json(run_dir / "vocab.json", VOCAB_BYTES), CHAR_SPECIALS)
        if mc.vocab_size != len(vocab):
            raise TextrnnError(f"vocab.json has {len(vocab)} symbols but config.json says {mc.vocab_size}")
        line_mode = config.get("line_mode", False)
        if not isinstance(line_mode, bool):
            raise TextrnnError(f"config.json has line_mode {line_mode!r}, expected true or false")
        tied = frozenset({"output.weight"}) if mc.tie_weights else frozenset()
        model = load_weights(run_dir / "model.safetensors", lambda: CharLM(mc), V1_NAMES if legacy else str, absent=tied)
        record = {k: v for k, v in config.items() if k in ("training", "data", "n_parameters")}
        return cls(model.to(resolve_device(device)), vocab, line_mode, record, read_metrics(run_dir))

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "model": self.model.config.to_dict(), "line_mode": self.line_mode,
                "vocab_size": len(self.vocab), "n_parameters": self.n_parameters()}
