"""The linear-chain CRF against brute-force enumeration of every tag path, and against pytorch-crf."""

import itertools

import pytest
import torch

from textrnn.nn.crf import CRF
from textrnn.tasks.schemes import allowed_transitions


def random_crf(k: int, seed: int = 0) -> CRF:
    torch.manual_seed(seed)
    crf = CRF(k)
    with torch.no_grad():
        crf.transitions.normal_()
        crf.start.normal_()
        crf.end.normal_()
    return crf


@torch.no_grad()
def path_scores(crf: CRF, emissions: torch.Tensor, length: int) -> dict[tuple, float]:
    """Score of every tag path of one sentence, with forbidden transitions left out."""
    k = emissions.shape[-1]
    out = {}
    for path in itertools.product(range(k), repeat=length):
        if not crf.allowed_start[path[0]] or not crf.allowed_end[path[-1]]:
            continue
        if any(not crf.allowed_transitions[a, b] for a, b in zip(path, path[1:])):
            continue
        s = crf.start[path[0]] + emissions[0, path[0]] + crf.end[path[-1]]
        s = s + sum(crf.transitions[a, b] + emissions[t + 1, b] for t, (a, b) in enumerate(zip(path, path[1:])))
        out[path] = float(s.detach())
    return out


def batch(k: int, lengths: list[int], seed: int = 1):
    gen = torch.Generator().manual_seed(seed)
    t = max(lengths)
    emissions = torch.randn(len(lengths), t, k, generator=gen)
    mask = torch.arange(t).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    tags = torch.randint(0, k, (len(lengths), t), generator=gen)
    return emissions, mask, tags


def test_log_likelihood_and_viterbi_equal_brute_force():
    k, lengths = 3, [5, 3, 1, 4]
    crf = random_crf(k)
    emissions, mask, tags = batch(k, lengths)
    ll = crf.log_likelihood(emissions, tags, mask)
    best, score = crf.decode(emissions, mask)
    for b, n in enumerate(lengths):
        scores = path_scores(crf, emissions[b], n)
        log_z = torch.logsumexp(torch.tensor(list(scores.values()), dtype=torch.float64), 0).item()
        gold = tuple(tags[b, :n].tolist())
        assert ll[b].item() == pytest.approx(scores[gold] - log_z, abs=1e-4)
        top = max(scores, key=scores.get)
        assert tuple(best[b, :n].tolist()) == top
        assert score[b].item() == pytest.approx(scores[top], abs=1e-4)
        assert best[b, n:].tolist() == [0] * (max(lengths) - n)


def test_marginals_equal_brute_force_and_sum_to_one():
    k, lengths = 3, [4, 2]
    crf = random_crf(k, seed=3)
    emissions, mask, _ = batch(k, lengths, seed=4)
    marginals = crf.marginals(emissions, mask)
    for b, n in enumerate(lengths):
        scores = path_scores(crf, emissions[b], n)
        total = torch.logsumexp(torch.tensor(list(scores.values()), dtype=torch.float64), 0)
        for t in range(n):
            for j in range(k):
                p = sum(torch.exp(torch.tensor(s, dtype=torch.float64) - total).item()
                        for path, s in scores.items() if path[t] == j)
                assert marginals[b, t, j].item() == pytest.approx(p, abs=1e-5)
        assert marginals[b, :n].sum(1).tolist() == pytest.approx([1.0] * n, abs=1e-5)
        assert marginals[b, n:].abs().sum().item() == 0


def test_constraints_are_never_violated_and_brute_force_agrees():
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    crf = random_crf(len(tags), seed=5)
    with torch.no_grad():  # make the forbidden moves attractive: O -> I-PER scores high
        crf.transitions[0, 2] = 5.0
        crf.start[2] = 5.0
    crf.constrain(*allowed_transitions(tags, "bio"))
    emissions, mask, _ = batch(len(tags), [6, 4, 2], seed=6)
    emissions[:, :, 2] += 3.0  # and I-PER's emissions
    best, _ = crf.decode(emissions, mask)
    for b, n in enumerate([6, 4, 2]):
        path = best[b, :n].tolist()
        assert path[0] not in (2, 4)
        for a, c in zip(path, path[1:]):
            assert crf.allowed_transitions[a, c]
        scores = path_scores(crf, emissions[b], n)
        assert tuple(path) == max(scores, key=scores.get)


def test_padding_does_not_change_scores():
    k = 4
    crf = random_crf(k, seed=7)
    emissions, mask, tags = batch(k, [3, 3], seed=8)
    wide = torch.cat([emissions, torch.randn(2, 5, k) * 100], dim=1)  # garbage padding
    wide_mask = torch.cat([mask, torch.zeros(2, 5, dtype=torch.bool)], dim=1)
    wide_tags = torch.cat([tags, torch.randint(0, k, (2, 5))], dim=1)
    assert torch.allclose(crf.log_likelihood(emissions, tags, mask), crf.log_likelihood(wide, wide_tags, wide_mask))
    assert crf.decode(wide, wide_mask)[0][:, :3].tolist() == crf.decode(emissions, mask)[0].tolist()


def test_equal_to_pytorch_crf():
    torchcrf = pytest.importorskip("torchcrf")
    k, lengths = 5, [7, 5, 5, 2, 1]
    ours = random_crf(k, seed=9)
    theirs = torchcrf.CRF(k, batch_first=True)
    with torch.no_grad():
        theirs.transitions.copy_(ours.transitions)
        theirs.start_transitions.copy_(ours.start)
        theirs.end_transitions.copy_(ours.end)
    emissions, mask, tags = batch(k, lengths, seed=10)
    assert torch.allclose(ours.log_likelihood(emissions, tags, mask), theirs(emissions, tags, mask, reduction="none"),
                          atol=1e-5)
    decoded = ours.decode(emissions, mask)[0]
    assert [decoded[b, :n].tolist() for b, n in enumerate(lengths)] == theirs.decode(emissions, mask)
