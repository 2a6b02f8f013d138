"""Device paths: sorted (no-sync) packing on every device, and the CUDA code paths.

The ``cuda`` tests run only where a GPU is present (CI has none; they are run on the
device machine, see benchmarks/RESULTS.md); everything they compare against is computed on the CPU.
"""

import pytest
import torch

from textrnn.batching import EncodedTexts, iter_batches, to_device
from textrnn.classifier import RecurrentTextClassifier, VocabConfig
from textrnn.devices import fits_in_memory, resolve_device
from textrnn.errors import TextrnnError
from textrnn.models import ModelConfig, RecurrentClassifier
from textrnn.pooling import POOLINGS
from textrnn.training import TrainConfig, predict_logits

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def make_model(cell, pooling, bidirectional):
    torch.manual_seed(0)
    cfg = ModelConfig(cell=cell, vocab_size=60, num_outputs=3, embedding_dim=8, hidden_size=6, num_layers=2,
                      bidirectional=bidirectional, pooling=pooling)
    return RecurrentClassifier(cfg).eval()


def batch_of(lengths):
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 60, (len(lengths), max(lengths)), generator=g)
    for row, n in enumerate(lengths):
        ids[row, n:] = 0
    return ids, torch.tensor(lengths)


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_sorted_batch_equals_the_same_texts_in_any_order(pooling, bidirectional):
    model = make_model("lstm", pooling, bidirectional)
    ids, lengths = batch_of([9, 7, 7, 4, 1])  # sorted: packed without a sort
    perm = torch.tensor([3, 0, 4, 2, 1])  # unsorted: packed with enforce_sorted=False
    sorted_logits = model(ids, lengths)
    shuffled_logits = model(ids[perm], lengths[perm])
    torch.testing.assert_close(shuffled_logits, sorted_logits[perm], atol=1e-6, rtol=1e-5)


def test_resolve_device_names_the_bad_value():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("cpu:0") == torch.device("cpu")
    with pytest.raises(TextrnnError, match=r"^unknown device 'cpu:1'; expected auto, cpu, cpu:0, cuda or cuda:N$"):
        resolve_device("cpu:1")
    with pytest.raises(TextrnnError, match="unknown device 'cuda:x'"):
        resolve_device("cuda:x")
    with pytest.raises(TextrnnError, match="unknown device 'gpu0'"):
        resolve_device("gpu0")
    with pytest.raises(TextrnnError, match="unknown device 'meta'"):
        resolve_device("meta")
    if not torch.cuda.is_available():
        with pytest.raises(TextrnnError, match="CUDA is not available"):
            resolve_device("cuda")
        assert resolve_device("auto") == torch.device("cpu")
    else:
        with pytest.raises(TextrnnError, match=r"cuda:99.*GPU\(s\): cuda:0 to"):
            resolve_device("cuda:99")


def test_allocation_failures_become_one_line_naming_the_options():
    with pytest.raises(TextrnnError, match=r"^the model does not fit in memory \(.*can't allocate memory.*\); lower --hidden-size$"):
        with fits_in_memory("the model", "--hidden-size"):
            # torch's message for a refused CPU allocation (seen with --hidden-size 1000000000)
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
                               "memory: you tried to allocate 1536000000000 bytes.\nmore lines")
    with pytest.raises(RuntimeError, match="something else"):  # other errors pass through unchanged
        with fits_in_memory("the model", "--hidden-size"):
            raise RuntimeError("something else")


def test_to_device_leaves_cpu_data_alone():
    data = EncodedTexts(torch.ones((3, 4), dtype=torch.int64), torch.tensor([4, 2, 1]), torch.tensor([0, 1, 0]))
    assert to_device(data, "cpu") is data


# ----------------------------------------------------------------------------- CUDA only


