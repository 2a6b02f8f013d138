"""Shared test helpers: the CLI runner, CSV files, the demo rows, and the factories of the small models tests use.

Where a test goes:

* ``tests/unit/<package>/test_*.py`` mirrors ``src/textrnn/<package>/`` (``text``, ``data``, ``nn``,
  ``tasks``, ``training``, ``inference``, ``baselines``, ``compare``); top-level modules
  (``vocab.py``, ``config/``, ``checks.py``, ``devices.py``, ``runs.py``, ``plots.py``) have
  their file in ``tests/unit/``. Tests that need a GPU live in ``tests/unit/test_cuda.py``.
* ``tests/cli/``: everything that runs the ``textrnn`` command (:func:`run_cli` or a subprocess),
  one ``test_<command>_cli.py`` per command or command group (``lm``, ``compare``, ...), plus the
  CLI's own helpers (``test_error_line.py``).
* ``tests/integration/``: trainings on the real data sets in ``../shared/data``, marked
  ``@pytest.mark.slow`` (``pytest -m "not slow"`` skips them).

File names are unique across the tree (pytest imports test files by their base name, there are
no ``__init__.py`` files). Helpers are imported as ``from tests.conftest import ...``.

Models come from the factories here, given only the options a test is about:
:func:`tiny_classifier` (a fitted classifier), :func:`saved_classifier` or the shared
``tiny_run_dir`` fixture (its run directory), :func:`tiny_char_lm` or the ``tiny_lm_run`` /
``names_lm_run`` fixtures (a trained char LM), :func:`untrained_net` (a seeded network, no training).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run ``textrnn ARGS`` in-process through the console entry point: (exit code, stdout, stderr)."""
    from textrnn.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, rows: Sequence[tuple], header: tuple = ("text", "label")) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def shared_data(name: str) -> Path:
    """``../shared/data/NAME``; the test is skipped where that data set is not present."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@functools.lru_cache(maxsize=1)
def load_demo_rows() -> tuple[tuple[str, str], ...]:
    """The bundled Russian demo set (``textrnn/data/demo_ru_sentiment.csv``) as ``(text, label)`` rows."""
    ref = resources.files("textrnn") / "data" / "demo_ru_sentiment.csv"
    with resources.as_file(ref) as path, open(path, encoding="utf-8", newline="") as f:
        return tuple((r["text"], r["label"]) for r in csv.DictReader(f))


# -- the small trained model ------------------------------------------------------------------

#: A classifier that trains in well under a second on 2 cores. Explicit in every field a test
#: might depend on, so that changing the library's defaults never changes what a test trains.
TINY_VOCAB = {"max_size": 500, "max_len": 20}
TINY_MODEL = {"cell": "gru", "embedding_dim": 8, "hidden_size": 8, "num_layers": 1, "bidirectional": True,
              "pooling": "max", "dropout": 0.0, "embedding_dropout": 0.0, "subword_buckets": 0}
TINY_TRAIN = {"epochs": 1, "batch_size": 16}


def tiny_classifier(rows: Sequence[tuple[str, str]] | None = None, n_val: int = 20, **overrides: Any):
    """A fitted :class:`~textrnn.training.classifier.RecurrentTextClassifier` with a tiny configuration.

    Args:
        rows: ``(text, label)`` rows; default the first 80 demo rows. The last ``n_val`` are the
            validation set (``n_val=0``: ``fit`` holds out 10 % itself).
        overrides: any field of :class:`~textrnn.config.VocabConfig`, :class:`~textrnn.config.ModelConfig`
            or :class:`~textrnn.config.TrainConfig` by name (``cell="lstm"``, ``max_len=30``,
            ``epochs=2``), or a constructor argument (``preprocessor``, ``device``, ``embeddings``,
            ``freeze_embeddings``, ``callbacks``). The preprocessing is ``Preprocessor()`` (word
            forms, no lemmas) unless ``preprocessor`` is given.
    """
    from textrnn.config import ModelConfig, TrainConfig, VocabConfig
    from textrnn.text import Preprocessor
    from textrnn.training.classifier import RecurrentTextClassifier

    parts: dict[type, dict] = {VocabConfig: dict(TINY_VOCAB), ModelConfig: dict(TINY_MODEL), TrainConfig: dict(TINY_TRAIN)}
    kwargs: dict[str, Any] = {"device": "cpu"}
    for key, value in overrides.items():
        owner = next((cls for cls in parts if key in {f.name for f in fields(cls)}), None)
        if owner is not None:
            parts[owner][key] = value
        elif key in ("preprocessor", "device", "embeddings", "freeze_embeddings", "callbacks"):
            kwargs[key] = value
        else:
            raise TypeError(f"tiny_classifier() got an unknown option {key!r}")
    kwargs.setdefault("preprocessor", Preprocessor())
    clf = RecurrentTextClassifier(vocab_config=VocabConfig(**parts[VocabConfig]),
                                  model_config=ModelConfig(**parts[ModelConfig]),
                                  train_config=TrainConfig(**parts[TrainConfig]), **kwargs)
    rows = list(load_demo_rows()[:80] if rows is None else rows)
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    if n_val:
        return clf.fit(texts[:-n_val], labels[:-n_val], texts[-n_val:], labels[-n_val:], quiet=True)
    return clf.fit(texts, labels, quiet=True)


def saved_classifier(path: Path, **overrides: Any) -> Path:
    """The run directory of :func:`tiny_classifier` (same options), saved at ``path`` without plots."""
    return tiny_classifier(**overrides).save(path, plots=False)


def split_overrides(factory: str, overrides: dict, *parts: tuple[type, dict]) -> list[dict]:
    """For each ``(config class, defaults)``, a copy of the defaults updated with the overrides that
    name one of the class's fields; an override no class has is a ``TypeError``."""
    out = [dict(defaults) for _, defaults in parts]
    for key, value in overrides.items():
        owner = next((i for i, (cls, _) in enumerate(parts) if key in {f.name for f in fields(cls)}), None)
        if owner is None:
            raise TypeError(f"{factory}() got an unknown option {key!r}")
        out[owner][key] = value
    return out


