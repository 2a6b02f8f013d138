"""Option groups shared by the CLI commands, their defaults read from the configuration dataclasses.

A group is a list of typer options whose parameter names are the library's names (the fields
of :mod:`textrnn.config`, the arguments of :class:`~textrnn.text.Preprocessor`). :func:`with_groups`
adds a group's options to a command's signature and hands the command one dict per group, so
a command reads ``ModelConfig(**model)`` instead of repeating every option::

    @with_groups(model=MODEL, training=TRAINING)
    def train_command(train_csv: Path = typer.Argument(...), model: dict = None, training: dict = None): ...
"""

from __future__ import annotations

import functools
import inspect
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from textrnn.config import (CharLMConfig, LMTrainConfig, ModelConfig, Seq2SeqConfig, Seq2SeqTrainConfig, TaggerConfig,
                            TaggerTrainConfig, TrainConfig, VocabConfig)
from textrnn.errors import TextrnnError
from textrnn.text import DEFAULTS
from textrnn.text.stopwords import EVALUATIVE, INTENSIFIERS, NEGATIONS

Group = list[tuple[str, Any, Any]]  # (parameter name, annotation, typer.Option)


class Pooling(str, Enum):
    last = "last"
    mean = "mean"
    max = "max"
    attention = "attention"


class Lang(str, Enum):
    ru = "ru"
    en = "en"


def with_groups(**groups: Group) -> Callable:
    """Add each group's options to the command and pass ``name=dict`` of their values (enums as values)."""
    def decorate(fn: Callable) -> Callable:
        hints = typing.get_type_hints(fn, include_extras=True)  # keep Annotated[..., typer.Argument(...)]
        own = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in inspect.signature(fn).parameters.values()
               if p.name not in groups]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation)
                 for group in groups.values() for name, annotation, option in group]

        @functools.wraps(fn)
        def command(**kwargs: Any) -> Any:
            for gname, group in groups.items():
                kwargs[gname] = {name: _plain(kwargs.pop(name)) for name, _, _ in group}
            return fn(**kwargs)

        command.__signature__ = inspect.Signature(own + added)
        command.__annotations__ = {p.name: p.annotation for p in own + added}
        return command
    return decorate


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def opt(default: Any, *flags: str, help: str, **kw: Any) -> Any:  # noqa: A002 - typer's own name
    return typer.Option(default, *flags, help=help, **kw)


_D, _T, _V = ModelConfig, TrainConfig, VocabConfig

VOCAB: Group = [
    ("max_len", int, opt(_V.max_len, "--max-len", help="Tokens kept per text (the first ones).")),
    ("max_size", int, opt(_V.max_size, "--max-vocab", help="Most vocabulary entries, <pad> and <unk> included.")),
    ("min_freq", int, opt(_V.min_freq, "--min-freq", help="Occurrences a token needs to enter the vocabulary.")),
]

MODEL: Group = [
    ("embedding_dim", int, opt(_D.embedding_dim, "--embedding-dim", help="Token embedding size.")),
    ("hidden_size", int, opt(_D.hidden_size, "--hidden-size", help="Hidden state size per direction.")),
    ("num_layers", int, opt(_D.num_layers, "--num-layers", help="Stacked recurrent layers.")),
    ("dropout", float, opt(_D.dropout, "--dropout", help="Dropout between layers and before the output layer.")),
    ("embedding_dropout", float, opt(_D.embedding_dropout, "--embedding-dropout", help="Dropout on embeddings.")),
    ("bidirectional", bool, opt(_D.bidirectional, "--bidirectional/--unidirectional", help="Also read texts backwards.")),
    ("pooling", Pooling, opt(Pooling(_D.pooling), "--pooling", help="How token states become one text vector.")),
    ("subword_buckets", int, opt(_D.subword_buckets, "--subword-buckets",
                                 help="fastText-style character 3-5-gram embeddings hashed into N buckets (0: off).")),
]

TRAINING: Group = [
    ("epochs", int, opt(_T.epochs, "--epochs", help="Most passes over the training data.")),
    ("batch_size", int, opt(_T.batch_size, "--batch-size", help="Texts per batch.")),
    ("lr", float, opt(_T.lr, "--lr", help="AdamW learning rate.")),
    ("weight_decay", float, opt(_T.weight_decay, "--weight-decay", help="AdamW (decoupled) weight decay.")),
    ("clip_grad_norm", float, opt(_T.clip_grad_norm, "--clip-grad-norm",
                                  help="Largest global L2 norm of the gradients; 0 = no clipping.")),
    ("patience", int, opt(_T.patience, "--patience", help="Epochs without improvement before stopping (0: never).")),
    ("monitor", str, opt(_T.monitor, "--monitor", help="Validation metric that picks the best epoch: macro_f1, accuracy, val_loss.")),
    ("class_weight", Optional[str], opt(_T.class_weight, "--class-weight", help="'balanced' to weight classes by inverse frequency.")),
    ("seed", int, opt(_T.seed, "--seed", help="Random seed (weights, dropout, batch order).")),
    ("threads", Optional[int], opt(_T.threads, "--threads", help="CPU threads [default: one per core]; 0 = tuned while training.")),
]

