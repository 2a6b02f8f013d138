"""Which tokens drove a prediction: attention weights, or gradient × input saliency.

For a model with ``attention`` pooling the weights are the attention distribution itself
(they sum to 1). For other poolings the score of each token is gradient × input
(Simonyan et al. 2014; Shrikumar et al. 2016; Denil et al. 2014): the dot product of the
token's embedding with the gradient of the predicted class's logit with respect to it;
the sign says whether the token pushed toward (+) or away from (−) the predicted label.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import torch

from textrnn.errors import TextrnnError
from textrnn.tasks.classify import probabilities


@dataclass
class Explanation:
    """``tokens`` after preprocessing (``<unk>`` marks out-of-vocabulary ones as ``word?``),
    one score per token, the ``method`` (``attention`` or ``gradient_x_input``), the
    predicted ``label`` and the class ``probabilities``."""

    text: str
    tokens: list[str]
    scores: list[float]
    method: str
    label: str
    probabilities: dict[str, float]


def explain(clf, text: str) -> Explanation:
    """Explain one prediction of a recurrent classifier (a
    :class:`~textrnn.inference.classifier.ClassifierPredictor` or a fitted
    :class:`~textrnn.training.classifier.RecurrentTextClassifier`).

    Raises:
        TextrnnError: the text is empty, or the model is not recurrent.
    """
    predictor = getattr(clf, "predictor_", clf)
    if not hasattr(predictor, "model") or not hasattr(predictor.model, "pool"):
        raise TextrnnError("explain needs a recurrent model (tfidf-lr models: inspect their coefficients instead)")
    if not text.strip():
        raise TextrnnError("the text to explain is empty")
    model = predictor.model
    tokens = predictor.tokenize([text])[0][: predictor.vocab_config.max_len]
    data = predictor.encode([tokens])
    ids, lengths = data.ids.to(predictor.device), data.lengths
    shown = [t if t in predictor.vocab else f"{t}?" for t in tokens] or ["<empty>"]
    model.eval()
    if model.config.pooling == "attention":
        with torch.no_grad():
            logits, weights = model.forward_with_weights(ids, lengths)
        scores = weights[0, : len(shown)].cpu().tolist()
        method = "attention"
    else:
        embedded = model.embedding(ids).detach().requires_grad_(True)
        with torch.backends.cudnn.flags(enabled=False):  # cuDNN RNN backward needs train mode
            pooled, _ = model.pool(embedded, lengths)
            logits = model.output(pooled)
        target = logits[0, 0] if logits.shape[1] == 1 else logits[0, logits[0].argmax()]
        sign = 1.0
        if logits.shape[1] == 1 and float(logits[0, 0].detach()) < 0:
            sign = -1.0  # binary: the predicted class is the negative side of the single logit
        (sign * target).backward()
        scores = (embedded.grad[0] * embedded[0]).sum(-1)[: len(shown)].detach().cpu().tolist()
        method = "gradient_x_input"
    probs = probabilities(logits.detach().float().cpu())[0]
    label = predictor.labels_[int(probs.argmax())]
    return Explanation(text, shown, scores, method, label, {n: float(p) for n, p in zip(predictor.labels_, probs)})


def to_html(exp: Explanation) -> str:
    """A standalone HTML page: tokens shaded by score (blue toward the label, red away)."""
    top = max((abs(s) for s in exp.scores), default=1.0) or 1.0
    spans = []
    for token, score in zip(exp.tokens, exp.scores):
        alpha = abs(score) / top
        color = f"rgba(31,119,180,{alpha:.3f})" if score >= 0 else f"rgba(214,39,40,{alpha:.3f})"
        spans.append(f'<span title="{score:.4f}" style="background:{color};padding:2px 3px;margin:1px;border-radius:3px">'
                     f"{html.escape(token)}</span>")
    probs = ", ".join(f"{html.escape(k)}: {v:.3f}" for k, v in exp.probabilities.items())
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>textrnn explain</title></head>"
        "<body style='font-family:sans-serif;font-size:18px;line-height:2'>"
        f"<p>{' '.join(spans)}</p><p style='font-size:14px;color:#555'>predicted <b>{html.escape(exp.label)}</b> ({probs}); "
        f"scores: {exp.method}</p><p style='font-size:14px;color:#555'>{html.escape(exp.text)}</p></body></html>\n"
    )
