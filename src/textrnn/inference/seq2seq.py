"""The encoder-decoder as a Predictor: texts in, outputs (greedy or beam search) with their attention out; its run directory read and written."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from textrnn.checks import check_int
from textrnn.config import Seq2SeqConfig
from textrnn.config.models import MAX_TARGET_LEN
from textrnn.data.pairs import join_units, split_units
from textrnn.devices import resolve_device
from textrnn.errors import TextrnnError
from textrnn.files import read_json
from textrnn.inference.weights import load_weights
from textrnn.logs import get_logger
from textrnn.nn import count_parameters
from textrnn.nn.seq2seq import Seq2SeqNet
from textrnn.runs import VOCAB_BYTES, header, read_metrics, section, write_run
from textrnn.tasks.seq2seq import decode, encode_pairs, seq2seq_metrics
from textrnn.vocab import CHAR_SPECIALS, WORD_SPECIALS, Vocab

log = get_logger("textrnn.inference")


def check_texts(texts: Any, what: str = "texts") -> list[str]:
    """``texts`` as a list of non-empty strings.

    Raises:
        TextrnnError: a single string, not a list, or an item that is not a non-empty string.
    """
    if isinstance(texts, str):
        raise TextrnnError(f"expected {what} as a list of strings, got a single string; wrap it in a list")
    if not isinstance(texts, Sequence):
        raise TextrnnError(f"expected {what} as a list of strings, got {type(texts).__name__}")
    for i, t in enumerate(texts, 1):
        if not isinstance(t, str) or not t.strip():
            raise TextrnnError(f"{what[:-1]} {i} is {'empty' if isinstance(t, str) else type(t).__name__}; "
                               f"expected a non-empty string")
    return [t.strip() for t in texts]


class Seq2SeqPredictor:
    """A trained encoder-decoder.

    Args:
        source_vocab: source units -> ids (``<pad>``, ``<unk>`` first).
        target_vocab: output units (``<pad>``, ``<unk>``, ``<bos>``, ``<eos>`` first).
        model: the trained :class:`~textrnn.nn.Seq2SeqNet`.
        device: where it runs.
        record: the rest of ``config.json`` (training settings, data) kept for :meth:`save`.
        summary: training's metrics, if any.
    """

    kind, model_type = "seq2seq", None

    def __init__(self, source_vocab: Vocab, target_vocab: Vocab, model: Seq2SeqNet, device: str | torch.device = "cpu",
                 record: dict | None = None, summary: dict | None = None) -> None:
        self.source_vocab, self.target_vocab = source_vocab, target_vocab
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.record = dict(record or {})
        self.summary_ = dict(summary or {})

    config = property(lambda self: self.model.config)
    units = property(lambda self: self.model.config.units)

    def _encode(self, texts: list[str]):
        split = [split_units(t, self.units) for t in texts]
        unseen = Counter(u for s in split for u in s if u not in self.source_vocab.stoi)
        if unseen:
            log.warning(f"warning: {sum(unseen.values())} source unit(s) unseen in training, read as <unk>: "
                        f"{[u for u, _ in unseen.most_common(10)]}")
        empty = next((i for i, s in enumerate(split) if not s), None)
        if empty is not None:
            raise TextrnnError(f"text {empty + 1} has no {self.units} units")
        long = next((i for i, s in enumerate(split) if len(s) > MAX_TARGET_LEN), None)
        if long is not None:  # as in training: memory grows with the longest source of a batch
            raise TextrnnError(f"text {long + 1} has {len(split[long])} {self.units} units; the limit is {MAX_TARGET_LEN}")
        return split, encode_pairs(split, self.source_vocab)

    def translate(self, texts: Sequence[str], beam: int = 5, n_best: int = 1, alpha: float = 0.6,
                  max_len: int | None = None, attention: bool = False, batch_size: int = 128) -> list[dict]:
        """Outputs for raw texts.

        Args:
            texts: source texts (char units: ``<...>`` tokens are single symbols).
            beam: hypotheses kept per text; 1 = greedy decoding.
            n_best: outputs returned per text (<= ``beam``), best first.
            alpha: the length penalty's exponent (:mod:`textrnn.nn.decoding`).
            max_len: the most output units [default: the model's ``max_target_len``].
            attention: add each output's attention matrix.

        Returns:
            One dict per text: ``source``, ``source_units``, ``output``, ``output_units``, ``score``
            (length-normalised log-probability), ``log_prob``, with ``n_best`` > 1 ``alternatives``
            (``output``, ``score``), with ``attention`` the ``(len(output_units), len(source_units))``
            weights as nested lists.

        Raises:
            TextrnnError: not a list of non-empty strings; ``beam``, ``n_best``, ``max_len`` or
                ``batch_size`` out of range.
        """
        texts = check_texts(texts)
        beam = check_int("beam", beam, 1, 1000)
        n_best = check_int("n_best", n_best, 1, beam)
        max_len = check_int("max_len", max_len, 1, MAX_TARGET_LEN) if max_len is not None else None
        batch_size = check_int("batch_size", batch_size, 1, 1_000_000)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 10:
            raise TextrnnError(f"alpha must be a number in [0, 10], got {alpha!r}", param="alpha")
        if not texts:
            return []
        split, data = self._encode(texts)
        found = decode(self.model, data, self.target_vocab, beam, float(alpha), n_best, max_len, attention,
                       batch_size, self.device)
        out = []
        for text, units, hyps in zip(texts, split, found):
            best = hyps[0]
            output_units = self.target_vocab.decode(best.ids)
            item = {"source": text, "source_units": units, "output": join_units(output_units, self.units),
                    "output_units": output_units, "score": best.score, "log_prob": best.log_prob}
            if n_best > 1:
                item["alternatives"] = [{"output": join_units(self.target_vocab.decode(h.ids), self.units),
                                         "score": h.score} for h in hyps]
            if attention and best.attention is not None:
                item["attention"] = [[round(float(x), 5) for x in row] for row in best.attention[: len(output_units)]]
            out.append(item)
        return out

    def evaluate(self, sources: Sequence[str], targets: Sequence[str], beam: int = 5, alpha: float = 0.6,
                 batch_size: int = 128) -> dict:
        """Score outputs against pairs; rows with the same source are its accepted answers.

        Returns:
            :func:`~textrnn.tasks.seq2seq.seq2seq_metrics` (``n`` distinct sources) plus ``n_pairs``,
            ``beam`` and ``seconds`` spent decoding.

        Raises:
            TextrnnError: counts that differ, or what :meth:`translate` raises.
        """
        sources, targets = check_texts(sources, "sources"), check_texts(targets, "targets")
        if len(sources) != len(targets):
            raise TextrnnError(f"{len(sources)} sources but {len(targets)} targets")
        accepted: dict[str, list[str]] = {}
        for s, t in zip(sources, targets):
            group = accepted.setdefault(s, [])
            if t not in group:
                group.append(t)
        start = time.perf_counter()
        outputs = [r["output"] for r in self.translate(list(accepted), beam, 1, alpha, batch_size=batch_size)]
        seconds = time.perf_counter() - start
        return {**seq2seq_metrics(outputs, list(accepted.values()), self.units), "n_pairs": len(sources),
                "beam": beam, "seconds": seconds}

    def n_parameters(self) -> int:
        return count_parameters(self.model)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "model": self.config.to_dict(), "n_parameters": self.n_parameters()}

    # -- the run directory ------------------------------------------------------------

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None,
             files: dict[str, Callable[[Path], None]] | None = None) -> Path:
        """Write the run directory atomically: ``config.json``, ``source_vocab.json``,
        ``target_vocab.json``, ``model.safetensors``, ``metrics.json`` and ``files``.

        Raises:
            TextrnnError: ``out`` exists and ``force`` is false.
        """
        config = header(self.kind, model=self.config.to_dict(), **self.record)
        documents = {"config.json": {**config, **(extra or {})}, "source_vocab.json": self.source_vocab.to_dict(),
                     "target_vocab.json": self.target_vocab.to_dict()}
        return write_run(out, force, documents, self.model, self.summary_, files)

    @classmethod
    def load(cls, run_dir: str | Path, config: dict, device: str = "auto") -> "Seq2SeqPredictor":
        """Read a run directory, every field checked; weights' shapes compared with the configuration first.

        Raises:
            TextrnnError: a missing, damaged or inconsistent file, named in one line.
        """
        run_dir = Path(run_dir)
        model_config = Seq2SeqConfig.from_dict(section(config, "model", run_dir))
        vocabs = []
        for name, specials, size in (("source_vocab.json", WORD_SPECIALS, model_config.source_vocab_size),
                                     ("target_vocab.json", CHAR_SPECIALS, model_config.target_vocab_size)):
            try:
                vocab = Vocab.from_dict(read_json(run_dir / name, VOCAB_BYTES), specials)
            except TextrnnError as e:
                raise TextrnnError(f"{name} is damaged: {str(e).replace('vocab.json ', '')}") from None
            if len(vocab) != size:
                raise TextrnnError(f"{name} has {len(vocab)} entries but the model expects {size}")
            vocabs.append(vocab)
        model = load_weights(run_dir / "model.safetensors", lambda: Seq2SeqNet(model_config))
        record = {k: v for k, v in config.items() if k in ("training", "data")}
        return cls(vocabs[0], vocabs[1], model, device, record, read_metrics(run_dir))
