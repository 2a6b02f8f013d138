"""textrnn: recurrent neural networks for text, Russian first.

The public API, imported on first use (``import textrnn`` itself loads neither torch nor the
training code)::

    import textrnn
    clf = textrnn.RecurrentTextClassifier().fit(texts, labels, val_texts, val_labels)
    clf.save("runs/model")
    predictor = textrnn.load("runs/model")          # any kind: classifier, tfidf-lr, char LM
    predictor.predict_proba(["Отличный сервис!"])
    textrnn.train_lm(["train.txt"], "runs/lm", train_config=textrnn.LMTrainConfig(time_budget=300))
    tagger = textrnn.SequenceTagger(textrnn.TaggerConfig(crf=True)).fit(sentences, tags, val_sentences, val_tags)
    tagger.predict_text(["Лев Толстой родился в Ясной Поляне"])   # tags, offsets, entity spans
    model = textrnn.Seq2Seq().fit(sources, targets, val_sources, val_targets)
    model.translate(["стол <NOUN> <gent> <plur>"], beam=5, attention=True)   # outputs, attention
"""

import importlib

__version__ = "0.2.0"

from textrnn.errors import TextrnnError  # noqa: E402

_WHERE = {
    "Preprocessor": "textrnn.text",
    "load": "textrnn.runs",
    "ModelConfig": "textrnn.config", "TrainConfig": "textrnn.config", "VocabConfig": "textrnn.config",
    "CharLMConfig": "textrnn.config", "LMTrainConfig": "textrnn.config",
    "TaggerConfig": "textrnn.config", "TaggerTrainConfig": "textrnn.config",
    "SequenceTagger": "textrnn.training.tagger",
    "Seq2SeqConfig": "textrnn.config", "Seq2SeqTrainConfig": "textrnn.config",
    "Seq2Seq": "textrnn.training.seq2seq",
    "read_pairs": "textrnn.data.pairs",
    "MostFrequentTagger": "textrnn.baselines.most_frequent",
    "read_tagged": "textrnn.data.tagged",
    "RecurrentTextClassifier": "textrnn.training.classifier",
    "TfidfLogisticRegression": "textrnn.baselines.tfidf_lr",
    "train_lm": "textrnn.training.lm",
    "Trainer": "textrnn.training.trainer",
    "Vocab": "textrnn.vocab",
    "explain": "textrnn.inference.explain",
    "compare_models": "textrnn.compare.report",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'textrnn' has no attribute {name!r}")


__all__ = ["TextrnnError", "__version__", *_WHERE]
