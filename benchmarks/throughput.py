"""Training and prediction throughput of textrnn against the raw ceiling and the lecture's loop.

Usage (from the repository root)::

    python benchmarks/throughput.py [--device cpu|cuda] [--threads 1] [--json]
    python benchmarks/throughput.py --investigate        # the CPU matrix behind RESULTS.md
    python benchmarks/throughput.py --clip-ab --repeats 5  # clipping: clip_grad_norm_ vs folded into Adam
    python benchmarks/throughput.py --padded-ab --repeats 5  # unidirectional nets: padded vs packed

For each configuration (``lecture``: LSTM, embedding 128, hidden 20, 2 layers, 20 tokens,
batch 512; ``realistic``: bidirectional LSTM, 2 layers, hidden 256, embedding 300, batch 64,
texts up to 64 tokens) on the real token lengths of ``../shared/data/rutweetcorp_sample``
(default preprocessing), it measures in one process, on the same texts:

(a) ``ceiling``: textrnn's ``RecurrentClassifier`` (same config), forward + backward + fused Adam
    over pre-built, device-resident, bucketed batches -- no data work inside the loop;
(b) ``lecture``: a ``torch.utils.data.Dataset`` whose ``__getitem__`` returns one item padded
    to a fixed length, ``DataLoader(batch_size, shuffle=True)``, ``nn.LSTM`` over the padded
    tensor and the last time step taken (the lecture's style);
(c) ``trainer``: one epoch of :class:`textrnn.training.trainer.Trainer` with the classification task,
    timed by a :class:`~textrnn.training.callbacks.StepTimer` callback (training steps only, so
    the validation pass after the epoch is not counted).

Each is repeated ``--passes`` times over the same timed texts (default 1 on CPU; 10 on CUDA,
where one pass takes milliseconds): the trainer then runs that many epochs.

All count real (non-padding) tokens per second. Each measurement is capped at a fixed number
of batches after a warm-up, so the whole run takes a few minutes on 2 cores. Then prediction:
texts per second for a batch of texts (``predict_proba`` on ``test.csv``) and p50 / p99
latency of ``predict_proba([text])`` for 300 different tweets (``val.csv``), with the model
loaded once through :func:`textrnn.load`.

Output: one JSON line per measurement (``name``, ``device``, ``tokens_per_s``,
``ratio_to_ceiling``, ``ratio_to_lecture`` and details, including the load average); without
``--json`` a readable table goes to stderr as well.

On CUDA: batches come from pinned memory with ``non_blocking`` copies (the trainer's
``iter_batches`` does this; the ceiling's batches are moved to the GPU before timing),
``torch.backends.cudnn.benchmark`` is on, and the device is synchronised before each clock read.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from textrnn.config import ModelConfig, TrainConfig
from textrnn.data.batching import EncodedTexts, bucketed_batches
from textrnn.nn import CELL_CLASSES, RecurrentClassifier
from textrnn.tasks.classify import ClassificationTask
from textrnn.text import Preprocessor
from textrnn.training.callbacks import StepTimer
from textrnn.training.optim import clip_and_step
from textrnn.training.trainer import Trainer
from textrnn.vocab import WORD_SPECIALS, Vocab

REPO = Path(__file__).resolve().parents[1]
PASSES = 1  # passes over the timed texts per measurement (--passes; more on a GPU, where one pass is milliseconds)
DEFAULT_DATA = REPO.parent / "shared" / "data" / "rutweetcorp_sample"

# the lecture's model: last-state pooling, no dropout, words only (the figures in RESULTS.md use these)
_PLAIN = dict(pooling="last", dropout=0.0, embedding_dropout=0.0, subword_buckets=0)
CONFIGS = {
    # the lecture: LSTM, embedding 128, hidden 20, 2 layers, 20 tokens, batch 512
    "lecture": dict(model=dict(cell="lstm", embedding_dim=128, hidden_size=20, num_layers=2, bidirectional=False, **_PLAIN),
                    max_len=20, batch_size=512, batches=24, warmup=3),
    # a realistic classifier: bidirectional LSTM 2 x 256 over 300-d embeddings
    "realistic": dict(model=dict(cell="lstm", embedding_dim=300, hidden_size=256, num_layers=2, bidirectional=True, **_PLAIN),
                      max_len=64, batch_size=64, batches=30, warmup=2),
}


# --- helpers -----------------------------------------------------------------------------


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def read_csv(path: Path) -> tuple[list[str], list[int]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [int(r["label"]) for r in rows]


class Emitter:
    def __init__(self, as_json_only: bool) -> None:
        self.json_only = as_json_only
        self.rows: list[dict] = []

    def __call__(self, row: dict) -> None:
        self.rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if not self.json_only:
            extra = "  ".join(f"{k}={v}" for k, v in row.items() if k not in ("name", "device"))
            print(f"# {row['name']:<28} {extra}", file=sys.stderr, flush=True)


# --- (b) the lecture's loop --------------------------------------------------------------


class LectureDataset(Dataset):
    """The lecture's dataset: every item padded (or cut) to ``max_len`` in ``__getitem__``.

    Returns ``(ids (max_len,) int64, label float32, real length)``; the length is only used to
    count real tokens, the model never sees it.
    """

    def __init__(self, id_lists: list[list[int]], labels: list[int], max_len: int) -> None:
        self.id_lists, self.labels, self.max_len = id_lists, labels, max_len

    def __len__(self) -> int:
        return len(self.id_lists)

    def __getitem__(self, i: int):
        ids = self.id_lists[i][: self.max_len]
        x = torch.zeros(self.max_len, dtype=torch.long)
        x[: len(ids)] = torch.tensor(ids, dtype=torch.long)
        return x, torch.tensor(self.labels[i], dtype=torch.float32), len(ids)


class LectureNet(nn.Module):
    """Embedding -> RNN over the padded tensor -> output at the last time step -> linear."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(cfg.vocab_size, cfg.embedding_dim, padding_idx=0)
        self.rnn = CELL_CLASSES[cfg.cell](cfg.embedding_dim, cfg.hidden_size, num_layers=cfg.num_layers, batch_first=True,
                                   bidirectional=cfg.bidirectional)
        self.fc = nn.Linear(cfg.hidden_size * (2 if cfg.bidirectional else 1), cfg.num_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.embedding(x))
        return self.fc(out[:, -1, :])


