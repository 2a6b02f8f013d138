"""The token tagger as a Predictor: tokens or raw text in, tags, entity spans and offsets out; its run directory read and written."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import torch

from textrnn.config import TaggerConfig
from textrnn.data.vectors import StaticVectors
from textrnn.devices import resolve_device
from textrnn.errors import TextrnnError
from textrnn.files import read_json
from textrnn.inference.weights import load_weights
from textrnn.nn import count_parameters
from textrnn.nn.tagger import SequenceTaggerNet, constrain
from textrnn.runs import VOCAB_BYTES, header, read_metrics, section, write_run
from textrnn.tasks.schemes import bioes_to_bio, is_entity_tagset, repair_bio, spans
from textrnn.tasks.tag import encode_sentences, predict_tag_ids, tagging_metrics
from textrnn.text.word_features import WordFeatures
from textrnn.vocab import WORD_SPECIALS, Vocab


def tokenize_text(text: str) -> list[list[tuple[str, int, int]]]:
    """Raw text -> sentences of ``(token, start, end)`` (character offsets into ``text``), by razdel."""
    from razdel import sentenize, tokenize

    out = []
    for sentence in sentenize(text):
        tokens = [(t.text, sentence.start + t.start, sentence.start + t.stop) for t in tokenize(sentence.text)]
        if tokens:
            out.append(tokens)
    return out


@contextlib.contextmanager
def naming(name: str) -> Iterator[None]:
    """Errors inside the block name the file ``name`` (a vocabulary's messages say vocab.json)."""
    try:
        yield
    except TextrnnError as e:
        raise TextrnnError(f"{name} is damaged: {str(e).replace('vocab.json ', '')}") from None


def check_feature_names(names: list[str]) -> None:
    """Stored feature names must be ``shape:<known shape>``, ``any:<grammeme>`` or ``top:<part of speech>``
    (a grammeme another dictionary version lacks is allowed: it is never active).

    Raises:
        TextrnnError: any other name.
    """
    from textrnn.text.word_features import SHAPES

    for name in names:
        kind, _, value = name.partition(":")
        if not value or kind not in ("shape", "any", "top") or (kind == "shape" and value not in SHAPES):
            raise TextrnnError(f"config.json 'features' is damaged: {name!r} is not a word feature "
                               f"(expected shape:<{'|'.join(SHAPES[:3])}|...>, any:<grammeme> or top:<POS>)")


def check_sentences(sentences: Any, what: str = "sentences") -> list[list[str]]:
    """``sentences`` as a list of token lists.

    Raises:
        TextrnnError: a single string, a sentence that is a string, not a list, empty, or holds a non-string.
    """
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise TextrnnError(f"expected {what} as a list of token lists, got {type(sentences).__name__}")
    out = []
    for i, s in enumerate(sentences, 1):
        if isinstance(s, str) or not isinstance(s, Sequence):
            raise TextrnnError(f"sentence {i} is a {type(s).__name__}; expected a list of tokens (tokenise raw text "
                               f"with predict_text)")
        if not s:
            raise TextrnnError(f"sentence {i} is empty; every sentence needs at least one token")
        if not all(isinstance(t, str) and t for t in s):
            raise TextrnnError(f"sentence {i} holds a token that is not a non-empty string")
        out.append(list(s))
    return out


class TaggerPredictor:
    """A trained token tagger.

    Args:
        words: the word vocabulary (lowercased words when ``model.config.lowercase``).
        chars: the character vocabulary, or ``None`` without character features.
        tags: the tag vocabulary (no specials; ids are the emission columns).
        feature_names: the word-feature columns (:mod:`textrnn.text.word_features`).
        model: the trained :class:`~textrnn.nn.SequenceTaggerNet`.
        device: where it runs.
        record: the rest of ``config.json`` (``tagging``: the input column and the scheme tags
            are given back in; training settings) kept for :meth:`save`.
        summary: training's metrics, if any.
        static: the frozen pretrained vectors the model reads (``config.static_dim`` > 0), or ``None``.
    """

    kind, model_type = "tagger", None

    def __init__(self, words: Vocab, chars: Vocab | None, tags: Vocab, feature_names: Sequence[str],
                 model: SequenceTaggerNet, device: str | torch.device = "cpu", record: dict | None = None,
                 summary: dict | None = None, static: StaticVectors | None = None) -> None:
        self.static = static
        self.words, self.chars, self.tags, self.feature_names = words, chars, tags, list(feature_names)
        self._features = WordFeatures(self.feature_names)  # its per-word cache lives as long as the predictor
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.record = dict(record or {})
        self.summary_ = dict(summary or {})

    config = property(lambda self: self.model.config)
    tags_ = property(lambda self: self.tags.tokens, doc="The tags, in the model's scheme.")

    @property
    def output_scheme(self) -> str | None:
        """The entity scheme predictions are given in (that of the training file), or ``None`` (not entity tags)."""
        return (self.record.get("tagging") or {}).get("output_scheme", self.config.scheme)

    def _to_output(self, tags: list[str]) -> list[str]:
        return bioes_to_bio(tags) if self.config.scheme == "bioes" and self.output_scheme == "bio" else tags

    # -- prediction -------------------------------------------------------------------

    def predict(self, sentences: Sequence[Sequence[str]], batch_size: int = 128, probs: bool = False):
        """Tags of tokenised sentences (gold tokens), in the training file's scheme.

        Args:
            sentences: token lists.
            probs: also return, per sentence, the probability of each chosen tag (CRF marginals or softmax).

        Returns:
            A list of tag lists, or with ``probs`` a pair (tags, probabilities).

        Raises:
            TextrnnError: not a list of non-empty token lists, or ``batch_size`` < 1.
        """
        sentences = check_sentences(sentences)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise TextrnnError(f"batch_size must be an integer >= 1, got {batch_size!r}", param="batch_size")
        if not sentences:
            return ([], []) if probs else []
        data = encode_sentences(sentences, self.words, self.chars, self._features, self.config, static=self.static)
        ids, marginals = predict_tag_ids(self.model, data, batch_size, self.device, probs)
        tags = [self._to_output(self.tags.decode(row, keep_specials=True)) for row in ids]
        if not probs:
            return tags
        chosen = [[float(m[i, j]) for i, j in enumerate(row)] for row, m in zip(ids, marginals)]
        return tags, chosen

    def predict_text(self, texts: Sequence[str], batch_size: int = 128, probs: bool = False) -> list[dict]:
        """Tag raw texts: razdel splits sentences and tokens; tags map back to character offsets.

        Returns:
            One dict per text: ``text``, ``tokens`` (``text``, ``start``, ``end``, ``tag``, the
            ``sentence`` index within the text and with ``probs`` ``prob``), and for entity tags ``entities`` (``type``, ``text``, ``start``, ``end``).
        """
        if isinstance(texts, str):
            raise TextrnnError("expected a list of texts, got a single string; wrap it in a list")
        split = [tokenize_text(text) for text in texts]
        flat = [[t for t, _, _ in s] for sents in split for s in sents]
        result = self.predict(flat, batch_size, probs) if flat else ([], [])
        tags, chosen = result if probs else (result, None)
        out, k = [], 0
        for text, sents in zip(texts, split):
            tokens = []
            for n, s in enumerate(sents):
                row = [{"text": t, "start": a, "end": b, "tag": y, "sentence": n} for (t, a, b), y in zip(s, tags[k])]
                if probs:
                    for item, p in zip(row, chosen[k]):
                        item["prob"] = p
                tokens.extend(row)
                k += 1
            out.append(self.result(text, tokens))
        return out

    def result(self, text: str, tokens: list[dict]) -> dict:
        """``{"text", "tokens"}`` plus, for entity tags, ``entities`` (``type``, ``text``, ``start``,
        ``end``) found sentence by sentence in the tokens' tags (strict spans)."""
        out = {"text": text, "tokens": tokens}
        if self.output_scheme:
            entities = []
            by_sentence: dict[int, list[dict]] = {}
            for t in tokens:
                by_sentence.setdefault(t.get("sentence", 0), []).append(t)
            for row in by_sentence.values():
                for kind, i, j in spans([t["tag"] for t in row], self.output_scheme):
                    start, end = row[i]["start"], row[j - 1]["end"]
                    entities.append({"type": kind, "text": text[start:end], "start": start, "end": end})
            out["entities"] = entities
        return out

    def evaluate(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]], batch_size: int = 128) -> dict:
        """Token accuracy, per-tag scores, strict entity scores for entity tags (see
        :func:`~textrnn.tasks.tag.tagging_metrics`), and ``seconds`` spent predicting. A gold tag the
        model never saw counts as an error (``unseen_tags``); gold BIO entities that start with
        ``I-`` are read as ``B-``, as in training (``repaired_gold``).

        Raises:
            TextrnnError: counts that differ, or no gold tag the model knows (a file of another task).
        """
        sentences = check_sentences(sentences)
        if len(tags) != len(sentences):
            raise TextrnnError(f"{len(sentences)} sentences but {len(tags)} tag lists")
        tags, repaired = [list(t) for t in tags], 0
        if self.output_scheme == "bio":
            pairs = [repair_bio(row) for row in tags]
            tags, repaired = [p[0] for p in pairs], sum(p[1] for p in pairs)
        known = self._to_output(self.tags.tokens) if self.output_scheme else self.tags.tokens
        if not {y for row in tags for y in row} & set(known):
            sample = sorted({y for row in tags for y in row})[:5]
            raise TextrnnError(f"none of the gold tags {sample} is known to the model (its tags: {known[:8]}); "
                               f"is this a file of another task or column?")
        start = time.perf_counter()
        pred = self.predict(sentences, batch_size)
        seconds = time.perf_counter() - start
        return {**tagging_metrics(tags, pred, self.output_scheme, known), "repaired_gold": repaired, "seconds": seconds}

    def n_parameters(self) -> int:
        return count_parameters(self.model)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "tags": self.tags.tokens, "model": self.config.to_dict(),
                "n_parameters": self.n_parameters()}

    # -- the run directory ------------------------------------------------------------

    def save(self, out: str | Path, force: bool = False, extra: dict | None = None,
             files: dict[str, Callable[[Path], None]] | None = None) -> Path:
        """Write the run directory atomically: ``config.json``, ``vocab.json`` (words),
        ``chars.json``, ``tags.json``, ``model.safetensors``, ``metrics.json`` and ``files``.

        Raises:
            TextrnnError: ``out`` exists and ``force`` is false.
        """
        config = header(self.kind, model=self.config.to_dict(), features=self.feature_names, **self.record)
        documents = {"config.json": {**config, **(extra or {})}, "vocab.json": self.words.to_dict(),
                     **({"chars.json": self.chars.to_dict()} if self.chars is not None else {}),
                     "tags.json": {"tags": self.tags.tokens}}
        return write_run(out, force, documents, self.model, self.summary_, files)

    @classmethod
    def load(cls, run_dir: str | Path, config: dict, device: str = "auto") -> "TaggerPredictor":
        """Read a run directory, every field checked; weights' shapes compared with the configuration first.

        Raises:
            TextrnnError: a missing, damaged or inconsistent file, named in one line.
        """
        run_dir = Path(run_dir)
        model_config = TaggerConfig.from_dict(section(config, "model", run_dir))
        features = config.get("features")
        if (not isinstance(features, list) or not all(isinstance(f, str) for f in features)
                or len(features) != model_config.num_features):
            raise TextrnnError(f"config.json 'features' must list the model's {model_config.num_features} feature names")
        check_feature_names(features)
        words = Vocab.from_dict(read_json(run_dir / "vocab.json", VOCAB_BYTES), WORD_SPECIALS)
        chars = None
        if model_config.char != "none":
            with naming("chars.json"):
                chars = Vocab.from_dict(read_json(run_dir / "chars.json", VOCAB_BYTES), WORD_SPECIALS)
            if not all(len(c) == 1 for c in chars.tokens):
                raise TextrnnError("chars.json is damaged: an entry is not a single character")
            if len(chars) != model_config.char_vocab_size:
                raise TextrnnError(f"chars.json has {len(chars)} entries but the model expects {model_config.char_vocab_size}")
        data = read_json(run_dir / "tags.json")
        tag_list = data.get("tags") if isinstance(data, dict) else None
        if not isinstance(tag_list, list) or not all(isinstance(t, str) and t for t in tag_list):
            raise TextrnnError("tags.json is damaged: expected {\"tags\": [tag, ...]}")
        with naming("tags.json"):
            tags = Vocab(tag_list, specials=())
        if model_config.scheme and not is_entity_tagset(tags.tokens):
            raise TextrnnError(f"tags.json is damaged: a {model_config.scheme} model's tags must be O or B-/I-/E-/S- tags")
        if len(tags) != model_config.num_tags:
            raise TextrnnError(f"tags.json has {len(tags)} tags but the model has {model_config.num_tags}")
        if len(words) != model_config.vocab_size:
            raise TextrnnError(f"vocab.json has {len(words)} entries but the model expects {model_config.vocab_size}")
        model = load_weights(run_dir / "model.safetensors", lambda: SequenceTaggerNet(model_config))
        constrain(model, tags.tokens)
        record = {k: v for k, v in config.items() if k in ("tagging", "training", "embeddings", "data")}
        tagging = record.get("tagging")
        if tagging is not None and (not isinstance(tagging, dict)
                                    or tagging.get("output_scheme") not in (None, "bio", "bioes")):
            raise TextrnnError("config.json 'tagging' is damaged: output_scheme must be bio, bioes or null")
        static = None
        if model_config.static_dim:
            source = (record.get("embeddings") or {}).get("source") if isinstance(record.get("embeddings"), dict) else None
            if not isinstance(source, str):
                raise TextrnnError("config.json 'embeddings' must name the source of the model's pretrained vectors")
            static = StaticVectors(source)
        return cls(words, chars, tags, features, model, device, record, read_metrics(run_dir), static)