#: The small character LM: a GRU of 48 units that overfits these texts in 150 steps.
TINY_LM_MODEL = {"cell": "gru", "hidden_size": 48, "embedding_dim": 16}
TINY_LM_TRAIN = {"seq_len": 16, "batch_size": 4, "lr": 1e-2, "warmup_steps": 5, "evals": 2}
LM_TEXT = "hello world\n" * 40
NAMES = ["анна", "борис", "вера", "глеб", "дарья", "егор"] * 10


def tiny_char_lm(directory: Path, text: str = LM_TEXT, validate_on_train: bool = True, **overrides: Any) -> tuple[Path, dict]:
    """Train a character LM on ``text`` (written to ``directory/train.txt``) into ``directory/run``.

    Args:
        validate_on_train: validate on the training file itself (else the end of the text is held out).
        overrides: any field of :class:`~textrnn.config.CharLMConfig` or :class:`~textrnn.config.LMTrainConfig`
            by name, or ``force``.

    Returns:
        The run directory and the metrics ``train_lm`` returned.
    """
    from textrnn.config import CharLMConfig, LMTrainConfig
    from textrnn.training.lm import train_lm

    force = overrides.pop("force", False)
    model, train = split_overrides("tiny_char_lm", overrides, (CharLMConfig, TINY_LM_MODEL), (LMTrainConfig, TINY_LM_TRAIN))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "train.txt"
    path.write_text(text, encoding="utf-8")
    metrics = train_lm([path], directory / "run", CharLMConfig(**model), LMTrainConfig(**train),
                       val_paths=[path] if validate_on_train else None, force=force, quiet=True)
    return directory / "run", metrics


