"""Training an encoder-decoder with attention: source and target texts in, a :class:`Seq2SeqPredictor` and its run directory out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import torch

from textrnn.checks import check_instances
from textrnn.config import Seq2SeqConfig, Seq2SeqTrainConfig, VocabConfig
from textrnn.config.models import MAX_TARGET_LEN
from textrnn.data.pairs import split_units
from textrnn.devices import fits_in_memory, resolve_device, set_threads
from textrnn.errors import TextrnnError
from textrnn.inference.seq2seq import Seq2SeqPredictor, check_texts
from textrnn.logs import get_logger
from textrnn.nn import count_parameters
from textrnn.nn.seq2seq import Seq2SeqNet
from textrnn.tasks.seq2seq import Seq2SeqTask, encode_pairs
from textrnn.training.callbacks import LogLines, ProgressBar
from textrnn.training.history import history_files
from textrnn.training.trainer import Trainer
from textrnn.vocab import CHAR_SPECIALS, WORD_SPECIALS, Vocab

log = get_logger("textrnn.training")


def hold_out(sources: list[str], targets: list[str], share: float = 0.1):
    """Split off the pairs of the last ``share`` of the distinct sources (all rows of a source stay
    on one side, so no accepted answer of a validation source is trained on)."""
    distinct = list(dict.fromkeys(sources))
    if len(distinct) < 2:
        raise TextrnnError("one distinct source cannot be split for validation; give val_sources", param="val_sources")
    held = set(distinct[-max(1, int(len(distinct) * share)):])
    keep = [i for i, s in enumerate(sources) if s not in held]
    out = [i for i, s in enumerate(sources) if s in held]
    return ([sources[i] for i in keep], [targets[i] for i in keep], [sources[i] for i in out],
            [targets[i] for i in out], len(held))


class Seq2Seq:
    """A sequence-to-sequence model (encoder-decoder with attention) over text pairs (``fit``, then ``translate``).

    Args:
        model_config, train_config: see :class:`~textrnn.config.Seq2SeqConfig` and
            :class:`~textrnn.config.Seq2SeqTrainConfig`; vocabulary sizes and ``max_target_len``
            are set by :meth:`fit`.
        vocab_config: ``max_size`` / ``min_freq`` of both vocabularies (``max_len`` is unused:
            nothing is truncated; a target longer than the limit is refused).
        device: ``"auto"``, ``"cpu"`` or ``"cuda[:N]"``.

    After :meth:`fit`: ``predictor_`` (what :func:`textrnn.load` returns for the saved directory),
    ``history_`` and ``summary_``.
    """

    def __init__(self, model_config: Seq2SeqConfig | None = None, train_config: Seq2SeqTrainConfig | None = None,
                 vocab_config: VocabConfig | None = None, device: str = "auto", callbacks: Sequence[Any] = ()) -> None:
        check_instances(("model_config", model_config, Seq2SeqConfig), ("vocab_config", vocab_config, VocabConfig),
                        ("train_config", train_config, Seq2SeqTrainConfig))
        self.model_config = (model_config or Seq2SeqConfig()).validate()
        self.train_config = (train_config or Seq2SeqTrainConfig()).validate()
        self.vocab_config = (vocab_config or VocabConfig()).validate()
        self.device = resolve_device(device)
        self.callbacks = list(callbacks)
        self.predictor_: Seq2SeqPredictor | None = None
        self.history_: list[dict] = []
        self.summary_: dict = {}

    def fit(self, sources: Sequence[str], targets: Sequence[str], val_sources: Sequence[str] | None = None,
            val_targets: Sequence[str] | None = None, quiet: bool = False) -> "Seq2Seq":
        """Train on pairs (rows with the same source are alternatives); without validation pairs
        those of the last 10 % of the distinct sources are held out. The weights of the best
        validation exact match (greedy decoding) are kept.

        Raises:
            TextrnnError: empty or non-string texts, counts that differ, a target longer than
                the limit, validation given halfway, or divergence.
        """
        info = (lambda _msg: None) if quiet else log.info
        sources, targets = check_texts(sources, "sources"), check_texts(targets, "targets")
        if len(sources) != len(targets):
            raise TextrnnError(f"{len(sources)} sources but {len(targets)} targets")
        if not sources:
            raise TextrnnError("no training pairs")
        if val_sources is None:
            if val_targets is not None:
                raise TextrnnError("val_targets given without val_sources", param="val_sources")
            sources, targets, val_sources, val_targets, n = hold_out(sources, targets)
            info(f"no validation set given: holding out the pairs of the last {n} distinct sources")
        else:
            if val_targets is None:
                raise TextrnnError("val_sources given without val_targets", param="val_targets")
            val_sources, val_targets = check_texts(val_sources, "val_sources"), check_texts(val_targets, "val_targets")
            if len(val_sources) != len(val_targets) or not val_sources:
                raise TextrnnError(f"{len(val_sources)} validation sources but {len(val_targets)} targets")
        units = self.model_config.units
        src, tgt = [split_units(s, units) for s in sources], [split_units(t, units) for t in targets]
        for what, rows in (("source", src), ("target", tgt)):
            long = next((i for i, r in enumerate(rows) if len(r) > MAX_TARGET_LEN), None)
            if long is not None:
                raise TextrnnError(f"training {what} {long + 1} has {len(rows[long])} {units} units; the limit is "
                                   f"{MAX_TARGET_LEN}")
        vc = self.vocab_config
        source_vocab = Vocab.build(src, WORD_SPECIALS, vc.max_size, vc.min_freq)
        target_vocab = Vocab.build(tgt, CHAR_SPECIALS, vc.max_size, vc.min_freq)
        longest = max(map(len, tgt))
        overrides = {"source_vocab_size": len(source_vocab), "target_vocab_size": len(target_vocab),
                     "max_target_len": min(MAX_TARGET_LEN, max(2 * longest, longest + 10))}
        cfg = Seq2SeqConfig.from_dict({**self.model_config.to_dict(), **overrides})
        self.model_config = cfg
        val_src = [split_units(s, units) for s in val_sources]
        val_tgt = [split_units(t, units) for t in val_targets]
        unseen = Counter(u for row in val_tgt for u in row if u not in target_vocab.stoi)
        if unseen and not quiet:
            log.warning(f"warning: validation targets hold {sum(unseen.values())} unit(s) unseen in training "
                        f"(the model cannot produce them): {[u for u, _ in unseen.most_common(10)]}")
        first: dict[str, int] = {}
        accepted: dict[str, list[str]] = {}
        for i, (s, t) in enumerate(zip(val_sources, val_targets)):
            first.setdefault(s, i)
            accepted.setdefault(s, []).append(t)
        torch.manual_seed(self.train_config.seed)
        with fits_in_memory("the model", f"hidden_size, embedding_dim or max_size (now {cfg.hidden_size}, "
                                         f"{cfg.embedding_dim}, {max(len(source_vocab), len(target_vocab))})"):
            model = Seq2SeqNet(cfg)
        info(f"{len(sources)} training pairs, {len(val_sources)} validation ({len(accepted)} distinct sources); "
             f"{units} units: {len(source_vocab)} source, {len(target_vocab)} target; {cfg.attention} attention, "
             f"{cfg.cell} with {count_parameters(model):,} parameters on {self.device}")
        tc = self.train_config
        task = Seq2SeqTask(encode_pairs(src, source_vocab, tgt, target_vocab),
                           encode_pairs(val_src, source_vocab, val_tgt, target_vocab),
                           torch.tensor(list(first.values()), dtype=torch.int64), list(accepted.values()),
                           target_vocab, units, tc.batch_size, cfg.label_smoothing)
        callbacks = ([] if quiet else [ProgressBar(), LogLines()]) + self.callbacks
        set_threads(tc.threads or None)
        trainer = Trainer(model, task, tc, self.device, callbacks).fit()
        self.history_, self.summary_ = trainer.history, trainer.summary()
        self.predictor_ = Seq2SeqPredictor(source_vocab, target_vocab, model, self.device,
                                           {"training": tc.to_dict()}, self.summary_)
        return self

    def _check_fitted(self) -> Seq2SeqPredictor:
        if self.predictor_ is None:
            raise TextrnnError("the model is not trained; call fit() first (or textrnn.load(run_dir))")
        return self.predictor_

    def translate(self, texts: Sequence[str], **options: Any) -> list[dict]:
        """See :meth:`Seq2SeqPredictor.translate`."""
        return self._check_fitted().translate(texts, **options)

    def evaluate(self, sources: Sequence[str], targets: Sequence[str], **options: Any) -> dict:
        """See :meth:`Seq2SeqPredictor.evaluate`."""
        return self._check_fitted().evaluate(sources, targets, **options)

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None, plots: bool = True) -> Path:
        """Write the run directory atomically (the predictor's files, ``history.csv`` and, with
        ``plots``, ``curves.png``).

        Raises:
            TextrnnError: not fitted, or ``out`` exists and ``force`` is false.
        """
        predictor = self._check_fitted()
        files = history_files(self.history_, self.summary_.get("best"), "output unit", plots)
        return predictor.save(out, force=force, extra=extra, files=files)
