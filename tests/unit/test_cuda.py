"""The CUDA code paths agree with the CPU: padding, batch order, device-resident batches, training, the char LM.

Every test here needs a GPU and is skipped without one; what they compare against is computed on the CPU.
"""

import itertools

import pytest
import torch

import textrnn
from tests.conftest import tiny_classifier, untrained_net
from textrnn.config import CELLS, POOLINGS, CharLMConfig, LMTrainConfig
from textrnn.data.batching import EncodedTexts, iter_batches, to_device
from textrnn.tasks.classify import predict_logits

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def batch_of(lengths):
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 60, (len(lengths), max(lengths)), generator=g)
    for row, n in enumerate(lengths):
        ids[row, n:] = 0
    return ids, torch.tensor(lengths)


# unidirectional: padded on CUDA, an LSTM packed on the CPU
@pytest.mark.parametrize("cell,pooling,bidirectional", list(itertools.product(CELLS, POOLINGS, [True, False])))
def test_cuda_logits_match_cpu_with_padding_and_any_order(cell, pooling, bidirectional):
    model = untrained_net(cell, pooling, bidirectional)
    ids, lengths = batch_of([12, 9, 9, 5, 2, 1])
    expected = model(ids, lengths)
    gpu = untrained_net(cell, pooling, bidirectional).cuda()
    # cuDNN's recurrent kernels use TF32 by default (torch.backends.cudnn.allow_tf32): about 1e-3 relative
    torch.testing.assert_close(gpu(ids.cuda(), lengths).cpu(), expected, atol=2e-3, rtol=2e-3)
    with torch.backends.cudnn.flags(enabled=True, allow_tf32=False):  # full float32: the same numbers as the CPU
        torch.testing.assert_close(gpu(ids.cuda(), lengths).cpu(), expected, atol=1e-5, rtol=1e-4)
        perm = torch.tensor([5, 2, 0, 4, 1, 3])
        torch.testing.assert_close(gpu(ids[perm].cuda(), lengths[perm]).cpu(), expected[perm], atol=1e-5, rtol=1e-4)
        garbage = ids.clone()
        garbage[garbage == 0] = 33  # padding content must not matter on the GPU either
        torch.testing.assert_close(gpu(garbage.cuda(), lengths).cpu(), expected, atol=1e-5, rtol=1e-4)


def test_cuda_resident_batches_equal_pinned_batches():
    g = torch.Generator().manual_seed(0)
    lengths = torch.randint(1, 30, (500,), generator=g)
    ids = torch.randint(1, 100, (500, 30), generator=g)
    data = EncodedTexts(ids, lengths, torch.randint(0, 2, (500,), generator=g))
    resident = to_device(data, "cuda")
    assert resident.ids.is_cuda and not resident.lengths.is_cuda
    a = list(iter_batches(data, 64, True, torch.Generator().manual_seed(3), device="cuda"))
    b = list(iter_batches(resident, 64, True, torch.Generator().manual_seed(3), device="cuda"))
    assert len(a) == len(b) == 8
    for (ia, xa, la, ya), (ib, xb, lb, yb) in zip(a, b):
        assert torch.equal(ia, ib) and torch.equal(la, lb)
        assert xb.is_cuda and torch.equal(xa.cpu(), xb.cpu()) and torch.equal(ya.cpu(), yb.cpu())
        assert bool((lb[:-1] >= lb[1:]).all())  # longest first: packing needs no sort


def test_cuda_training_saves_a_model_that_predicts_the_same_on_cpu(tmp_path, demo_rows):
    texts = [t for t, _ in demo_rows[:120]]
    clf = tiny_classifier(demo_rows[:120], n_val=20, device="cuda", max_size=800, max_len=30, embedding_dim=16,
                          hidden_size=16, pooling="attention", bidirectional=True, epochs=3, patience=0)
    assert next(clf.model_.parameters()).is_cuda and clf.summary_["device"].startswith("cuda")
    assert clf.history_[-1]["train_loss"] < clf.history_[0]["train_loss"]
    gpu_logits = clf.predict_logits(texts)
    clf.save(tmp_path / "run", plots=False)
    cpu = textrnn.load(tmp_path / "run", device="cpu")
    assert next(cpu.model.parameters()).device.type == "cpu"
    torch.testing.assert_close(cpu.predict_logits(texts), gpu_logits, atol=1e-4, rtol=1e-4)
    # batch and one-by-one prediction agree on the GPU (different padding, different batches)
    single = torch.cat([clf.predict_logits([t]) for t in texts[:10]])
    torch.testing.assert_close(single, gpu_logits[:10], atol=1e-5, rtol=1e-4)


def test_cuda_predict_logits_keeps_input_order():
    model = untrained_net("gru", "max", False).cuda()
    ids, lengths = batch_of([3, 8, 1, 5, 8, 2, 7])
    out = predict_logits(model, EncodedTexts(ids, lengths), batch_size=3, device="cuda")
    assert out.device.type == "cpu"
    torch.testing.assert_close(out, model.cpu()(ids, lengths), atol=1e-4, rtol=1e-4)


def test_cuda_char_lm_trains_and_scores_like_cpu(tmp_path):
    from textrnn.training.lm import train_lm

    text = "the cat sat on the mat. the dog sat on the log. " * 40
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    metrics = train_lm([tmp_path / "t.txt"], tmp_path / "run", CharLMConfig(cell="lstm", hidden_size=64, embedding_dim=16),
                       LMTrainConfig(seq_len=32, batch_size=8, max_steps=120, lr=1e-2, evals=2),
                       val_paths=[tmp_path / "t.txt"], device="cuda", quiet=True)
    assert metrics["device"].startswith("cuda")
    assert metrics["final"]["loss_nats_per_char"] < 0.8  # a repetitive text is learned (uniform: ln 17 = 2.83)
    lm = textrnn.load(tmp_path / "run", device="cpu", kind="char_lm")
    assert next(lm.model.parameters()).device.type == "cpu"
    cpu = lm.evaluate_text(text)
    assert cpu["loss_nats_per_char"] == pytest.approx(metrics["final"]["loss_nats_per_char"], abs=1e-4)
