"""Seq2seq on Russian inflection: exact match of attention vs none, beam vs greedy (mean of seeds), and decoding speed.

    python benchmarks/seq2seq.py accuracy [--data DIR] [--seeds 0,1,2] [--variants additive,none] [--json]
    python benchmarks/seq2seq.py speed --run RUN_DIR [--data DIR] [--threads 1]

DIR holds train.tsv / val.tsv / test.tsv from ``textrnn data inflection --out DIR`` (made there
with the defaults when missing).

* accuracy — trains each variant (the default model; ``none`` = the same sizes with a fixed
  context instead of attention, the reference) with every seed, and scores the test lemmas with
  greedy decoding and beam 5: each seed, the mean, the standard deviation, the training time,
  and the gains of attention over none and of beam over greedy, all from the same run.
* speed — decoding throughput (words per second, test sources) of batched greedy and batched
  beam 5 against one source at a time (the unbatched reference), best of rounds, one CPU thread
  by default; the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path("runs/inflection-data")


def ensure_data(data: Path) -> None:
    if not (data / "train.tsv").exists():
        from textrnn.data.inflection import build_inflection, write_inflection

        write_inflection(build_inflection(), data)
        print(f"# wrote the default inflection data to {data}", flush=True)


def read(data: Path, split: str):
    from textrnn.data.pairs import read_pairs

    return read_pairs(data / f"{split}.tsv")


def accuracy(args) -> dict:
    from textrnn.config import Seq2SeqConfig, Seq2SeqTrainConfig
    from textrnn.training.seq2seq import Seq2Seq

    train, val, test = (read(args.data, s) for s in ("train", "val", "test"))
    seeds = [int(s) for s in args.seeds.split(",")]
    out: dict = {}
    for variant in args.variants.split(","):
        rows = []
        for seed in seeds:
            start = time.perf_counter()
            s2s = Seq2Seq(Seq2SeqConfig(attention=variant), Seq2SeqTrainConfig(seed=seed, threads=args.threads), device="cpu")
            s2s.fit(train.sources, train.targets, val.sources, val.targets, quiet=True)
            seconds = time.perf_counter() - start
            greedy = s2s.evaluate(test.sources, test.targets, beam=1)
            beam = s2s.evaluate(test.sources, test.targets, beam=5)
            row = {"seed": seed, "greedy": greedy["accuracy"], "beam5": beam["accuracy"], "cer_beam5": beam["cer"],
                   "train_seconds": round(seconds, 1), "best_epoch": s2s.summary_["best_epoch"],
                   "epochs_run": s2s.summary_["epochs_run"]}
            rows.append(row)
            if args.save and seed == seeds[0]:
                s2s.save(Path(args.save) / variant, force=True)
            print(f"{variant:<9} seed {seed}  exact greedy {row['greedy']:.4f}  beam5 {row['beam5']:.4f}  CER "
                  f"{row['cer_beam5']:.4f}  train {seconds:.0f}s  best epoch {row['best_epoch']}/{row['epochs_run']}",
                  flush=True)
        keys = ("greedy", "beam5", "cer_beam5", "train_seconds")
        mean = {k: statistics.mean(r[k] for r in rows) for k in keys}
        sd = {k: statistics.stdev(r[k] for r in rows) if len(rows) > 1 else 0.0 for k in keys}
        out[variant] = {"seeds": rows, "mean": mean, "sd": sd}
        print(f"{variant:<9} mean    exact greedy {mean['greedy']:.4f}±{sd['greedy']:.4f}  beam5 "
              f"{mean['beam5']:.4f}±{sd['beam5']:.4f}  beam-greedy {mean['beam5'] - mean['greedy']:+.4f}  train "
              f"{mean['train_seconds']:.0f}s", flush=True)
    if "none" in out and len(out) > 1:
        ref = out["none"]["mean"]["beam5"]
        for variant, r in out.items():
            if variant != "none":
                gain = r["mean"]["beam5"] - ref
                print(f"attention {variant} over none (beam 5): {r['mean']['beam5']:.4f} vs {ref:.4f} = {gain:+.4f} "
                      f"({r['mean']['beam5'] / ref:.2f}x)", flush=True)
    return out


def speed(args) -> dict:
    import torch

    from textrnn import load

    torch.set_num_threads(args.threads)
    model = load(args.run, device="cpu")
    sources = list(dict.fromkeys(read(args.data, "test").sources))
    n = len(sources)
    few = sources[: args.unbatched]

    def rate(texts, **kw) -> float:
        best = float("inf")
        for _ in range(args.rounds):
            start = time.perf_counter()
            model.translate(texts, **kw)
            best = min(best, time.perf_counter() - start)
        return len(texts) / best

    model.translate(sources[:64])  # warm
    out = {"sources": n, "threads": args.threads}
    for name, beam in (("greedy", 1), ("beam5", 5)):
        batched = rate(sources, beam=beam, batch_size=128)
        single_best = float("inf")
        for _ in range(args.rounds):
            start = time.perf_counter()
            for t in few:
                model.translate([t], beam=beam)
            single_best = min(single_best, time.perf_counter() - start)
        single = len(few) / single_best
        out[name] = {"batched_words_per_s": batched, "unbatched_words_per_s": single, "ratio": batched / single}
        print(f"{name:<6} batched {batched:,.0f} words/s  one at a time {single:,.0f} words/s  ratio "
              f"{batched / single:.1f}x  ({n} test sources, {args.threads} thread(s))", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["accuracy", "speed"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--variants", default="additive,none")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--run", help="speed: a trained run directory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--unbatched", type=int, default=200, help="speed: sources decoded one at a time")
    parser.add_argument("--save", help="accuracy: save each variant's first-seed model under this folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.mode == "speed" and args.threads is None:
        args.threads = 1
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    ensure_data(args.data)
    result = accuracy(args) if args.mode == "accuracy" else speed(args)
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
