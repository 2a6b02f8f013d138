"""A linear-chain conditional random field over per-token emissions: log-likelihood and Viterbi decoding.

The score of a tag path ``y`` for emissions ``e`` is ``start[y_0] + sum_t e[t, y_t] +
sum_t transitions[y_{t-1}, y_t] + end[y_last]``; the log-likelihood is that score minus the
log-partition over all paths, computed by the forward algorithm in log space (Lafferty,
McCallum & Pereira 2001; Lample et al. 2016, "Neural Architectures for Named Entity
Recognition", for the BiLSTM-CRF). Transitions a tag scheme forbids (``I-X`` after ``O`` in
BIO) are masked to a large negative score in training and decoding alike, so no decoded path
ever takes them.
"""

from __future__ import annotations

import torch
from torch import nn

FORBIDDEN = -1e4  # added to forbidden transitions: exp(-1e4) is 0 in float32, and no inf - inf = nan


class CRF(nn.Module):
    """Linear-chain CRF over ``num_tags`` tags.

    Args:
        num_tags: tags ``K``.

    Parameters: ``transitions`` ``(K, K)`` (from row to column), ``start`` ``(K,)``, ``end`` ``(K,)``.
    Buffers: the constraint masks (``True`` = allowed) ``allowed_transitions`` ``(K, K)``,
    ``allowed_start`` and ``allowed_end`` ``(K,)``, all allowed until :meth:`constrain`; not saved
    with the weights (they follow from the tags and the scheme).
    """

    def __init__(self, num_tags: int) -> None:
        super().__init__()
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))
        self.register_buffer("allowed_transitions", torch.ones(num_tags, num_tags, dtype=torch.bool), persistent=False)
        self.register_buffer("allowed_start", torch.ones(num_tags, dtype=torch.bool), persistent=False)
        self.register_buffer("allowed_end", torch.ones(num_tags, dtype=torch.bool), persistent=False)

    def constrain(self, start: list[bool], transitions: list[list[bool]], end: list[bool]) -> None:
        """Forbid transitions (e.g. from :func:`textrnn.tasks.schemes.allowed_transitions`)."""
        with torch.no_grad():
            self.allowed_start.copy_(torch.tensor(start, dtype=torch.bool))
            self.allowed_transitions.copy_(torch.tensor(transitions, dtype=torch.bool))
            self.allowed_end.copy_(torch.tensor(end, dtype=torch.bool))

    def _scores(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        forbid = lambda x, ok: x + (~ok).to(x.dtype) * FORBIDDEN  # noqa: E731
        return (forbid(self.start, self.allowed_start), forbid(self.transitions, self.allowed_transitions),
                forbid(self.end, self.allowed_end))

    def log_likelihood(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``(batch,) float32``: log p(tags | emissions) of each sentence.

        Args:
            emissions: ``(batch, seq_len, K) float32``.
            tags: ``(batch, seq_len) int64`` gold tags (any value at padding).
            mask: ``(batch, seq_len) bool``, true at real tokens; every sentence starts with one
                real token and its real tokens come first.
        """
        start, trans, end = self._scores()
        emissions = emissions.float()
        batch, seq_len, _ = emissions.shape
        tags = tags.masked_fill(~mask, 0)
        rows = torch.arange(batch, device=emissions.device)
        # the gold path's score
        gold = start[tags[:, 0]] + emissions[rows, 0, tags[:, 0]]
        if seq_len > 1:
            step = emissions[:, 1:].gather(2, tags[:, 1:].unsqueeze(2)).squeeze(2) + trans[tags[:, :-1], tags[:, 1:]]
            gold = gold + (step * mask[:, 1:]).sum(1)
        last = tags[rows, mask.sum(1) - 1]
        gold = gold + end[last]
        return gold - self.log_partition(emissions, mask)

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``(batch,) float32`` log of the sum of exp(score) over every tag path (the forward algorithm)."""
        start, trans, end = self._scores()
        emissions = emissions.float()
        alpha = start + emissions[:, 0]  # alpha[b, j]: log-sum over the paths ending in tag j
        for t in range(1, emissions.shape[1]):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
        return torch.logsumexp(alpha + end, dim=1)

    def marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``(batch, seq_len, K) float32`` p(tag at t = k | emissions): the gradient of the
        log-partition with respect to the emissions (what forward-backward computes); 0 at padding."""
        with torch.enable_grad():
            e = emissions.detach().float().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.log_partition(e, mask).sum(), e)
        return grad * mask.unsqueeze(2)

    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Viterbi: the best path of each sentence.

        Args:
            emissions: ``(batch, seq_len, K) float32``; mask: ``(batch, seq_len) bool`` as in
                :meth:`log_likelihood`.

        Returns:
            ``(batch, seq_len) int64`` tags (0 at padding) and ``(batch,) float32`` path scores.
        """
        start, trans, end = self._scores()
        emissions = emissions.float()
        batch, seq_len, k = emissions.shape
        score = start + emissions[:, 0]
        back = []
        for t in range(1, seq_len):
            best, arg = (score.unsqueeze(2) + trans.unsqueeze(0)).max(dim=1)  # (B, K): best previous tag
            real = mask[:, t].unsqueeze(1)
            score = torch.where(real, best + emissions[:, t], score)
            # at padding each tag points to itself, so backtracking walks through unchanged
            back.append(torch.where(real, arg, torch.arange(k, device=arg.device).expand(batch, k)))
        final, tag = (score + end).max(dim=1)
        path = [tag]
        for arg in reversed(back):
            tag = arg.gather(1, tag.unsqueeze(1)).squeeze(1)
            path.append(tag)
        path.reverse()
        tags = torch.stack(path, dim=1) if seq_len > 1 else tag.unsqueeze(1)
        return tags.masked_fill(~mask, 0), final