EMBEDDINGS: Group = [
    ("embeddings", Optional[str], opt(None, "--embeddings", help="Pretrained vectors: navec (news vectors in the natasha "
                                      "wheel), a navec .tar archive, or a word2vec/GloVe text file.")),
    ("freeze_embeddings", bool, opt(False, "--freeze-embeddings", help="Keep pretrained vectors fixed.")),
]

TFIDF: Group = [
    ("analyzer", str, opt("word", "--analyzer", help="tfidf-lr only: word, char_wb or word+char.")),
    ("ngram_range", str, opt("1,2", "--ngram-range", help="tfidf-lr only: word n-gram range MIN,MAX.")),
    ("C", float, opt(4.0, "--C", help="tfidf-lr only: inverse regularisation strength of logistic regression.")),
    ("min_df", str, opt("1", "--min-df", help="tfidf-lr only: drop terms in fewer training documents (int) or a smaller "
                        "fraction of them (float).")),
    ("max_df", str, opt("1.0", "--max-df", help="tfidf-lr only: drop terms in more than this fraction of training "
                        "documents (a whole number above 1: this many documents).")),
]


def parse_df(value: str | float, name: str) -> int | float:
    """A ``--min-df`` / ``--max-df`` value: a whole number >= 1 counts documents (``1.0`` for max_df
    is the fraction 1, every document), anything else is a fraction.

    Raises:
        TextrnnError: not a number.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TextrnnError(f"{name}={value!r} is invalid; expected an integer >= 1 (documents) or a fraction in [0, 1]",
                           param=name) from None
    whole = v.is_integer() and (v > 1 or (v == 1 and name == "min_df"))
    return int(v) if whole else v


_STOPWORDS_HELP = (
    "Drop stop words. Words that carry sentiment are kept, though the stop-word list holds them: negations ("
    + ", ".join(NEGATIONS["ru"]) + "), intensifiers (" + ", ".join(INTENSIFIERS["ru"][:6]) + "...) and evaluative "
    "words (" + ", ".join(EVALUATIVE["ru"][:5]) + "...); English alike (not, never, very, good...)."
)


def preprocessing_group(lemmatize_help: str, lemmatize_default: bool | None = False) -> Group:
    """The preprocessing options (:class:`~textrnn.text.Preprocessor`'s), defaults from :data:`textrnn.text.DEFAULTS`."""
    d = DEFAULTS
    lemmatize_flags = ("--lemmatize/--no-lemmatize",) if lemmatize_default is None else ("--lemmatize",)
    return [
        ("lang", Lang, opt(Lang(d["lang"]), "--lang", help="Language: ru or en (en: English stemmer and stop words).")),
        ("lemmatize", Optional[bool] if lemmatize_default is None else bool,
         opt(lemmatize_default, *lemmatize_flags, help=lemmatize_help)),
        ("lemma_overrides_file", Optional[Path], opt(None, "--lemma-overrides", help="UTF-8 TSV, word<TAB>lemma a line: "
                                                     "lemmas used instead of pymorphy3's (with --lemmatize); saved with "
                                                     "the model. Known dictionary errors (счастья -> счастье) are fixed anyway.")),
        ("stem", bool, opt(d["stem"], "--stem", help="Replace words by their Snowball stem.")),
        ("stopwords", bool, opt(d["stopwords"], "--stopwords/--no-stopwords", help=_STOPWORDS_HELP)),
        ("stopwords_file", Optional[Path], opt(None, "--stopwords-file", help="UTF-8 file, one stop word a line, added to "
                                               "the list (see --replace-stopwords).")),
        ("replace_stopwords", bool, opt(False, "--replace-stopwords",
                                        help="--stopwords-file replaces the default list instead of adding to it.")),
        ("negation", bool, opt(d["negation"], "--negation/--no-negation",
                               help="Join a whole-word 'не'/'ни' to the next word: не_нравиться (not across punctuation).")),
        ("emoticons", str, opt(d["emoticons"], "--emoticons",
                               help="remove, tokens (<smile>/<sad>) or keep (each emoticon or emoji a token of its own). "
                                    "Tweets' labels leak via emoticons.")),
        ("digits", str, opt(d["digits"], "--digits", help="keep, replace (<num>) or drop.")),
        ("hashtags", str, opt(d["hashtags"], "--hashtags", help="word (keep the word of #word) or remove.")),
        ("tokenizer", str, opt(d["tokenizer"], "--tokenizer", help="razdel or regex (faster, simpler).")),
        ("lowercase", bool, opt(d["lowercase"], "--lowercase/--no-lowercase", help="Lower-case the text.")),
        ("remove_punctuation", bool, opt(d["remove_punctuation"], "--remove-punctuation/--keep-punctuation",
                                         help="Punctuation and emoticon brackets -> spaces.")),
        ("strip_html", bool, opt(d["strip_html"], "--strip-html/--keep-html", help="Remove HTML tags, decode entities.")),
        ("remove_urls", bool, opt(d["remove_urls"], "--remove-urls/--keep-urls", help="Drop http(s):// and www. links.")),
        ("remove_mentions", bool, opt(d["remove_mentions"], "--remove-mentions/--keep-mentions", help="Drop @mentions.")),
        ("replace_yo", bool, opt(d["replace_yo"], "--replace-yo/--keep-yo", help="ё -> е, delete stress marks.")),
    ]


WORKERS = opt(1, "--workers", min=0, help="Processes for large inputs (0 = one per CPU).")
ENCODING = opt(None, "--encoding", help="Text encoding of the input CSV files [default: utf-8]; a file that looks "
               "like cp1251 or UTF-16 is named so in the error.")
SEP = opt(None, "--sep", help="Field separator of the input CSV files: one character, '\\t' for tab [default: ','].")
FORCE = opt(False, "--force", help="Replace an existing output (otherwise refused).")
QUIET = opt(False, "--quiet", "-q", help="No progress bar or log lines.")


def device_option(default: str = "auto") -> Any:
    return opt(default, "--device", help="auto (CUDA when available), cpu, cuda or cuda:N.")


_M, _L = CharLMConfig, LMTrainConfig

LM_MODEL: Group = [
    ("cell", str, opt(_M.cell, "--model", "--cell", help="Recurrent cell: rnn, lstm or gru.")),
    ("hidden_size", int, opt(_M.hidden_size, "--hidden-size", help="Hidden units per layer.")),
    ("num_layers", int, opt(_M.num_layers, "--num-layers", help="Stacked recurrent layers.")),
    ("embedding_dim", int, opt(_M.embedding_dim, "--embed-dim", "--embedding-dim", help="Character embedding size.")),
    ("dropout", float, opt(_M.dropout, "--dropout", help="Dropout on embeddings, between layers and before the output.")),
    ("tie_weights", bool, opt(_M.tie_weights, "--tie-weights",
                              help="Share embedding and output matrices (needs --embed-dim == --hidden-size).")),
]

LM_TRAINING: Group = [
    ("seq_len", int, opt(_L.seq_len, "--seq-len", help="Characters per truncated-BPTT window.")),
    ("batch_size", int, opt(_L.batch_size, "--batch-size", help="Parallel streams (stream mode) or lines (line mode) per batch.")),
    ("lr", float, opt(_L.lr, "--lr", help="Peak AdamW learning rate (cosine decay to 5% of it).")),
    ("clip_grad_norm", float, opt(_L.clip_grad_norm, "--clip", "--clip-grad-norm",
                                  help="Gradient-norm clipping threshold (0 = off).")),
    ("epochs", Optional[int], opt(_L.epochs, "--epochs", help="Stop after N epochs.")),
    ("max_steps", Optional[int], opt(_L.max_steps, "--max-steps", help="Stop after N optimizer steps.")),
    ("time_budget", Optional[float], opt(_L.time_budget, "--time-budget", help="Stop after SECONDS of training "
                                         "(validation excluded); the LR schedule anneals within it.")),
    ("line_mode", bool, opt(_L.line_mode, "--line-mode", help="Each line is one <bos> ... <eos> sequence (names, titles, tweets).")),
    ("seed", int, opt(_L.seed, "--seed", help="Random seed.")),
    ("threads", int, opt(_L.threads, "--threads", help="CPU threads (0 = tuned while training, between 1 and the "
                                                       "available cores, by measured speed and load).")),
]

_G, _GT = TaggerConfig, TaggerTrainConfig


class CharFeatures(str, Enum):
    cnn = "cnn"
    lstm = "lstm"
    none = "none"


TAG_MODEL: Group = [
    ("crf", bool, opt(_G.crf, "--crf/--softmax", help="A linear-chain CRF output layer (Viterbi decoding) or a per-token softmax.")),
    ("cell", str, opt(_G.cell, "--model", "--cell", help="Recurrent cell of the bidirectional encoder: rnn, lstm or gru.")),
    ("embedding_dim", int, opt(_G.embedding_dim, "--embedding-dim", help="Word embedding size (pretrained vectors set their own).")),
    ("hidden_size", int, opt(_G.hidden_size, "--hidden-size", help="Hidden state size per direction.")),
    ("num_layers", int, opt(_G.num_layers, "--num-layers", help="Stacked recurrent layers.")),
    ("char", CharFeatures, opt(CharFeatures(_G.char), "--char", help="Character features of each word: cnn, lstm or none.")),
    ("char_hidden", int, opt(_G.char_hidden, "--char-hidden", help="Character CNN filters or LSTM units per direction.")),
    ("dropout", float, opt(_G.dropout, "--dropout", help="Dropout between layers and before the output layer.")),
    ("embedding_dropout", float, opt(_G.embedding_dropout, "--embedding-dropout", help="Dropout on the word vectors.")),
    ("word_dropout", float, opt(_G.word_dropout, "--word-dropout", help="Share of training words replaced by <unk>.")),
    ("lowercase", bool, opt(_G.lowercase, "--lowercase/--cased", help="Look words up lowercased (characters keep the case).")),
]

TAG_EMBEDDINGS: Group = [
    ("embeddings", str, opt("auto", "--embeddings", help="Pretrained vectors read, frozen, for every word (also "
                            "words unseen in training): navec (news vectors in the natasha wheel), a navec .tar "
                            "archive, a word2vec/GloVe text file, or none; auto = navec when installed. Prediction "
                            "reads them again.")),
]

TAG_TRAINING: Group = [
    ("epochs", int, opt(_GT.epochs, "--epochs", help="Most passes over the training data.")),
    ("batch_size", int, opt(_GT.batch_size, "--batch-size", help="Sentences per batch.")),
    ("lr", float, opt(_GT.lr, "--lr", help="AdamW learning rate.")),
    ("patience", int, opt(_GT.patience, "--patience", help="Epochs without improvement before stopping (0: never).")),
    ("seed", int, opt(_GT.seed, "--seed", help="Random seed (weights, dropout, batch order).")),
    ("threads", Optional[int], opt(_GT.threads, "--threads", help="CPU threads [default: one per core].")),
]

_S, _ST = Seq2SeqConfig, Seq2SeqTrainConfig


class Attention(str, Enum):
    additive = "additive"
    dot = "dot"
    general = "general"
    none = "none"


class Units(str, Enum):
    char = "char"
    word = "word"


SEQ2SEQ_MODEL: Group = [
    ("units", Units, opt(Units(_S.units), "--units", help="char (characters; a <...> token is one symbol) or word (razdel tokens).")),
    ("attention", Attention, opt(Attention(_S.attention), "--attention",
                                 help="additive (Bahdanau), dot or general (Luong), or none (a fixed context: the encoder's final states).")),
    ("cell", str, opt(_S.cell, "--model", "--cell", help="Recurrent cell of the encoder and the decoder: rnn, lstm or gru.")),
    ("embedding_dim", int, opt(_S.embedding_dim, "--embedding-dim", help="Source and target unit embedding size.")),
    ("hidden_size", int, opt(_S.hidden_size, "--hidden-size", help="Encoder state size per direction (the decoder's is twice it).")),
    ("num_layers", int, opt(_S.num_layers, "--num-layers", help="Stacked recurrent layers (encoder and decoder).")),
    ("dropout", float, opt(_S.dropout, "--dropout", help="Dropout on embeddings, between layers and before the output layer.")),
    ("input_feeding", bool, opt(_S.input_feeding, "--input-feeding/--no-input-feeding",
                                help="Feed the previous attentional state into the next decoder step (Luong et al. 2015).")),
    ("label_smoothing", float, opt(_S.label_smoothing, "--label-smoothing", help="Label smoothing of the cross-entropy.")),
]

SEQ2SEQ_TRAINING: Group = [
    ("epochs", int, opt(_ST.epochs, "--epochs", help="Most passes over the training data.")),
    ("batch_size", int, opt(_ST.batch_size, "--batch-size", help="Pairs per batch.")),
    ("lr", float, opt(_ST.lr, "--lr", help="AdamW learning rate.")),
    ("patience", int, opt(_ST.patience, "--patience", help="Epochs without improvement of validation exact match before stopping (0: never).")),
    ("time_budget", Optional[float], opt(_ST.time_budget, "--time-budget", help="Stop after SECONDS of training (validation excluded).")),
    ("seed", int, opt(_ST.seed, "--seed", help="Random seed (weights, dropout, batch order).")),
    ("threads", Optional[int], opt(_ST.threads, "--threads", help="CPU threads [default: one per core].")),
]

# library parameter -> the flag that sets it, where the two are not simply "--" + the name with dashes
FLAGS = {"max_size": "--max-vocab", "cell": "--model", "val_paths": "--val", "val_texts": "--val", "val_sentences": "--val", "val_sources": "--val", "output": "--output"}


def flag(param: str) -> str:
    """The command-line flag for a library parameter: ``hidden_size`` -> ``--hidden-size``."""
    return FLAGS.get(param, "--" + param.replace("_", "-"))
