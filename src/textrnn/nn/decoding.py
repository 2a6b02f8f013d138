"""Decoding an encoder-decoder, batched: greedy and beam search with length normalisation, attention kept.

Both run every source of a batch at once and stop when every output has produced ``<eos>`` or
``max_len`` units. Beam search keeps ``beam`` hypotheses per source in one ``(batch * beam)``
batch; a hypothesis that has ended may only be extended by padding at no cost, so it stays in
the beam with its score; at the end hypotheses are ranked by the log-probability divided by
GNMT's length penalty ``((5 + |Y|) / 6) ** alpha`` (Wu et al. 2016, "Google's Neural Machine
Translation System", section 7; ``alpha = 0`` ranks by log-probability).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from textrnn.nn.seq2seq import Seq2SeqNet, select_state


@dataclass
class Hypothesis:
    """One output of a source.

    Attributes:
        ids: the output unit ids, ``<eos>`` excluded.
        score: the log-probability of ``ids`` and ``<eos>`` (natural log; for an output that reached
            ``max_len`` without ``<eos>``, of the units generated) divided by the length penalty.
        log_prob: the log-probability itself.
        attention: ``(len(ids), src_len) float32`` weights of each output unit over the source, or ``None``.
    """

    ids: list[int]
    score: float
    log_prob: float
    attention: torch.Tensor | None


def _cut(ids: list[int], eos: int) -> tuple[list[int], int]:
    """The ids before the first ``<eos>`` and the number of units scored (``<eos>`` included when present)."""
    if eos in ids:
        n = ids.index(eos)
        return ids[:n], n + 1
    return ids, len(ids)


def _never(logits: torch.Tensor, bos: int) -> torch.Tensor:
    """Logits with padding (id 0) and ``<bos>`` impossible: neither is ever an output unit."""
    logits = logits.clone()
    logits[:, 0] = float("-inf")
    logits[:, bos] = float("-inf")
    return logits


def length_penalty(length: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT's ``((5 + length) / 6) ** alpha`` (``length`` in units, ``<eos>`` included)."""
    return ((5.0 + length.to(torch.float32)) / 6.0) ** alpha


@torch.no_grad()
def greedy_decode(model: Seq2SeqNet, source: torch.Tensor, lengths: torch.Tensor, bos: int, eos: int,
                  max_len: int, attention: bool = False) -> list[Hypothesis]:
    """The most probable unit at every step, for a batch (model in eval mode).

    Args:
        source: ``(batch, src_len) int64``; lengths: ``(batch,) int64`` on the CPU.
        bos, eos: the target vocabulary's ``<bos>`` / ``<eos>`` ids.
        max_len: the most units produced, ``<eos>`` excluded.
        attention: keep each output's attention weights.

    Returns:
        One :class:`Hypothesis` per source, in batch order (``score`` equals ``log_prob``).
    """
    memory = model.encode(source, lengths)
    state, fed = model.start(memory)
    batch = source.shape[0]
    previous = torch.full((batch,), bos, dtype=torch.int64, device=source.device)
    done = torch.zeros(batch, dtype=torch.bool, device=source.device)
    total = torch.zeros(batch, device=source.device)
    steps, weights = [], []
    for _ in range(max_len + 1):
        logits, state, fed, w = model.step(previous, state, fed, memory)
        log_probs = torch.log_softmax(_never(logits, bos), dim=1)
        best = log_probs.argmax(dim=1)
        total += torch.where(done, 0.0, log_probs.gather(1, best.unsqueeze(1)).squeeze(1))
        best = torch.where(done, 0, best)
        steps.append(best)
        weights.append(w)
        done |= best == eos
        if bool(done.all()):
            break
        previous = best
    ids = torch.stack(steps, dim=1).cpu().tolist()
    att = torch.stack(weights, dim=1).cpu() if attention and weights[0] is not None else None
    out = []
    for row in range(batch):
        units, _ = _cut(ids[row], eos)
        units = units[:max_len]
        lp = float(total[row])
        out.append(Hypothesis(units, lp, lp, att[row, : len(units), : int(lengths[row])] if att is not None else None))
    return out


