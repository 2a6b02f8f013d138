"""Where a CUDA training step waits: host-device synchronisations, copies and kernel launches per step.

Usage (from the repository root, on a machine with a GPU)::

    python benchmarks/gpu_profile.py [--data DIR] [--steps 30]

For the two configurations of ``throughput.py`` it profiles (``torch.profiler``) the ceiling's
step (packed, as textrnn's model runs), the same step over padded batches without packing (a
speed reference for unidirectional nets), and the trainer's epoch, and prints one JSON line
each: milliseconds per step and the CUDA runtime calls per step (``cudaStreamSynchronize``,
``cudaMemcpyAsync``, kernel launches). A synchronisation per step means the host cannot run
ahead of the GPU, so every microsecond of Python in the loop adds to the step time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import CONFIGS, DEFAULT_DATA, encode_data, take  # noqa: E402

from textrnn.config import ModelConfig, TrainConfig  # noqa: E402
from textrnn.data.batching import bucketed_batches  # noqa: E402
from textrnn.nn import RecurrentClassifier  # noqa: E402
from textrnn.tasks.classify import ClassificationTask  # noqa: E402
from textrnn.training.trainer import Trainer  # noqa: E402

CALLS = ("cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize", "cudaMemcpyAsync",
         "cudaLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernel", "cuLaunchKernelEx")


def per_step(prof, steps: int) -> dict:
    counts = Counter(e.name for e in prof.events() if e.name in CALLS)
    return {k: round(v / steps, 2) for k, v in sorted(counts.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--device", default="cuda", help="cuda (cpu only to try the script)")
    args = parser.parse_args()
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for name, spec in CONFIGS.items():
        args.max_batches = None
        vocab, data = encode_data(args, spec["max_len"])
        cfg = ModelConfig(vocab_size=len(vocab), num_outputs=1, **spec["model"])
        bs = spec["batch_size"]
        timed = take(data, 0, args.steps * bs)
        batches = []
        for index in bucketed_batches(timed.lengths, bs, True, torch.Generator().manual_seed(0)):
            lengths = timed.lengths[index]
            batches.append((timed.ids[index, : int(lengths.max())].to(device), lengths,
                            timed.targets[index].float().to(device)))
        model = RecurrentClassifier(cfg).to(device).train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)

        def step(ids, lengths, targets, packed=True):
            if packed:
                logits = model(ids, lengths)
            else:
                out, _ = model.encoder.rnn(model.embedding(ids))
                logits = model.output(out[torch.arange(len(lengths), device=device), (lengths - 1).to(device)])
            loss = F.binary_cross_entropy_with_logits(logits.squeeze(1), targets)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

        for mode in ("packed", "padded"):
            if mode == "padded" and cfg.bidirectional:
                continue
            for b in batches[:5]:
                step(*b, packed=mode == "packed")
            sync()
            t0 = time.perf_counter()
            for b in batches:
                step(*b, packed=mode == "packed")
            sync()
            ms = (time.perf_counter() - t0) / len(batches) * 1e3
            with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
                for b in batches[:10]:
                    step(*b, packed=mode == "packed")
                sync()
            print(json.dumps({"config": name, "loop": f"ceiling_{mode}", "ms_per_step": round(ms, 3),
                              "calls_per_step": per_step(prof, 10)}), flush=True)

        val = take(data, len(data) - 64, len(data))
        config = TrainConfig(epochs=1, batch_size=bs, patience=0, seed=0)
        def train():
            task = ClassificationTask(timed, val, ["0", "1"], bs)
            return Trainer(RecurrentClassifier(cfg), task, config, device).fit().summary()

        train()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            summary = train()
        n = -(-len(timed) // bs)
        print(json.dumps({"config": name, "loop": "trainer (profiled epoch, validation included)",
                          "ms_per_step": round(summary["train_seconds"] / n * 1e3, 3),
                          "calls_per_step": per_step(prof, n)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
