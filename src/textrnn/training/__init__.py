"""Training: one task-agnostic :class:`Trainer` with callbacks, the optimiser, and the fitting of each task's model.

Import the parts you need (``from textrnn.training.trainer import Trainer``); this package
imports nothing itself, so that reading one part does not load the others.
"""