@cuda
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [True, False])  # unidirectional: padded on CUDA, an LSTM packed on the CPU
def test_cuda_logits_match_cpu_with_padding_and_any_order(cell, pooling, bidirectional):
    model = make_model(cell, pooling, bidirectional)
    ids, lengths = batch_of([12, 9, 9, 5, 2, 1])
    expected = model(ids, lengths)
    gpu = make_model(cell, pooling, bidirectional).cuda()
    # cuDNN's recurrent kernels use TF32 by default (torch.backends.cudnn.allow_tf32): about 1e-3 relative
    torch.testing.assert_close(gpu(ids.cuda(), lengths).cpu(), expected, atol=2e-3, rtol=2e-3)
    with torch.backends.cudnn.flags(enabled=True, allow_tf32=False):  # full float32: the same numbers as the CPU
        torch.testing.assert_close(gpu(ids.cuda(), lengths).cpu(), expected, atol=1e-5, rtol=1e-4)
        perm = torch.tensor([5, 2, 0, 4, 1, 3])
        torch.testing.assert_close(gpu(ids[perm].cuda(), lengths[perm]).cpu(), expected[perm], atol=1e-5, rtol=1e-4)
        garbage = ids.clone()
        garbage[garbage == 0] = 33  # padding content must not matter on the GPU either
        torch.testing.assert_close(gpu(garbage.cuda(), lengths).cpu(), expected, atol=1e-5, rtol=1e-4)


@cuda
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


@cuda
def test_cuda_training_saves_a_model_that_predicts_the_same_on_cpu(tmp_path, demo_rows):
    texts = [t for t, _ in demo_rows[:120]]
    y = [lab for _, lab in demo_rows[:120]]
    clf = RecurrentTextClassifier(
        vocab_config=VocabConfig(max_size=800, max_len=30),
        model_config=ModelConfig(cell="gru", embedding_dim=16, hidden_size=16, pooling="attention", bidirectional=True),
        train_config=TrainConfig(epochs=3, batch_size=16, patience=0),
        device="cuda",
    ).fit(texts[:100], y[:100], texts[100:], y[100:], quiet=True)
    assert next(clf.model_.parameters()).is_cuda
    assert clf.history_[-1]["train_loss"] < clf.history_[0]["train_loss"]
    gpu_logits = clf.predict_logits(texts)
    clf.save(tmp_path / "run", plots=False)
    cpu = RecurrentTextClassifier.load(tmp_path / "run", device="cpu")
    torch.testing.assert_close(cpu.predict_logits(texts), gpu_logits, atol=1e-4, rtol=1e-4)
    # batch and one-by-one prediction agree on the GPU (different padding, different batches)
    single = torch.cat([clf.predict_logits([t]) for t in texts[:10]])
    torch.testing.assert_close(single, gpu_logits[:10], atol=1e-5, rtol=1e-4)


@cuda
def test_cuda_predict_logits_keeps_input_order():
    model = make_model("gru", "max", False).cuda()
    ids, lengths = batch_of([3, 8, 1, 5, 8, 2, 7])
    data = EncodedTexts(ids, lengths)
    out = predict_logits(model, data, batch_size=3, device="cuda")
    torch.testing.assert_close(out, model.cpu()(ids, lengths), atol=1e-4, rtol=1e-4)


@cuda
def test_cuda_char_lm_trains_and_scores_like_cpu(tmp_path):
    from textrnn.charlm.config import TrainConfig as LMConfig
    from textrnn.charlm.sampling import load_lm
    from textrnn.charlm.train import evaluate_text, train_lm

    text = "the cat sat on the mat. the dog sat on the log. " * 40
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    metrics = train_lm([tmp_path / "t.txt"], tmp_path / "run",
                       LMConfig(model="lstm", hidden_size=64, embed_dim=16, seq_len=32, batch_size=8, max_steps=120,
                                lr=1e-2, evals=2),
                       val_paths=[tmp_path / "t.txt"], log=None, device="cuda")
    assert metrics["device"].startswith("cuda")
    assert metrics["final"]["loss_nats_per_char"] < 0.8  # a repetitive text is learned (uniform: ln 17 = 2.83)
    model, vocab, config = load_lm(tmp_path / "run")  # loads on the CPU
    cpu = evaluate_text(model, vocab, text)
    assert cpu["loss_nats_per_char"] == pytest.approx(metrics["final"]["loss_nats_per_char"], abs=1e-4)