@torch.no_grad()
def beam_search(model: Seq2SeqNet, source: torch.Tensor, lengths: torch.Tensor, bos: int, eos: int, max_len: int,
                beam: int = 5, alpha: float = 0.6, n_best: int = 1, attention: bool = False) -> list[list[Hypothesis]]:
    """Beam search for a batch (model in eval mode); see the module docstring.

    Args:
        source, lengths, bos, eos, max_len, attention: as :func:`greedy_decode`.
        beam: hypotheses kept per source (>= 1; 1 is greedy decoding).
        alpha: the length penalty's exponent.
        n_best: hypotheses returned per source (<= ``beam``), best first.

    Returns:
        Per source, in batch order, up to ``n_best`` :class:`Hypothesis` objects.
    """
    batch, k = source.shape[0], beam
    device = source.device
    rows = torch.arange(batch, device=device).repeat_interleave(k)
    memory = model.encode(source, lengths).select(rows)
    state, fed = model.start(memory)
    vocab = model.config.target_vocab_size
    scores = torch.full((batch, k), float("-inf"), device=device)
    scores[:, 0] = 0.0  # one live hypothesis per source at first: the others would repeat it
    ended_row = torch.full((vocab,), float("-inf"), device=device)
    ended_row[0] = 0.0  # an ended hypothesis may only be extended by padding (id 0), at no cost
    previous = torch.full((batch * k,), bos, dtype=torch.int64, device=device)
    ended = torch.zeros(batch * k, dtype=torch.bool, device=device)
    n_units = torch.zeros(batch * k, dtype=torch.int64, device=device)
    offsets = (torch.arange(batch, device=device) * k).unsqueeze(1)
    tokens, parents, weights = [], [], []
    for _ in range(max_len + 1):
        logits, state, fed, w = model.step(previous, state, fed, memory)
        log_probs = torch.log_softmax(_never(logits, bos), dim=1)
        log_probs = torch.where(ended.unsqueeze(1), ended_row, log_probs)
        candidates = (scores.view(-1, 1) + log_probs).view(batch, k * vocab)
        scores, index = candidates.topk(k, dim=1)
        parent, unit = index // vocab, index % vocab
        chosen = (offsets + parent).view(-1)
        state, fed = select_state(state, chosen), fed.index_select(0, chosen)
        ended, n_units = ended.index_select(0, chosen), n_units.index_select(0, chosen)
        n_units += (~ended).long()
        previous = unit.view(-1)
        ended = ended | (previous == eos)
        tokens.append(unit)
        parents.append(parent)
        weights.append(w.index_select(0, chosen).view(batch, k, -1) if attention and w is not None else None)
        if bool(ended.all()):
            break
    normalised = scores / length_penalty(n_units.view(batch, k), alpha)
    return _backtrack(tokens, parents, weights, scores, normalised, lengths, eos, max_len, min(n_best, k))


def _backtrack(tokens, parents, weights, scores, normalised, lengths, eos, max_len, n_best) -> list[list[Hypothesis]]:
    """Follow each kept hypothesis's parents back to the first step; the ``n_best`` finite ones per source."""
    tok = torch.stack(tokens).cpu()  # (steps, batch, k)
    par = torch.stack(parents).cpu()
    att = torch.stack(weights).cpu() if weights[0] is not None else None  # (steps, batch, k, src_len)
    scores, normalised = scores.cpu(), normalised.cpu()
    steps, batch, _ = tok.shape
    out = []
    for b in range(batch):
        order = torch.argsort(normalised[b], descending=True).tolist()
        found = []
        for beam_index in order:
            if len(found) == n_best or not torch.isfinite(normalised[b, beam_index]):
                break
            ids, rows, j = [], [], beam_index
            for t in range(steps - 1, -1, -1):
                ids.append(int(tok[t, b, j]))
                if att is not None:
                    rows.append(att[t, b, j])
                j = int(par[t, b, j])
            ids.reverse()
            rows.reverse()
            units, _ = _cut(ids, eos)
            units = units[:max_len]
            matrix = torch.stack(rows[: len(units)])[:, : int(lengths[b])] if att is not None and units else (
                torch.zeros(0, int(lengths[b])) if att is not None else None)
            found.append(Hypothesis(units, float(normalised[b, beam_index]), float(scores[b, beam_index]), matrix))
        out.append(found)
    return out
