"""Character-level language model: vocabulary, batching, model, training, generation.

The lecture's running example (Karpathy 2015, "The Unreasonable Effectiveness of
Recurrent Neural Networks", char-rnn): feed characters one by one, predict the next
one, then sample from the model to write text.

Public API::

    from textrnn.charlm import CharVocab, CharLM, TrainConfig, train_lm, load_lm, generate, evaluate_text
"""

import importlib

_WHERE = {
    "BOS": "vocab", "EOS": "vocab", "UNK": "vocab", "CharVocab": "vocab",
    "read_text": "data", "read_texts": "data",
    "CharLM": "model",
    "TrainConfig": "config",
    "evaluate_text": "train", "train_lm": "train",
    "UnknownCharWarning": "sampling", "generate": "sampling", "load_lm": "sampling",
}


def __getattr__(name: str):
    # Lazy: `import textrnn.charlm.cli` must not pay for importing torch.
    if name in _WHERE:
        return getattr(importlib.import_module(f"textrnn.charlm.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'textrnn.charlm' has no attribute {name!r}")


__all__ = [
    "BOS",
    "EOS",
    "UNK",
    "CharLM",
    "CharVocab",
    "TrainConfig",
    "UnknownCharWarning",
    "evaluate_text",
    "generate",
    "load_lm",
    "read_text",
    "read_texts",
    "train_lm",
]