# --- measurements --------------------------------------------------------------------------


def take(d: EncodedTexts, start: int, stop: int) -> EncodedTexts:
    """Texts ``start:stop`` of ``d``, their tensor trimmed to their longest text."""
    lengths = d.lengths[start:stop]
    return EncodedTexts(d.ids[start:stop, : int(lengths.max())], lengths, d.targets[start:stop])


def measure_ceiling(cfg: ModelConfig, data: EncodedTexts, warm: EncodedTexts, batch_size: int, device: torch.device,
                    mode: str = "packed", fixed_len: int | None = None, fused: bool = True, clip: float = 0.0,
                    runs_padded: bool | None = None) -> dict:
    """Forward + backward + Adam over pre-built device-resident batches: all of ``data``'s
    batches timed, after the batches of ``warm``.

    ``mode``: ``packed`` (textrnn's model as is), ``padded`` (bucketed batches, no packing,
    last time step: a speed reference only -- wrong for a bidirectional net) or ``fixed``
    (random batches padded to ``fixed_len``, no packing: the lecture's compute without its
    data loading). ``clip`` > 0 adds the trainer's gradient-norm clipping (a diagnosis row).
    ``runs_padded``: force the model's path for a unidirectional net (``None``: its own choice,
    :meth:`RecurrentEncoder.runs_padded`).
    """
    torch.manual_seed(0)
    model = RecurrentClassifier(cfg).to(device).train()
    if runs_padded is not None:
        model.encoder.runs_padded = lambda device: runs_padded
    # the ceiling gets the fastest Adam (fused: one kernel for all parameters; 5x faster on CPU)
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3, fused=fused and device.type in ("cpu", "cuda"))

    def build(d: EncodedTexts) -> list:
        g = torch.Generator().manual_seed(0)
        if mode == "fixed":
            index_batches = list(torch.randperm(len(d), generator=g).split(batch_size))
        else:
            index_batches = bucketed_batches(d.lengths, batch_size, shuffle=True, generator=g)
        out = []
        for index in index_batches:
            lengths = d.lengths[index]
            width = fixed_len if mode == "fixed" else int(lengths.max())
            ids = torch.zeros((len(index), width), dtype=torch.int64)
            ids[:, : min(width, d.ids.shape[1])] = d.ids[index, :width]
            out.append((ids.to(device), lengths, d.targets[index].float().to(device)))
        return out

    def step(ids, lengths, targets):
        if mode == "packed":
            logits = model(ids, lengths)
        else:
            out, _ = model.encoder.rnn(model.embedding(ids))
            logits = model.output(out[:, -1])
        loss = F.binary_cross_entropy_with_logits(logits.squeeze(1), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_and_step(optimizer, params, clip)  # the trainer's clipping (folded into a fused step)

    for b in build(warm):
        step(*b)
    batches = build(data)
    sync(device)
    load = load_avg()
    start = time.perf_counter()
    for _ in range(PASSES):
        for b in batches:
            step(*b)
    sync(device)
    seconds = time.perf_counter() - start
    tokens = PASSES * sum(int(b[1].sum()) for b in batches)
    padded = PASSES * sum(b[0].numel() for b in batches)
    return {"tokens_per_s": tokens / seconds, "tokens": tokens, "seconds": round(seconds, 3),
            "batches": len(batches), "padding_per_token": round(padded / tokens - 1, 4), "load": load}


def measure_lecture(cfg: ModelConfig, data: EncodedTexts, warm: EncodedTexts, max_len: int, batch_size: int,
                    device: torch.device) -> dict:
    """The lecture's Dataset + DataLoader loop (no pinning, no packing): one epoch over
    ``data`` timed, after one over ``warm``. Items are padded to ``max_len``."""
    torch.manual_seed(0)
    model = LectureNet(cfg).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def loader(d: EncodedTexts) -> DataLoader:
        id_lists = [row[:n].tolist() for row, n in zip(d.ids, d.lengths.tolist())]  # the lecture keeps lists of ids
        return DataLoader(LectureDataset(id_lists, d.targets.tolist(), max_len), batch_size=batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(0))

    def epoch(dl: DataLoader) -> tuple[int, int]:
        tokens = padded = 0
        for x, y, n in dl:
            x, y = x.to(device), y.to(device)
            logits = model(x).squeeze(1)
            loss = F.binary_cross_entropy_with_logits(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            tokens += int(n.sum())
            padded += x.numel()
        return tokens, padded

    epoch(loader(warm))
    dl = loader(data)
    sync(device)
    load = load_avg()
    start = time.perf_counter()
    tokens = padded = 0
    for _ in range(PASSES):
        t, p = epoch(dl)
        tokens, padded = tokens + t, padded + p
    sync(device)
    seconds = time.perf_counter() - start
    return {"tokens_per_s": tokens / seconds, "tokens": tokens, "seconds": round(seconds, 3), "batches": len(dl),
            "padding_per_token": round(padded / tokens - 1, 4), "load": load}


def measure_trainer(cfg: ModelConfig, data: EncodedTexts, warm: EncodedTexts, val: EncodedTexts, batch_size: int,
                    device: torch.device, clip: float = TrainConfig.clip_grad_norm) -> dict:
    """One epoch of the Trainer over ``data`` (after a warm-up epoch over ``warm``), timed by a
    StepTimer callback, so the validation pass after the epoch is not counted. ``clip``: the
    gradient-norm clipping (textrnn's default 1.0; 0 = off, a diagnosis row)."""
    config = TrainConfig(epochs=PASSES, batch_size=batch_size, lr=1e-3, patience=0, seed=0, clip_grad_norm=clip)

    def train(d: EncodedTexts) -> StepTimer:
        torch.manual_seed(0)
        timer = StepTimer()
        Trainer(RecurrentClassifier(cfg), ClassificationTask(d, val, ["0", "1"], batch_size), config, device, [timer]).fit()
        return timer

    train(warm)
    load = load_avg()
    seconds = sum(e["seconds"] for e in train(data).epochs)
    tokens = PASSES * data.n_tokens()
    return {"tokens_per_s": tokens / seconds, "tokens": tokens, "seconds": round(seconds, 3),
            "batches": PASSES * -(-len(data) // batch_size), "load": load}


# --- prediction ----------------------------------------------------------------------------


def measure_prediction(args, device: torch.device, emit: Emitter, config_name: str) -> None:
    """Batch texts/s and single-text p50/p99 latency of a model loaded once with ``textrnn.load``."""
    import textrnn
    from textrnn.config import VocabConfig
    from textrnn.inference.classifier import ClassifierPredictor
    from textrnn.tasks.classify import predict_logits
    from textrnn.training.classifier import RecurrentTextClassifier

    train_texts, train_labels = read_csv(args.data / "train.csv")
    val_texts, _ = read_csv(args.data / "val.csv")
    test_texts, _ = read_csv(args.data / "test.csv")
    spec = CONFIGS[config_name]
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = args.model_dir
        if run_dir is None:  # a quickly trained model: its weights do not matter for speed
            n = 600
            clf = RecurrentTextClassifier(vocab_config=VocabConfig(max_len=spec["max_len"]),
                                          model_config=ModelConfig(**spec["model"]),
                                          train_config=TrainConfig(epochs=1, batch_size=spec["batch_size"], patience=0),
                                          device=str(device))
            clf.fit(train_texts[:n], [str(y) for y in train_labels[:n]], train_texts[n:n + 100],
                    [str(y) for y in train_labels[n:n + 100]], quiet=True)
            run_dir = Path(tmp) / "model"
            clf.save(run_dir, plots=False)
        clf = textrnn.load(run_dir, device=str(device), kind="classifier")
        base = {"device": device.type, "config": config_name if args.model_dir is None else str(args.model_dir),
                "threads": torch.get_num_threads()}

        # batch file: all of test.csv in one call (preprocessing included)
        clf.predict_proba(train_texts[:256])  # warm-up (allocations; the caches see other texts)
        sync(device)
        load = load_avg()
        start = time.perf_counter()
        clf.predict_proba(test_texts)
        sync(device)
        seconds = time.perf_counter() - start
        emit({"name": "predict_batch", **base, "texts_per_s": round(len(test_texts) / seconds, 1),
              "texts": len(test_texts), "seconds": round(seconds, 3), "load": load})

        # single texts: 300 different tweets, one call each, after 30 warm-up calls
        singles = val_texts[:300]
        for text in train_texts[1000:1030]:
            clf.predict_proba([text])
        load = load_avg()
        times, cpu = [], []
        for text in singles:
            start, cpu_start = time.perf_counter(), time.process_time()
            clf.predict_proba([text])
            sync(device)
            times.append((time.perf_counter() - start) * 1e3)
            cpu.append((time.process_time() - cpu_start) * 1e3)
        q = statistics.quantiles(times, n=100)
        # cpu_p50_ms: CPU time of this process per call -- what the wall time would be on an idle machine
        emit({"name": "predict_single", **base, "p50_ms": round(statistics.median(times), 3), "p99_ms": round(q[98], 3),
              "mean_ms": round(statistics.fmean(times), 3), "cpu_p50_ms": round(statistics.median(cpu), 3),
              "texts": len(times), "load": load})

        if not isinstance(clf, ClassifierPredictor):  # e.g. --model-dir of a tfidf-lr baseline
            return
        # where a single call's time goes: preprocessing vs encoding + model (300 other tweets)
        prep, model_ms = [], []
        for text in val_texts[300:600]:
            t0 = time.perf_counter()
            tokens = clf.tokenize([text])
            t1 = time.perf_counter()
            predict_logits(clf.model, clf.encode(tokens), device=clf.device)
            sync(device)
            t2 = time.perf_counter()
            prep.append((t1 - t0) * 1e3)
            model_ms.append((t2 - t1) * 1e3)
        emit({"name": "predict_single_breakdown", **base,
              "preprocess_p50_ms": round(statistics.median(prep), 3), "model_p50_ms": round(statistics.median(model_ms), 3),
              "preprocess_p99_ms": round(statistics.quantiles(prep, n=100)[98], 3),
              "model_p99_ms": round(statistics.quantiles(model_ms, n=100)[98], 3), "load": load_avg()})


# --- main ----------------------------------------------------------------------------------


def encode_data(args, max_len: int):
    texts, labels = read_csv(args.data / "train.csv")
    tokens = Preprocessor().transform(texts)
    vocab = Vocab.build(tokens, WORD_SPECIALS, 30000, 1)
    # a fixed shuffled subset, the same texts for every measurement
    perm = torch.randperm(len(texts), generator=torch.Generator().manual_seed(0)).tolist()
    ids, lengths = vocab.encode_batch([tokens[i] for i in perm], max_len)
    data = EncodedTexts(ids, lengths, torch.tensor([labels[i] for i in perm], dtype=torch.int64))
    return vocab, data


def run_config(name: str, args, device: torch.device, emit: Emitter) -> None:
    spec = CONFIGS[name]
    bs, warm = spec["batch_size"], spec["warmup"]
    n_batches = args.max_batches or spec["batches"]
    vocab, data = encode_data(args, spec["max_len"])
    cfg = ModelConfig(vocab_size=len(vocab), num_outputs=1, **spec["model"])
    # the same texts for all three: n_batches * bs timed, warm * bs others for the warm-up
    timed = take(data, 0, n_batches * bs)
    warm_data = take(data, n_batches * bs, (n_batches + warm) * bs)
    val = take(data, len(data) - 64, len(data))
    fixed_len = max(timed.ids.shape[1], warm_data.ids.shape[1])  # the lecture pads every text to the longest one
    base = {"device": device.type, "config": name, "threads": torch.get_num_threads(), "batch_size": bs}

    measures = {
        "ceiling": lambda: measure_ceiling(cfg, timed, warm_data, bs, device),
        "lecture": lambda: measure_lecture(cfg, timed, warm_data, fixed_len, bs, device),
        "trainer": lambda: measure_trainer(cfg, timed, warm_data, val, bs, device),
    }
    if args.diagnose:  # where the trainer's time goes beyond the ceiling: its gradient clipping, or the rest
        measures["ceiling_with_clip"] = lambda: measure_ceiling(cfg, timed, warm_data, bs, device, clip=1.0)
        measures["trainer_without_clip"] = lambda: measure_trainer(cfg, timed, warm_data, val, bs, device, clip=0.0)
    # --rounds: all measurements in turn, that many times; each row reports its median round
    runs: dict[str, list[dict]] = {label: [] for label in measures}
    for _ in range(args.rounds):
        for label, measure in measures.items():
            runs[label].append(measure())
    rows = {label: sorted(r, key=lambda row: row["tokens_per_s"])[len(r) // 2] for label, r in runs.items()}
    ceiling, lecture = rows["ceiling"], rows["lecture"]
    for label, row in rows.items():
        emit({"name": f"{name}:{label}", **base, "tokens_per_s": round(row["tokens_per_s"], 1),
              "ratio_to_ceiling": round(row["tokens_per_s"] / ceiling["tokens_per_s"], 3),
              "ratio_to_lecture": round(row["tokens_per_s"] / lecture["tokens_per_s"], 3),
              **{k: v for k, v in row.items() if k != "tokens_per_s"},
              **({"rounds_tokens_per_s": [round(r["tokens_per_s"], 1) for r in runs[label]]} if args.rounds > 1 else {}),
              **({"fixed_len": fixed_len} if label == "lecture" else {})})


def investigate(args, device: torch.device, emit: Emitter) -> None:
    """The realistic (2 x 256 biLSTM) configuration under several CPU paths, interleaved, twice."""
    spec = CONFIGS["realistic"]
    vocab, data = encode_data(args, spec["max_len"])
    n = 4
    variants = []
    for threads in (1, 2):
        variants += [
            (f"lstm packed t{threads}", dict(cell="lstm"), "packed", 64, threads, True),
            (f"lstm padded t{threads}", dict(cell="lstm"), "padded", 64, threads, True),
            (f"gru packed t{threads}", dict(cell="gru"), "packed", 64, threads, True),
        ]
    variants += [
        ("lstm padded t1 no-onednn", dict(cell="lstm"), "padded", 64, 1, False),
        ("lstm packed t1 no-onednn", dict(cell="lstm"), "packed", 64, 1, False),
        ("gru padded t1", dict(cell="gru"), "padded", 64, 1, True),
        ("lstm fixed-pad t1", dict(cell="lstm"), "fixed", 64, 1, True),
        ("lstm packed t1 batch256", dict(cell="lstm"), "packed", 256, 1, True),
        ("lstm packed t1 mean-pool", dict(cell="lstm", pooling="mean"), "packed", 64, 1, True),
    ]
    fixed_len = int(data.lengths.max())
    if args.variants:
        variants = [v for v in variants if re.search(args.variants, v[0])]
    for rep in range(args.repeats):
        for label, over, mode, bs, threads, onednn in variants:
            torch.set_num_threads(threads)
            cfg = ModelConfig(vocab_size=len(vocab), num_outputs=1, **{**spec["model"], **over})
            nb = max(2, n * 64 // bs)
            with torch.backends.mkldnn.flags(enabled=onednn):
                row = measure_ceiling(cfg, take(data, 0, nb * bs), take(data, nb * bs, (nb + 1) * bs), bs, device,
                                      mode=mode, fixed_len=fixed_len, fused=bool(args.fused_adam))
            emit({"name": f"investigate:{label}", "device": device.type, "repeat": rep, "threads": threads,
                  "onednn": onednn, "batch_size": bs, "tokens_per_s": round(row["tokens_per_s"], 1),
                  **{k: v for k, v in row.items() if k != "tokens_per_s"}})
    torch.set_num_threads(args.threads)


def padded_ab(args, device: torch.device, emit: Emitter) -> None:
    """A unidirectional net over the padded batch or over packed sequences (both exact), for the
    lecture configuration with an LSTM and a GRU: training ceiling (real tokens/s) and batch
    prediction (``predict_logits`` over 4,096 texts, model only, texts/s), interleaved over
    ``--repeats`` rounds; the median of each."""
    from textrnn.tasks.classify import predict_logits

    spec = CONFIGS["lecture"]
    vocab, data = encode_data(args, spec["max_len"])
    bs, nb = spec["batch_size"], 8
    for cell in ("lstm", "gru"):
        cfg = ModelConfig(vocab_size=len(vocab), num_outputs=1, **{**spec["model"], "cell": cell})
        predictor = RecurrentClassifier(cfg).to(device).eval()
        texts = take(data, 0, 4096)
        figures: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            for padded in (False, True):
                path = "padded" if padded else "packed"
                row = measure_ceiling(cfg, take(data, 0, nb * bs), take(data, nb * bs, (nb + 1) * bs), bs, device,
                                      runs_padded=padded)
                figures.setdefault(f"train_{path}_tokens_per_s", []).append(row["tokens_per_s"])
                predictor.encoder.runs_padded = lambda device, padded=padded: padded
                predict_logits(predictor, texts, device=device)  # warm-up
                sync(device)
                start = time.perf_counter()
                for _ in range(PASSES):
                    predict_logits(predictor, texts, device=device)
                sync(device)
                figures.setdefault(f"predict_{path}_texts_per_s", []).append(PASSES * len(texts) / (time.perf_counter() - start))
        emit({"name": f"lecture_{cell}:padded_ab", "device": device.type, "cell": cell,
              **{k: round(statistics.median(v), 1) for k, v in figures.items()}, "load": load_avg()})


def clip_ab(args, device: torch.device, emit: Emitter) -> None:
    """Milliseconds per training step with no clipping, ``clip_grad_norm_`` + ``step()``, and
    :func:`textrnn.training.optim.clip_and_step` (clipping folded into the fused Adam kernel), interleaved
    over ``--repeats`` rounds on the same batches (the first ``batches`` of each config)."""
    for name in [c.strip() for c in args.configs.split(",") if c.strip()]:
        spec = CONFIGS[name]
        vocab, data = encode_data(args, spec["max_len"])
        bs, n = spec["batch_size"], 8
        torch.manual_seed(0)
        model = RecurrentClassifier(ModelConfig(vocab_size=len(vocab), num_outputs=1, **spec["model"])).to(device).train()
        params = list(model.parameters())
        optimizer = torch.optim.Adam(params, lr=1e-3, fused=device.type in ("cpu", "cuda"))
        batches = [(data.ids[index, : int(data.lengths[index].max())].to(device), data.lengths[index],
                    data.targets[index].float().to(device))
                   for index in bucketed_batches(data.lengths, bs, shuffle=True, generator=torch.Generator().manual_seed(0))[:n]]

        def step(mode: str, ids, lengths, targets) -> None:
            loss = F.binary_cross_entropy_with_logits(model(ids, lengths).squeeze(1), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if mode == "clip_grad_norm_":
                nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
            else:
                clip_and_step(optimizer, params, 1.0 if mode == "folded" else 0.0)

        modes = ["no_clip", "clip_grad_norm_", "folded"]
        times: dict[str, list[float]] = {m: [] for m in modes}
        for m in modes:  # warm-up
            step(m, *batches[0])
        for _ in range(args.repeats):
            for m in modes:
                sync(device)
                start = time.perf_counter()
                for b in batches * PASSES:
                    step(m, *b)
                sync(device)
                times[m].append((time.perf_counter() - start) * 1e3 / (len(batches) * PASSES))
        row = {m: round(statistics.median(v), 3) for m, v in times.items()}
        emit({"name": f"{name}:clip_ab", "device": device.type, "config": name, "batch_size": bs,
              "ms_per_step": row, "rounds_ms_per_step": times, "load": load_avg()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=1,
                        help="intra-op CPU threads (default 1: fastest on a shared 2-core machine, see RESULTS.md)")
    parser.add_argument("--json", action="store_true", help="JSON lines only (no table on stderr)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with train/val/test.csv (text,label)")
    parser.add_argument("--configs", default="lecture,realistic", help="comma-separated: lecture, realistic")
    parser.add_argument("--max-batches", type=int, default=None, help="timed batches per measurement (default per config)")
    parser.add_argument("--passes", type=int, default=None,
                        help="passes over the timed texts per measurement (trainer: epochs); default 1 on cpu, 10 on cuda")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run all training measurements in turn this many times; report each one's median round")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--diagnose", action="store_true",
                        help="also time the ceiling with gradient clipping and the trainer without it")
    parser.add_argument("--skip-predict", action="store_true")
    parser.add_argument("--predict-configs", default="lecture,realistic",
                        help="comma-separated configs whose prediction speed to measure (a quickly trained model each)")
    parser.add_argument("--model-dir", type=Path, default=None, help="time prediction with this model directory")
    parser.add_argument("--investigate", action="store_true", help="only the CPU matrix for the 2 x 256 biLSTM")
    parser.add_argument("--repeats", type=int, default=2, help="rounds of --investigate and --clip-ab")
    parser.add_argument("--padded-ab", action="store_true",
                        help="only: a unidirectional LSTM / GRU over the padded batch vs packed sequences")
    parser.add_argument("--clip-ab", action="store_true",
                        help="only: ms per step without clipping, with clip_grad_norm_, with clipping folded into Adam")
    parser.add_argument("--variants", default=None, help="--investigate: only variants whose name matches this regex")
    parser.add_argument("--fused-adam", type=int, default=0, help="--investigate: 1 = fused Adam (default 0, the for-loop Adam)")
    args = parser.parse_args(argv)

    device = torch.device(args.device)
    global PASSES
    PASSES = args.passes or (10 if device.type == "cuda" else 1)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            parser.error("--device cuda: CUDA is not available")
        torch.backends.cudnn.benchmark = True
    torch.set_num_threads(args.threads)
    emit = Emitter(args.json)
    emit({"name": "environment", "device": device.type, "torch": torch.__version__, "threads": torch.get_num_threads(),
          "passes": PASSES,
          "cpus": os.cpu_count(), "load": load_avg(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
          "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
          "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    if args.investigate:
        investigate(args, device, emit)
        return 0
    if args.clip_ab:
        clip_ab(args, device, emit)
        return 0
    if args.padded_ab:
        padded_ab(args, device, emit)
        return 0
    if not args.skip_train:
        for name in [c.strip() for c in args.configs.split(",") if c.strip()]:
            if name not in CONFIGS:
                parser.error(f"unknown config {name!r}; expected some of {sorted(CONFIGS)}")
            run_config(name, args, device, emit)
    if not args.skip_predict:
        names = [c.strip() for c in args.predict_configs.split(",") if c.strip()]
        for name in names if args.model_dir is None else names[:1]:
            if name not in CONFIGS:
                parser.error(f"unknown config {name!r}; expected some of {sorted(CONFIGS)}")
            measure_prediction(args, device, emit, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
