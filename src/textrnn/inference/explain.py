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

from textrnn.errors import TextrnnError


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
    import torch  # here: the legend and the HTML page also serve the torch-free tfidf-lr explanation

    from textrnn.tasks.classify import probabilities

    predictor = getattr(clf, "predictor_", clf)
    if not hasattr(predictor, "model") or not hasattr(predictor.model, "pool"):
        raise TextrnnError("explain needs a recurrent model (a tfidf-lr model: see textrnn.baselines.lr_explain)")
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


def others(exp: Explanation) -> str:
    """The labels other than the predicted one, as a phrase: ``positive`` or ``the other labels``."""
    rest = [k for k in exp.probabilities if k != exp.label]
    return rest[0] if len(rest) == 1 else "the other labels"


def legend(exp: Explanation) -> dict[str, str]:
    """What the scores of ``exp`` mean, in words: ``predicted`` (the label and its probability),
    ``blue`` and ``red`` (what each colour of the HTML page and the PNG bars says) and ``axis``
    (the PNG's axis label)."""
    p = exp.probabilities.get(exp.label, float("nan"))
    predicted = f"predicted {exp.label} (p={p:.3f})"
    if exp.method == "attention":
        return {"predicted": predicted, "blue": "attention weight: how much the model read this token (the weights "
                "sum to 1; attention has no sign, it does not say toward which label)", "red": "",
                "axis": f"attention weight (predicted {exp.label}; weights sum to 1)"}
    return {"predicted": predicted,
            "blue": f"pushes toward {exp.label}, the predicted label (score > 0)",
            "red": f"pushes away from {exp.label}, toward {others(exp)} (score < 0)",
            "axis": f"\u2190 toward {others(exp)}   {exp.method}   toward {exp.label} \u2192"}


BLUE, RED = "31,119,180", "214,39,40"


def _swatch(rgb: str, text: str) -> str:
    return (f"<li><i style='display:inline-block;width:1.4em;height:0.9em;background:rgb({rgb});"
            f"border-radius:3px'></i> {html.escape(text)}</li>")


def to_html(exp: Explanation) -> str:
    """A standalone HTML page: tokens shaded by score (blue toward the predicted label, red away
    from it; deeper = larger ``|score|``) and a legend saying so, with the predicted label and its
    probability."""
    top = max((abs(s) for s in exp.scores), default=1.0) or 1.0
    spans = []
    for token, score in zip(exp.tokens, exp.scores):
        alpha = abs(score) / top
        color = f"rgba({BLUE},{alpha:.3f})" if score >= 0 else f"rgba({RED},{alpha:.3f})"
        spans.append(f'<span title="{score:.4f}" style="background:{color};padding:2px 3px;margin:1px;border-radius:3px">'
                     f"{html.escape(token)}</span>")
    probs = ", ".join(f"{html.escape(k)}: {v:.3f}" for k, v in exp.probabilities.items())
    words = legend(exp)
    items = _swatch(BLUE, words["blue"]) + (_swatch(RED, words["red"]) if words["red"] else "")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>textrnn explain</title></head>"
        "<body style='font-family:sans-serif;font-size:18px;line-height:2'>"
        f"<p>{' '.join(spans)}</p>"
        f"<div class='legend' style='font-size:14px;color:#333;line-height:1.6'><p><b>{html.escape(words['predicted'])}"
        f"</b> — all labels: {probs}</p><ul style='list-style:none;padding-left:0'>{items}"
        f"<li>deeper colour = larger |score| (relative to this text's largest); hover a token for its score "
        f"({html.escape(exp.method)})</li></ul></div>"
        f"<p style='font-size:14px;color:#555'>{html.escape(exp.text)}</p></body></html>\n"
    )