def untrained_net(cell: str = "gru", pooling: str = "max", bidirectional: bool = True, **overrides: Any):
    """A :class:`~textrnn.nn.RecurrentClassifier` with seeded random weights, in eval mode: 60 token
    ids, 3 outputs, 2 layers of 6 units over 8-d embeddings (``overrides``: any ModelConfig field)."""
    import torch

    from textrnn.config import ModelConfig
    from textrnn.nn import RecurrentClassifier

    config = {"vocab_size": 60, "num_outputs": 3, "embedding_dim": 8, "hidden_size": 6, "num_layers": 2,
              "dropout": 0.2, "embedding_dropout": 0.0, "subword_buckets": 0, **overrides}
    torch.manual_seed(0)
    return RecurrentClassifier(ModelConfig(cell=cell, pooling=pooling, bidirectional=bidirectional, **config)).eval()


# -- the small tagger ---------------------------------------------------------------------------

_PEOPLE = [("Анна", "Петрова"), ("Борис", "Иванов"), ("Вера", "Смирнова"), ("Глеб", "Орлов"), ("Дарья", "Козлова")]
_PLACES = ["Москве", "Казани", "Твери", "Самаре", "Перми"]


def ner_sentences(n: int = 60) -> tuple[list[list[str]], list[list[str]]]:
    """``n`` tokenised Russian sentences with BIO tags (PER, LOC), made from templates: the same
    ``n`` always gives the same sentences."""
    tokens, tags = [], []
    for i in range(n):
        first, last = _PEOPLE[i % 5]
        place = _PLACES[(i // 5) % 5]
        if i % 3 == 0:
            tokens.append([first, last, "живёт", "в", place, "."])
            tags.append(["B-PER", "I-PER", "O", "O", "B-LOC", "O"])
        elif i % 3 == 1:
            tokens.append(["Вчера", last, "приехал", "в", place])
            tags.append(["O", "B-PER", "O", "O", "B-LOC"])
        else:
            tokens.append(["в", place, "тепло", ",", "говорит", first, "."])
            tags.append(["O", "B-LOC", "O", "O", "O", "B-PER", "O"])
    return tokens, tags


TINY_TAGGER_MODEL = {"embedding_dim": 16, "hidden_size": 16, "num_layers": 1, "projection": 16, "char_embedding_dim": 8, "char_hidden": 8,
                     "dropout": 0.0, "embedding_dropout": 0.0, "word_dropout": 0.0}
TINY_TAGGER_TRAIN = {"epochs": 12, "batch_size": 8, "lr": 1e-2, "patience": 0}


def tiny_tagger(sentences=None, tags=None, morph_features: bool = False, **overrides: Any):
    """A fitted :class:`~textrnn.training.tagger.SequenceTagger` on :func:`ner_sentences` (the
    last 12 validate), tiny configuration; ``overrides``: any TaggerConfig / TaggerTrainConfig
    field, or ``scheme``."""
    from textrnn.config import TaggerConfig, TaggerTrainConfig
    from textrnn.training.tagger import SequenceTagger

    scheme = overrides.pop("scheme", "bio")
    model, train = split_overrides("tiny_tagger", overrides, (TaggerConfig, TINY_TAGGER_MODEL),
                                   (TaggerTrainConfig, TINY_TAGGER_TRAIN))
    if sentences is None:
        sentences, tags = ner_sentences()
    tagger = SequenceTagger(TaggerConfig(**model), TaggerTrainConfig(**train), scheme=scheme,
                            morph_features=morph_features, embeddings=None, device="cpu")
    return tagger.fit(sentences[:-12], tags[:-12], sentences[-12:], tags[-12:], quiet=True)


def write_tagged_tsv(path: Path, sentences, tags) -> Path:
    path.write_text("\n\n".join("\n".join(f"{t}\t{y}" for t, y in zip(s, g)) for s, g in zip(sentences, tags)) + "\n",
                    encoding="utf-8")
    return path


# -- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _cache_dir_per_test(tmp_path_factory, monkeypatch):
    """Keep the on-disk preprocessing cache out of the user's home."""
    monkeypatch.setenv("TEXTRNN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def demo_rows() -> list[tuple[str, str]]:
    return list(load_demo_rows())


@pytest.fixture()
def tiny_csvs(tmp_path, demo_rows) -> tuple[Path, Path]:
    """A train CSV (120 demo rows) and a validation CSV (40 other rows)."""
    train = write_csv(tmp_path / "train.csv", demo_rows[:120])
    val = write_csv(tmp_path / "val.csv", demo_rows[120:160])
    return train, val


@pytest.fixture(scope="session")
def tiny_run_dir(tmp_path_factory) -> Path:
    """One saved :func:`tiny_classifier` run directory shared by the tests that only read it
    (copy it before changing anything in it)."""
    return saved_classifier(tmp_path_factory.mktemp("tiny") / "run")


@pytest.fixture(scope="session")
def tiny_lm_run(tmp_path_factory) -> tuple[Path, dict]:
    """A GRU overfitted on :data:`LM_TEXT` in 150 steps (validated on the same text): run directory and metrics."""
    return tiny_char_lm(tmp_path_factory.mktemp("tiny_lm"), max_steps=150)


@pytest.fixture(scope="session")
def names_lm_run(tmp_path_factory) -> tuple[Path, dict]:
    """A line-mode GRU overfitted on :data:`NAMES` (one name a line) in 150 steps."""
    return tiny_char_lm(tmp_path_factory.mktemp("names_lm"), "\n".join(NAMES) + "\n", max_steps=150, line_mode=True,
                        batch_size=8)


_ENDINGS = {"<nomn> <plur>": "ы", "<gent> <plur>": "ов", "<datv> <plur>": "ам", "<ablt> <plur>": "ами",
            "<loct> <plur>": "ах", "<nomn> <sing>": ""}


def toy_inflection(n: int = 600, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` (source, target) pairs of a made-up regular noun paradigm: ``"стек <gent> <plur>"`` ->
    ``"стеков"``; stems of three to six letters, the same ``n`` and ``seed`` always give the same pairs."""
    import random

    rng = random.Random(seed)
    consonants, vowels = "бвгдклмнпрст", "аоуэи"
    sources, targets = [], []
    for _ in range(n):
        stem = "".join(rng.choice(consonants if i % 2 == 0 else vowels) for i in range(rng.randint(2, 5))) + rng.choice(consonants)
        tags = rng.choice(sorted(_ENDINGS))
        sources.append(f"{stem} {tags}")
        targets.append(stem + _ENDINGS[tags])
    return sources, targets


TINY_SEQ2SEQ_MODEL = {"embedding_dim": 16, "hidden_size": 32, "attention_size": 16, "dropout": 0.0}
TINY_SEQ2SEQ_TRAIN = {"epochs": 14, "batch_size": 16, "lr": 1e-2, "patience": 0}


def tiny_seq2seq(**overrides: Any):
    """A fitted :class:`~textrnn.training.seq2seq.Seq2Seq` on :func:`toy_inflection` (600 train,
    100 validation pairs), tiny configuration; ``overrides``: any Seq2SeqConfig / Seq2SeqTrainConfig field."""
    from textrnn.config import Seq2SeqConfig, Seq2SeqTrainConfig
    from textrnn.training.seq2seq import Seq2Seq

    model, train = split_overrides("tiny_seq2seq", overrides, (Seq2SeqConfig, TINY_SEQ2SEQ_MODEL),
                                   (Seq2SeqTrainConfig, TINY_SEQ2SEQ_TRAIN))
    sources, targets = toy_inflection(700)
    s2s = Seq2Seq(Seq2SeqConfig(**model), Seq2SeqTrainConfig(**train), device="cpu")
    return s2s.fit(sources[:600], targets[:600], sources[600:], targets[600:], quiet=True)


def write_pairs(path: Path, sources, targets) -> Path:
    path.write_text("".join(f"{s}\t{t}\n" for s, t in zip(sources, targets)), encoding="utf-8")
    return path
