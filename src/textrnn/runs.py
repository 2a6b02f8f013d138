"""The run directory: one format for every model kind, and the registry that loads any of them as a Predictor.

A run directory holds ``config.json`` — ``kind`` (``classifier``, ``char_lm``), ``model_type``
for classifiers (``recurrent``, ``tfidf-lr``), ``format_version``, ``textrnn_version`` and every
setting — plus vocabularies and labels as JSON, the weights as ``model.safetensors``, and
``metrics.json``, ``history.csv`` and plots from training. It is written atomically
(:func:`textrnn.files.atomic_dir`) and never holds a pickle.

:func:`load` reads ``config.json`` (bounded, type-checked) and hands the directory to the
registered Predictor class of its kind. Format 1 (textrnn 0.1) still loads; a newer format is a
one-line error naming the version. Loading never imports :mod:`textrnn.training`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from pathlib import Path
from typing import Any, Iterator

from textrnn.errors import TextrnnError
from textrnn.files import MiB, read_json

FORMAT_VERSION = 2
# size bounds of what a run directory may hold: a crafted file cannot make loading read without end
CONFIG_BYTES = 4 * MiB
LABELS_BYTES = 16 * MiB
VOCAB_BYTES = 512 * MiB
METRICS_BYTES = 64 * MiB

# (kind, model_type) -> "module:Class" with a classmethod ``load(run_dir, config, device)``
REGISTRY = {
    ("classifier", "recurrent"): "textrnn.inference.classifier:ClassifierPredictor",
    ("classifier", "tfidf-lr"): "textrnn.baselines.tfidf_lr:TfidfLogisticRegression",
    ("char_lm", None): "textrnn.inference.charlm:CharLMPredictor",
    ("tagger", None): "textrnn.inference.tagger:TaggerPredictor",
    ("seq2seq", None): "textrnn.inference.seq2seq:Seq2SeqPredictor",
}
KINDS = sorted({kind for kind, _ in REGISTRY})


def header(kind: str, **fields: Any) -> dict:
    """The fields every ``config.json`` starts with: ``kind``, ``format_version``, ``textrnn_version``."""
    import textrnn

    return {"kind": kind, **({"model_type": fields.pop("model_type")} if "model_type" in fields else {}),
            "format_version": FORMAT_VERSION, "textrnn_version": textrnn.__version__, **fields}


def read_config(run_dir: str | os.PathLike, kind: str | None = None) -> dict:
    """Read and check ``RUN_DIR/config.json``.

    Args:
        kind: ``"classifier"`` or ``"char_lm"``; ``None`` accepts any kind.

    Raises:
        TextrnnError: the directory is missing, is not a textrnn run directory, has a newer
            format, or holds a model of another kind.
    """
    if not isinstance(run_dir, (str, os.PathLike)):
        raise TextrnnError(f"run_dir must be a path (str or os.PathLike), got {type(run_dir).__name__}")
    path = Path(run_dir)
    if path.exists() and not path.is_dir():
        raise TextrnnError(f"{str(path)!r} is a file, expected a model directory")
    if not path.is_dir():
        raise TextrnnError(f"model directory {str(path)!r} does not exist")
    if not (path / "config.json").exists():
        raise TextrnnError(f"{str(path)!r} is not a textrnn model directory (no config.json)")
    config = read_json(path / "config.json", CONFIG_BYTES)
    if not isinstance(config, dict) or "format_version" not in config or "kind" not in config:
        raise TextrnnError(f"{str(path)!r} is not a textrnn model directory (config.json has no format_version/kind)")
    version, found = config["format_version"], config["kind"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise TextrnnError(f"{str(path)!r} has a damaged config.json: format_version {version!r}, expected an integer >= 1")
    if not isinstance(found, str):
        raise TextrnnError(f"{str(path)!r} has a damaged config.json: kind {found!r}, expected a string")
    if "model_type" in config and not isinstance(config["model_type"], str):
        raise TextrnnError(f"{str(path)!r} has a damaged config.json: model_type {config['model_type']!r}, expected a string")
    if version > FORMAT_VERSION:
        written = config.get("textrnn_version")
        raise TextrnnError(f"{str(path)!r} has model format {version} (written by textrnn {written}); this textrnn "
                           f"reads up to {FORMAT_VERSION}: upgrade textrnn")
    if kind is not None and found != kind:
        raise TextrnnError(f"{str(path)!r} holds a {found!r} model, expected a {kind!r} model")
    return config


def write_run(out: str | os.PathLike, force: bool, documents: dict[str, Any], model, summary: dict,
              files: dict[str, Any] | None = None) -> Path:
    """Write a run directory atomically: each of ``documents`` (file name -> JSON object, e.g.
    ``config.json``), the ``model``'s state as ``model.safetensors``, ``summary`` as
    ``metrics.json``, and each of ``files`` (name -> a function that writes that path, e.g. a plot).

    Raises:
        TextrnnError: ``out`` exists and ``force`` is false (see :func:`textrnn.files.check_out_dir`).
    """
    from safetensors.torch import save_file

    from textrnn.files import atomic_dir, write_json

    with atomic_dir(out, force=force) as tmp:
        for name, document in documents.items():
            write_json(tmp / name, document)
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        write_json(tmp / "metrics.json", summary)
        for name, write in (files or {}).items():
            write(tmp / name)
    return Path(out)


def section(config: dict, name: str, run_dir: str | os.PathLike) -> dict:
    """``config[name]``, which must be a JSON object.

    Raises:
        TextrnnError: missing or of another type.
    """
    value = config.get(name)
    if not isinstance(value, dict):
        raise TextrnnError(f"{str(run_dir)!r} has a damaged config.json: {name!r} must be an object, got "
                           f"{type(value).__name__}")
    return value


@contextlib.contextmanager
def reading(run_dir: str | os.PathLike) -> Iterator[None]:
    """Inside the block, a :class:`TextrnnError` is re-raised naming the run directory and no
    parameter: a bad value read from a file is the file's fault, not a command-line option's."""
    try:
        yield
    except TextrnnError as e:
        message = str(e)
        raise TextrnnError(message if message.startswith("'") else f"{str(run_dir)!r}: {message}") from None


def read_labels(run_dir: str | os.PathLike) -> list[str]:
    """The class labels in ``RUN_DIR/labels.json`` (``{"labels": [...]}``), as strings.

    Raises:
        TextrnnError: missing, not JSON, or not a list of at least two distinct strings or numbers.
    """
    path = Path(run_dir) / "labels.json"
    data = read_json(path, LABELS_BYTES)
    labels = data.get("labels") if isinstance(data, dict) else None
    if (not isinstance(labels, list) or len(labels) < 2
            or not all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in labels)
            or len({str(x) for x in labels}) != len(labels)):
        raise TextrnnError(f"{str(path)!r} is damaged: expected {{\"labels\": [at least two distinct labels]}}")
    return [str(x) for x in labels]


def read_metrics(run_dir: str | os.PathLike) -> dict:
    """``RUN_DIR/metrics.json`` when it is there and readable, else ``{}`` (training's record, not needed to predict)."""
    path = Path(run_dir) / "metrics.json"
    if not path.exists():
        return {}
    try:
        data = read_json(path, METRICS_BYTES)
    except TextrnnError:
        return {}
    return data if isinstance(data, dict) else {}


def predictor_class(config: dict, run_dir: str | os.PathLike):
    """The registered class for ``config``'s kind and model type.

    Raises:
        TextrnnError: an unknown kind or model type.
    """
    kind = config["kind"]
    model_type = config.get("model_type", "recurrent") if kind == "classifier" else None
    target = REGISTRY.get((kind, model_type))
    if target is None:
        known = ", ".join(f"{k}/{m}" if m else k for k, m in REGISTRY)
        raise TextrnnError(f"{str(run_dir)!r} holds an unknown model {kind}/{model_type}; expected one of {known}")
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def load(run_dir: str | os.PathLike, device: str = "auto", kind: str | None = None):
    """Load any textrnn run directory as its Predictor: a recurrent classifier
    (:class:`~textrnn.inference.classifier.ClassifierPredictor`), a TF-IDF + logistic regression
    (:class:`~textrnn.baselines.tfidf_lr.TfidfLogisticRegression`) or a character LM
    (:class:`~textrnn.inference.charlm.CharLMPredictor`).

    Nothing is unpickled; every field is checked, and tensor shapes are read from the
    safetensors header and compared with the configuration before any module is built.

    Args:
        device: ``"auto"``, ``"cpu"`` or ``"cuda[:N]"`` (checked for every kind).
        kind: when given, the directory must hold a model of this kind.

    Raises:
        TextrnnError: not a run directory, another kind, a newer format, a bad device, or a
            damaged file (one line naming it).
    """
    from textrnn.devices import resolve_device

    resolve_device(device)
    config = read_config(run_dir, kind)
    with reading(run_dir):
        return predictor_class(config, run_dir).load(run_dir, config=config, device=device)
