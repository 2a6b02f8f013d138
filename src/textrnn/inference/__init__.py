"""Predictors loaded from a run directory, needing torch, the model and its vocabulary only (never the training code).

``textrnn.inference.load(run_dir)`` (also ``textrnn.load``) returns the Predictor of any kind:
a :class:`~textrnn.inference.classifier.ClassifierPredictor`, a TF-IDF baseline or a
:class:`~textrnn.inference.charlm.CharLMPredictor`.
"""

from textrnn.runs import load

__all__ = ["load"]
