"""Training a token tagger: tokenised sentences and their tags in, a :class:`TaggerPredictor` and its run directory out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import torch

from textrnn.checks import check_instances
from textrnn.config import TaggerConfig, TaggerTrainConfig, VocabConfig
from textrnn.data.vectors import StaticVectors
from textrnn.devices import fits_in_memory, resolve_device, set_threads
from textrnn.errors import TextrnnError
from textrnn.inference.tagger import TaggerPredictor, check_sentences
from textrnn.logs import get_logger
from textrnn.nn import count_parameters
from textrnn.nn.tagger import SequenceTaggerNet, constrain
from textrnn.tasks.schemes import bio_to_bioes, is_entity_tagset, repair_bio, split_tag
from textrnn.tasks.tag import TaggingTask, encode_sentences
from textrnn.text.word_features import feature_names
from textrnn.training.callbacks import LogLines, ProgressBar
from textrnn.training.history import history_files
from textrnn.training.trainer import Trainer
from textrnn.vocab import WORD_SPECIALS, Vocab

log = get_logger("textrnn.training")


def prepare_tags(tags: list[list[str]], target: str | None, what: str, quiet: bool) -> tuple[list[list[str]], str | None]:
    """Tags as the model trains on them, and the scheme of the file: for entity tags, ``I-X``
    that starts an entity is repaired to ``B-X`` (as seqeval reads it, with a warning) and BIO
    becomes BIOES when ``target`` is ``"bioes"``."""
    flat = {y for row in tags for y in row}
    if not is_entity_tagset(flat):
        return tags, None
    given = "bioes" if any(split_tag(y)[0] in ("E", "S") for y in flat) else "bio"
    if given == "bio":
        repaired, changed = zip(*(repair_bio(row) for row in tags))
        if sum(changed) and not quiet:
            log.warning(f"warning: {sum(changed)} {what} entities start with I- (read as B-, as seqeval does)")
        tags = [list(r) for r in repaired]
        if target == "bioes":
            tags = [bio_to_bioes(row) for row in tags]
    return tags, given


class SequenceTagger:
    """A BiLSTM(-CRF) token tagger over tokenised sentences (``fit``, then ``predict``).

    Args:
        model_config, train_config: see :class:`~textrnn.config.TaggerConfig` and
            :class:`~textrnn.config.TaggerTrainConfig`; sizes and ``scheme`` are set by :meth:`fit`.
        vocab_config: ``max_size`` / ``min_freq`` of the word vocabulary (``max_len`` is unused:
            a tagger never truncates a sentence).
        scheme: the scheme entity tags are trained in, ``"bio"`` or ``"bioes"`` (tags that are
            not entity tags, e.g. POS, ignore it); predictions come back in the file's scheme.
        morph_features: add pymorphy3's grammatical classes of each word as features.
        embeddings: pretrained vectors read, frozen, for every word besides the trained word
            embedding (:class:`~textrnn.data.vectors.StaticVectors`): ``"navec"``, a navec ``.tar``
            or a word2vec / GloVe text file (prediction reads them again); ``"auto"`` (the default)
            = navec when the optional extra is installed, else none; ``None`` / ``"none"`` = none.
        device: ``"auto"``, ``"cpu"`` or ``"cuda[:N]"``.

    After :meth:`fit`: ``predictor_`` (what :func:`textrnn.load` returns for the saved
    directory), ``history_`` and ``summary_``.
    """

    def __init__(self, model_config: TaggerConfig | None = None, train_config: TaggerTrainConfig | None = None,
                 vocab_config: VocabConfig | None = None, scheme: str = "bioes", morph_features: bool = True,
                 embeddings: str | None = "auto", device: str = "auto",
                 callbacks: Sequence[Any] = ()) -> None:
        check_instances(("model_config", model_config, TaggerConfig), ("vocab_config", vocab_config, VocabConfig),
                        ("train_config", train_config, TaggerTrainConfig))
        self.model_config = (model_config or TaggerConfig()).validate()
        self.train_config = (train_config or TaggerTrainConfig()).validate()
        self.vocab_config = (vocab_config or VocabConfig()).validate()
        if scheme not in ("bio", "bioes"):
            raise TextrnnError(f"scheme {scheme!r} is unknown; expected bio or bioes", param="scheme")
        self.scheme, self.morph_features = scheme, bool(morph_features)
        if embeddings == "auto":
            from textrnn.data.vectors import navec_available

            embeddings = "navec" if navec_available() else None
            if embeddings is None:
                log.info("no pretrained vectors: pip install 'textrnn[navec]' for navec (about +0.6 points UPOS, "
                         "+10 points entity F1 in benchmarks/RESULTS.md)")
        self.static = StaticVectors(embeddings) if embeddings not in (None, "none") else None
        self.device = resolve_device(device)
        self.callbacks = list(callbacks)
        self.predictor_: TaggerPredictor | None = None
        self.history_: list[dict] = []
        self.summary_: dict = {}

    def fit(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]],
            val_sentences: Sequence[Sequence[str]] | None = None, val_tags: Sequence[Sequence[str]] | None = None,
            quiet: bool = False) -> "SequenceTagger":
        """Train on tokenised sentences and their tags; without validation data the last 10 % of
        the sentences are held out. The weights of the best validation score are kept.

        Raises:
            TextrnnError: malformed sentences, tag and token counts that differ, validation tags
                unseen in training (reported, not an error: they count as mistakes), or divergence.
        """
        info = (lambda _msg: None) if quiet else log.info
        sentences, tags = check_sentences(sentences), [list(t) for t in tags]
        if len(sentences) != len(tags):
            raise TextrnnError(f"{len(sentences)} sentences but {len(tags)} tag lists")
        if not sentences:
            raise TextrnnError("no training sentences")
        if val_sentences is None:
            if val_tags is not None:
                raise TextrnnError("val_tags given without val_sentences", param="val_sentences")
            n_val = max(1, len(sentences) // 10)
            if len(sentences) < 2:
                raise TextrnnError("one training sentence cannot be split for validation; give val_sentences",
                                   param="val_sentences")
            val_sentences, val_tags = sentences[-n_val:], tags[-n_val:]
            sentences, tags = sentences[:-n_val], tags[:-n_val]
            info(f"no validation set given: holding out the last {n_val} training sentences")
        else:
            if val_tags is None:
                raise TextrnnError("val_sentences given without val_tags", param="val_tags")
            val_sentences, val_tags = check_sentences(val_sentences, "val_sentences"), [list(t) for t in val_tags]
            if len(val_sentences) != len(val_tags) or not val_sentences:
                raise TextrnnError(f"{len(val_sentences)} validation sentences but {len(val_tags)} tag lists")
        tags, given = prepare_tags(tags, self.scheme, "training", quiet)
        if given is None and self.scheme != "bioes" and not quiet:  # bioes is the default: only a choice is worth a word
            log.warning(f"warning: scheme {self.scheme!r} is not used: the tags are not entity tags (B-/I-/O)")
        val_tags, _ = prepare_tags(val_tags, self.scheme if given == "bio" else None, "validation", True)
        scheme = (self.scheme if given == "bio" else given) if given else None
        tag_vocab = Vocab(sorted({y for row in tags for y in row}), specials=())
        unseen = Counter(y for row in val_tags for y in row if y not in tag_vocab.stoi)
        if sum(unseen.values()) == sum(map(len, val_tags)):
            raise TextrnnError(f"none of the validation tags {sorted(unseen)[:5]} occurs in training (tags: "
                               f"{tag_vocab.tokens[:8]}); is the validation file of another task or column?",
                               param="val_sentences")
        if unseen and not quiet:
            log.warning(f"warning: validation tags {sorted(unseen)[:10]} do not occur in training (counted as errors)")
        model, cfg, words, chars, names = self._build(sentences, tag_vocab, scheme, info)
        self.model_config = cfg
        train_data = encode_sentences(sentences, words, chars, names, cfg, tags, tag_vocab, self.static)
        val_known = [[y if y in tag_vocab.stoi else tag_vocab.tokens[0] for y in row] for row in val_tags]
        val_data = encode_sentences(val_sentences, words, chars, names, cfg, val_known, tag_vocab, self.static)
        n_tokens = int(train_data.lengths.sum())
        info(f"{len(sentences)} training sentences ({n_tokens} tokens), {len(val_sentences)} validation; {len(tag_vocab)} "
             f"tags{f' ({scheme})' if scheme else ''}; vocabulary {len(words)}; {'CRF' if cfg.crf else 'softmax'} "
             f"{cfg.cell} tagger with {count_parameters(model):,} parameters on {self.device}")
        tc = self.train_config
        task = TaggingTask(train_data, val_data, val_tags, tag_vocab, scheme, tc.batch_size)
        callbacks = ([] if quiet else [ProgressBar(), LogLines()]) + self.callbacks
        set_threads(tc.threads or None)
        trainer = Trainer(model, task, tc, self.device, callbacks).fit()
        self.history_, self.summary_ = trainer.history, trainer.summary()
        record = {"tagging": {"output_scheme": given, "morph_features": self.morph_features},
                  "training": tc.to_dict(),
                  "embeddings": {"source": self.static.source, "vectors": self.static.name, "dim": self.static.dim}
                  if self.static else None}
        self.predictor_ = TaggerPredictor(words, chars, tag_vocab, names, model, self.device, record, self.summary_,
                                          self.static)
        return self

    def _build(self, sentences: list[list[str]], tag_vocab: Vocab, scheme: str | None, info) -> tuple:
        c, vc = self.model_config, self.vocab_config
        lowered = [[t.lower() for t in s] for s in sentences] if c.lowercase else sentences
        words = Vocab.build(lowered, WORD_SPECIALS, vc.max_size, vc.min_freq)
        chars = (Vocab.build((t for s in sentences for t in s), WORD_SPECIALS, order="sorted")
                 if c.char != "none" else None)
        names = feature_names(morph=self.morph_features)
        overrides = {"vocab_size": len(words), "num_tags": len(tag_vocab), "scheme": scheme,
                     "char_vocab_size": len(chars) if chars is not None else 2, "num_features": len(names)}
        if self.static is not None:
            found = self.static.matrix(words.tokens).abs().sum(1) > 0  # (also learns a text file's dimension)
            overrides["static_dim"] = self.static.dim
            info(f"pretrained vectors {self.static.name} ({self.static.dim}d, frozen): {int(found.sum())} of "
                 f"{len(words.tokens)} training words found")
        cfg = TaggerConfig.from_dict({**c.to_dict(), **overrides})
        torch.manual_seed(self.train_config.seed)
        with fits_in_memory("the model", f"hidden_size, embedding_dim or max_size (now {cfg.hidden_size}, "
                                         f"{cfg.embedding_dim}, {cfg.vocab_size})"):
            model = SequenceTaggerNet(cfg)
        constrain(model, tag_vocab.tokens)
        return model, cfg, words, chars, names

    def _check_fitted(self) -> TaggerPredictor:
        if self.predictor_ is None:
            raise TextrnnError("the tagger is not trained; call fit() first (or textrnn.load(run_dir))")
        return self.predictor_

    def predict(self, sentences: Sequence[Sequence[str]], batch_size: int = 128) -> list[list[str]]:
        """See :meth:`TaggerPredictor.predict`."""
        return self._check_fitted().predict(sentences, batch_size)

    def predict_text(self, texts: Sequence[str], batch_size: int = 128, probs: bool = False) -> list[dict]:
        """See :meth:`TaggerPredictor.predict_text`."""
        return self._check_fitted().predict_text(texts, batch_size, probs)

    def evaluate(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]], batch_size: int = 128) -> dict:
        """See :meth:`TaggerPredictor.evaluate`."""
        return self._check_fitted().evaluate(sentences, tags, batch_size)

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None, plots: bool = True) -> Path:
        """Write the run directory atomically (the predictor's files, ``history.csv`` and, with
        ``plots``, ``curves.png``).

        Raises:
            TextrnnError: not fitted, or ``out`` exists and ``force`` is false.
        """
        predictor = self._check_fitted()
        files = history_files(self.history_, self.summary_.get("best"), "token", plots)
        return predictor.save(out, force=force, extra=extra, files=files)
