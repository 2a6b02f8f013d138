"""Every default in one place: the configuration dataclasses of vocabularies, models and training.

The CLI reads its option defaults from these classes, ``RecurrentTextClassifier()`` and
``compare``'s ``default`` spec build from them, and a run directory stores them as JSON
(``to_dict`` / ``from_dict``), so the three ways of building a model give the same model.
This module imports neither torch nor the models, so the CLI can read it at start-up.

Ranges are checked by ``validate()`` (also when a run directory is loaded, before any module is
built): sizes are bounded so that a damaged or crafted ``config.json`` cannot make textrnn
allocate without bound.

The classes live in ``base`` (size bounds, the shared methods, vocabulary options), ``models``
(architectures) and ``training`` (how each task trains); import them from ``textrnn.config``.
"""

from textrnn.config.base import CELLS, MAX_LAYERS, MAX_SUBWORD_BUCKETS, MAX_VOCAB, MAX_WIDTH, POOLINGS, SCHEDULES, VocabConfig
from textrnn.config.models import CHAR_FEATURES, TAG_SCHEMES, CharLMConfig, ModelConfig, Seq2SeqConfig, TaggerConfig
from textrnn.config.training import (LMTrainConfig, Seq2SeqTrainConfig, TaggerTrainConfig, TrainConfig,
                                     classifier_preprocessing)

__all__ = ["CELLS", "CHAR_FEATURES", "MAX_LAYERS", "MAX_SUBWORD_BUCKETS", "MAX_VOCAB", "MAX_WIDTH", "POOLINGS",
           "SCHEDULES", "TAG_SCHEMES", "CharLMConfig", "LMTrainConfig", "ModelConfig", "Seq2SeqConfig", "Seq2SeqTrainConfig",
           "TaggerConfig",
           "TaggerTrainConfig", "TrainConfig", "VocabConfig", "classifier_preprocessing"]
