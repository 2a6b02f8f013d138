"""Architectures: the text classifier, the character language model and the token tagger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textrnn.config.base import _ENCODER_RULES, MAX_SUBWORD_BUCKETS, MAX_WIDTH, POOLINGS, _Config
from textrnn.errors import TextrnnError


@dataclass
class ModelConfig(_Config):
    """Architecture of a recurrent text classifier (:class:`textrnn.nn.RecurrentClassifier`).

    The defaults are the model ``textrnn train`` builds, chosen by measurement
    (benchmarks/RESULTS.md, "The train default"): a bidirectional GRU of 128 units per direction
    over 128-d word embeddings plus fastText-style subword embeddings, max pooling, dropout 0.3
    on the embeddings and before the output layer.

    Attributes:
        cell: ``"rnn"`` (Elman, tanh), ``"lstm"`` or ``"gru"``.
        vocab_size: number of token ids, special tokens included (set by ``fit``).
        num_outputs: 1 for two classes (one logit), else the number of classes (set by ``fit``).
        embedding_dim: size of each token embedding.
        hidden_size: size of the hidden state of each direction.
        num_layers: stacked recurrent layers.
        dropout: dropout between recurrent layers and before the output layer.
        embedding_dropout: dropout on the embeddings.
        bidirectional: run a backward net too and concatenate both.
        pooling: ``"last"``, ``"mean"``, ``"max"`` or ``"attention"`` (:mod:`textrnn.nn.pooling`).
        attention_size: hidden size of the attention scorer.
        subword_buckets: 0 = words only; else hash buckets for character n-gram embeddings
            (:mod:`textrnn.data.subwords`); the input ids are then ``(batch, seq_len, 1 + max_subwords)``.
        subword_min_n, subword_max_n: n-gram lengths in characters, word boundaries included.
        max_subwords: n-grams kept per word.
    """

    cell: str = "gru"
    vocab_size: int = 2
    num_outputs: int = 1
    embedding_dim: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    dropout: float = 0.3
    embedding_dropout: float = 0.3
    bidirectional: bool = True
    pooling: str = "max"
    attention_size: int = 64
    subword_buckets: int = 20000
    subword_min_n: int = 3
    subword_max_n: int = 5
    max_subwords: int = 24

    _what = "model option"
    _rules = {
        **_ENCODER_RULES, "pooling": ("choice", POOLINGS), "bidirectional": ("bool",),
        "num_outputs": ("int", 1, 1_000_000), "attention_size": ("int", 1, MAX_WIDTH),
        "subword_buckets": ("int", 0, MAX_SUBWORD_BUCKETS), "subword_min_n": ("int", 1, 32),
        "subword_max_n": ("int", 1, 32), "max_subwords": ("int", 1, 512),
        "embedding_dropout": ("float", 0.0, 1.0, True),
    }

    def validate(self) -> "ModelConfig":
        super().validate()
        if self.subword_min_n > self.subword_max_n:
            raise TextrnnError(f"model options subword_min_n={self.subword_min_n} > subword_max_n={self.subword_max_n}; "
                               f"expected min <= max", param="subword_min_n")
        return self

    @property
    def features(self) -> int:
        """Size of each encoder state: ``hidden_size`` per direction."""
        return self.hidden_size * (2 if self.bidirectional else 1)


@dataclass
class CharLMConfig(_Config):
    """Architecture of a character language model (:class:`textrnn.nn.CharLM`).

    The defaults are the CPU configuration chosen for tinyshakespeare (<= 1.55 nats/char on
    validation in 300 s on 2 cores, benchmarks/RESULTS.md): one GRU layer of 256 units over
    64-d character embeddings, no dropout (the run is too short to overfit).

    Attributes:
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        vocab_size: symbols, special tokens included (set by training).
        embedding_dim: character embedding size.
        hidden_size: recurrent state size per layer.
        num_layers: stacked recurrent layers.
        dropout: on the embeddings, between layers and before the output layer.
        tie_weights: the output layer shares the embedding matrix (Press & Wolf 2017); needs
            ``embedding_dim == hidden_size``.
    """

    cell: str = "gru"
    vocab_size: int = 2
    embedding_dim: int = 64
    hidden_size: int = 256
    num_layers: int = 1
    dropout: float = 0.0
    tie_weights: bool = False

    _what = "model option"
    _rules = {**_ENCODER_RULES, "tie_weights": ("bool",)}

    def validate(self) -> "CharLMConfig":
        super().validate()
        if self.tie_weights and self.embedding_dim != self.hidden_size:
            raise TextrnnError(f"tie_weights needs embedding_dim == hidden_size, got {self.embedding_dim} and "
                               f"{self.hidden_size}", param="tie_weights")
        return self


CHAR_FEATURES = ("cnn", "lstm", "none")
TAG_SCHEMES = (None, "bio", "bioes")


@dataclass
class TaggerConfig(_Config):
    """Architecture of a token tagger (:class:`textrnn.nn.SequenceTaggerNet`): word embeddings +
    character features of each word + word-shape and dictionary features -> a bidirectional
    :class:`~textrnn.nn.RecurrentEncoder` -> per-token emissions -> softmax or a linear-chain CRF
    (Lample et al. 2016; Ma & Hovy 2016 for the char-CNN).

    Attributes (besides the encoder's ``cell``, ``vocab_size``, ``embedding_dim``, ``hidden_size``,
    ``num_layers``, ``dropout``):
        num_tags: tags (set by training).
        char: ``"cnn"`` (filters of width ``char_kernel``, max over the word), ``"lstm"`` (a char
            BiLSTM, both final states) or ``"none"``.
        char_vocab_size: character ids, specials included (set by training).
        char_embedding_dim, char_hidden: character embedding size; CNN filters or LSTM units per direction.
        char_kernel: CNN filter width in characters.
        max_word_len: characters read per word (the first ones).
        num_features: word-shape and dictionary feature columns (set by training; 0 = none).
        static_dim: size of the frozen pretrained vectors read for every word, training
            vocabulary or not (:class:`~textrnn.data.vectors.StaticVectors`; set by training, 0 = none).
        projection: 0 = none; else the concatenated word vector is mapped linearly to this size
            before the encoder (a low-rank factor of the first layer's input weights: the same
            function class at a fraction of the multiply-adds when the vector is wide).
        embedding_dropout: dropout on the concatenated word vector.
        word_dropout: share of training tokens whose word id is replaced by ``<unk>`` (so the net
            learns to tag unknown words from their characters and features).
        crf: a CRF output layer (Viterbi decoding) instead of a per-token softmax.
        scheme: the entity tag scheme of the tags (``"bio"`` or ``"bioes"``; the CRF forbids the
            transitions it does not allow), or ``None`` for tags that are not entity tags (POS).
        lowercase: look words up lowercased (characters and shape features keep the case).
    """

    cell: str = "lstm"
    vocab_size: int = 2
    num_tags: int = 2
    embedding_dim: int = 100
    char: str = "cnn"
    char_vocab_size: int = 2
    char_embedding_dim: int = 32
    char_hidden: int = 64
    char_kernel: int = 3
    max_word_len: int = 20
    num_features: int = 0
    static_dim: int = 0
    projection: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    dropout: float = 0.33
    embedding_dropout: float = 0.33
    word_dropout: float = 0.05
    crf: bool = False
    scheme: str | None = None
    lowercase: bool = True

    _what = "model option"
    _rules = {
        **_ENCODER_RULES, "num_tags": ("int", 1, 100_000), "char": ("choice", CHAR_FEATURES),
        "char_vocab_size": ("int", 2, 2_000_000), "char_embedding_dim": ("int", 1, MAX_WIDTH),
        "char_hidden": ("int", 1, MAX_WIDTH), "char_kernel": ("int", 1, 15), "max_word_len": ("int", 1, 1000),
        "num_features": ("int", 0, 100_000), "static_dim": ("int", 0, MAX_WIDTH), "projection": ("int", 0, MAX_WIDTH),
        "embedding_dropout": ("float", 0.0, 1.0, True),
        "word_dropout": ("float", 0.0, 1.0, True), "crf": ("bool",), "scheme": ("choice", TAG_SCHEMES),
        "lowercase": ("bool",),
    }

    @property
    def features(self) -> int:
        """Size of each encoder state (both directions)."""
        return 2 * self.hidden_size

    @classmethod
    def from_dict(cls, data: Any):
        """As :meth:`_Config.from_dict`; a configuration written before ``projection`` existed had none."""
        if isinstance(data, dict) and "projection" not in data:
            data = {**data, "projection": 0}
        return super().from_dict(data)


ATTENTIONS = ("additive", "dot", "general", "none")
UNITS = ("char", "word")
MAX_TARGET_LEN = 10_000


@dataclass
class Seq2SeqConfig(_Config):
    """Architecture of an encoder-decoder with attention (:class:`textrnn.nn.Seq2SeqNet`).

    The encoder is the shared bidirectional :class:`~textrnn.nn.RecurrentEncoder`; the decoder
    is a GRU / LSTM cell that attends over the encoder's states at every step, in Luong et al.'s
    (2015) arrangement: the step's new state scores every source position, the context vector
    and the state make the attentional state ``tanh(W_c [c; h])`` that predicts the next unit
    and, with input feeding, enters the next step beside the previous unit's embedding.

    The defaults are the CPU configuration measured on the inflection data of ``textrnn data
    inflection`` (benchmarks/RESULTS.md, "Seq2seq"): one GRU layer of 128 units per direction
    (a 256-unit decoder) over 64-d embeddings, additive attention, dropout 0.2.

    Attributes (besides the encoder's ``cell``, ``embedding_dim``, ``hidden_size``,
    ``num_layers``, ``dropout``):
        source_vocab_size, target_vocab_size: ids with specials (set by training).
        units: ``"char"`` (characters; a ``<...>`` token is one symbol) or ``"word"`` (razdel tokens).
        attention: ``"additive"`` (Bahdanau et al. 2015's score ``v^T tanh(W_q h + W_k s)``),
            ``"dot"`` / ``"general"`` (Luong et al. 2015's ``h^T s`` / ``h^T W s``) or ``"none"``
            (the encoder's final states as a fixed context at every step: the same sizes, no attention).
        attention_size: hidden size of the additive scorer.
        input_feeding: the previous attentional state is an input of the next decoder step.
        max_target_len: the longest output generated (units, ``<eos>`` excluded; set by training
            from the longest training target, a translation may override it).
        label_smoothing: of the training cross-entropy (Szegedy et al. 2016).
    """

    cell: str = "gru"
    source_vocab_size: int = 4
    target_vocab_size: int = 4
    units: str = "char"
    embedding_dim: int = 64
    hidden_size: int = 128
    num_layers: int = 1
    dropout: float = 0.2
    attention: str = "additive"
    attention_size: int = 128
    input_feeding: bool = True
    max_target_len: int = 64
    label_smoothing: float = 0.0

    _what = "model option"
    _rules = {
        **{k: v for k, v in _ENCODER_RULES.items() if k != "vocab_size"},
        "source_vocab_size": ("int", 4, 10_000_000), "target_vocab_size": ("int", 4, 10_000_000),
        "units": ("choice", UNITS), "attention": ("choice", ATTENTIONS), "attention_size": ("int", 1, MAX_WIDTH),
        "input_feeding": ("bool",), "max_target_len": ("int", 1, MAX_TARGET_LEN),
        "label_smoothing": ("float", 0.0, 1.0, True),
    }

    @property
    def features(self) -> int:
        """Size of each encoder state (both directions) and of the decoder's state."""
        return 2 * self.hidden_size
