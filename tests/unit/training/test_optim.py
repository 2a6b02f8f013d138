"""Gradient clipping folded into the fused Adam step equals clip_grad_norm_ followed by step()."""

import pytest
import torch
from torch import nn

from textrnn.config import TrainConfig
from textrnn.training.optim import clip_and_step, global_grad_norm, make_optimizer

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def make_params(device):
    torch.manual_seed(0)
    model = nn.ModuleList([nn.Embedding(50, 8), nn.LSTM(8, 6, num_layers=2), nn.Linear(6, 3)]).to(device)
    return [p for p in model.parameters()]


def set_grads(params, step, scale):
    g = torch.Generator().manual_seed(step)
    for p in params:
        p.grad = (torch.randn(p.shape, generator=g) * scale).to(p.device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("scale", [3.0, 0.01])  # global norm ~ 100 (clipped) and ~ 0.3 (left alone)
def test_clip_and_step_equals_clip_grad_norm_then_step(device, fused, scale):
    ours, reference = make_params(device), make_params(device)
    opt_ours = torch.optim.AdamW(ours, lr=0.05, weight_decay=0.01, fused=fused)
    opt_ref = torch.optim.AdamW(reference, lr=0.05, weight_decay=0.01, fused=fused)
    for step in range(6):
        set_grads(ours, step, scale)
        set_grads(reference, step, scale)
        expected_norm = nn.utils.clip_grad_norm_(reference, 1.0)
        opt_ref.step()
        assert float(global_grad_norm(ours)) == pytest.approx(float(expected_norm), rel=1e-5)
        clip_and_step(opt_ours, ours, 1.0)
        assert not hasattr(opt_ours, "grad_scale")  # never left behind for a later step()
    moved = max(float((a - b).detach().abs().max()) for a, b in zip(ours, make_params(device)))
    assert moved > 0.05  # the steps really changed the weights
    for a, b in zip(ours, reference):
        torch.testing.assert_close(a, b, atol=2e-6, rtol=1e-5)


def test_fused_clipping_really_clips():
    # one Adam step moves each weight by ~lr whatever the gradient's size, so look at the state:
    # after the first step the first moment is (1 - beta1) * the gradient the kernel used
    params = make_params("cpu")
    opt = torch.optim.AdamW(params, lr=0.01, fused=True)
    set_grads(params, 0, 3.0)
    raw = [p.grad.clone() for p in params]
    norm = float(global_grad_norm(params))
    assert norm > 10
    clip_and_step(opt, params, 1.0)
    for p, g in zip(params, raw):
        torch.testing.assert_close(opt.state[p]["exp_avg"], 0.1 * g / (norm + 1e-6), atol=1e-7, rtol=1e-4)


def test_zero_max_norm_does_not_clip_and_missing_grads_skip_the_step():
    params = make_params("cpu")
    opt = torch.optim.AdamW(params, lr=0.01, fused=True)
    set_grads(params, 0, 3.0)
    raw = [p.grad.clone() for p in params]
    clip_and_step(opt, params, 0.0)  # no clipping: Adam's first moment is (1 - beta1) * g
    for p, g in zip(params, raw):
        torch.testing.assert_close(opt.state[p]["exp_avg"], 0.1 * g)
    for p in params:
        p.grad = None
    assert global_grad_norm(params) is None
    before = [p.detach().clone() for p in params]
    clip_and_step(opt, params, 1.0)  # nothing to clip, nothing to step
    for p, b in zip(params, before):
        assert torch.equal(p.detach(), b)


def test_the_optimizer_is_adamw_with_the_configured_betas_and_decay():
    params = make_params("cpu")
    opt = make_optimizer(params, TrainConfig(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1), torch.device("cpu"))
    assert isinstance(opt, torch.optim.AdamW)
    group = opt.param_groups[0]
    assert (group["lr"], group["betas"], group["weight_decay"], group["fused"]) == (0.01, (0.8, 0.9), 0.1, True)
