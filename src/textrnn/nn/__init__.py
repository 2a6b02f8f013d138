"""torch modules only: token embedding, the shared recurrent encoder, pooling, and the models built from them."""

from __future__ import annotations

from torch import nn

from textrnn.nn.charlm import CharLM
from textrnn.nn.classifier import RecurrentClassifier
from textrnn.nn.embedding import TokenEmbedding
from textrnn.nn.encoder import CELL_CLASSES, EncoderOutput, RecurrentEncoder, State, detach_state
from textrnn.nn.pooling import AttentionPooling, make_pooling
from textrnn.nn.crf import CRF
from textrnn.nn.tagger import SequenceTaggerNet


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of distinct parameters (a tied matrix counts once); frozen ones too unless ``trainable_only``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


__all__ = ["CELL_CLASSES", "CRF", "AttentionPooling", "CharLM", "EncoderOutput", "RecurrentClassifier", "RecurrentEncoder",
           "SequenceTaggerNet", "State", "TokenEmbedding", "count_parameters", "detach_state", "make_pooling"]
