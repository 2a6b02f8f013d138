"""Preprocessing speed: textrnn's lemmatising pipeline against the lecture's loop, same process.

    python benchmarks/preprocess.py [--data ../shared/data] [--only cold,warm,workers]

* cold    — a fresh ``Preprocessor(lemmatize=True)`` (per-process caches emptied), one pass over
            rutweetcorp_sample/train.csv; also the bound "parse each distinct word form once";
* warm    — a second pass on the same instance;
* workers — ``workers=2`` against ``workers=1``, each cold, over all Russian texts in the data
            folder (tweets, SentiRuEval, Taiga, FactRuEval, Tolstoy and Dostoevsky in sentences).

Words per second count the whitespace-separated words of the raw texts. The reference is the
lecture's loop with pymorphy3 in this environment::

    " ".join(morph.parse(w)[0].normal_form for w in txt.split() if w not in stop_words)
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import resource
import sys
import time
from pathlib import Path

from stop_words import get_stop_words

from textrnn import text as pp
from textrnn.text import Preprocessor
from textrnn.text.patterns import CYRILLIC_RE

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


def read_texts(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)]


def sentences(path: Path) -> list[str]:
    out = []
    for para in path.read_text(encoding="utf-8").splitlines():
        out.extend(s for s in re.split(r"(?<=[.!?…])\s+", para.strip()) if s)
    return out


def all_russian_texts(data: Path) -> list[str]:
    texts: list[str] = []
    for name in ("rutweetcorp_sample", "sentirueval2015_banks", "sentirueval2015_telecom"):
        for csv_path in sorted((data / name).glob("*.csv")):
            texts += read_texts(csv_path)
    for conllu in sorted((data / "ud_russian_taiga").glob("*.conllu")):
        texts += [line[len("# text = "):] for line in conllu.read_text(encoding="utf-8").splitlines()
                  if line.startswith("# text = ")]
    for tsv in sorted((data / "factrueval2016_ner").glob("*.tsv")):
        for block in tsv.read_text(encoding="utf-8").split("\n\n"):
            words = [line.split("\t")[0] for line in block.splitlines() if line.strip()]
            if words:
                texts.append(" ".join(words))
    texts += sentences(data / "ru_tolstoy_anna_karenina" / "input.txt")
    texts += sentences(data / "ru_dostoevsky_crime_and_punishment" / "input.txt")
    return texts


def lecture_loop(texts: list[str], morph, stop_words: set[str]) -> list[str]:
    return [" ".join(morph.parse(w)[0].normal_form for w in txt.split() if w not in stop_words) for txt in texts]


CPU: dict[int, float] = {}


def timed(fn, *args, **kwargs):
    """(result, wall seconds); the CPU seconds of this process go to CPU[id(result)]."""
    cpu = time.process_time()
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    wall = time.perf_counter() - start
    CPU[id(result)] = time.process_time() - cpu
    return result, wall


def line(label: str, product: float, reference: float, target: float, cpu: tuple[float, float] | None = None) -> str:
    ratio = product / reference
    verdict = "ok" if ratio >= target else "BELOW TARGET"
    text = (f"{label:8s} textrnn {product:>10,.0f} words/s | lecture loop {reference:>9,.0f} words/s | "
            f"ratio {ratio:5.2f}x (target >= {target:g}x: {verdict})")
    if cpu is not None:  # the same from CPU time, which other processes on the machine disturb less
        text += f" | by CPU time: {cpu[0]:,.0f} vs {cpu[1]:,.0f} words/s = {cpu[0] / cpu[1]:.2f}x"
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--only", default="cold,warm,workers", help="comma-separated: cold, warm, workers")
    args = ap.parse_args()
    parts = set(args.only.split(","))

    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, pymorphy3 C dawg extension: "
          f"{pp.dawg_extension_available()}")
    morph = pp.get_morph()
    for w in ("разогрев", "словаря", "анализатора"):  # first parses touch lazily loaded data
        morph.parse(w)
    stop_words = set(get_stop_words("russian"))

    if parts & {"cold", "warm"}:
        texts = read_texts(args.data / "rutweetcorp_sample" / "train.csv")
        n_words = sum(len(t.split()) for t in texts)
        print(f"rutweetcorp_sample/train.csv: {len(texts):,} texts, {n_words:,} whitespace words")

        pp.clear_caches()
        pre = Preprocessor(lemmatize=True)
        cold_tokens, cold_s = timed(pre.transform, texts)
        warm_tokens, warm_s = timed(pre.transform, texts)
        assert warm_tokens == cold_tokens
        cold_cpu, warm_cpu = CPU[id(cold_tokens)], CPU[id(warm_tokens)]
        ref_out, ref_s = timed(lecture_loop, texts, morph, stop_words)
        ref_cpu = CPU[id(ref_out)]
        ref_wps = n_words / ref_s
        print(f"lecture loop: {ref_s:.2f} s (CPU {ref_cpu:.2f} s)")
        if "cold" in parts:
            print(f"textrnn cold: {cold_s:.2f} s (CPU {cold_cpu:.2f} s)")
            print(line("cold", n_words / cold_s, ref_wps, 4, (n_words / cold_cpu, n_words / ref_cpu)))
            # The bound: parse every distinct (cleaned, Cyrillic) word form once, nothing else.
            forms = sorted({t for toks in Preprocessor().transform(texts) for t in toks
                            if CYRILLIC_RE.search(t)})
            bound_out, bound_s = timed(lambda: [morph.parse(w)[0].normal_form for w in forms])
            bound_cpu = CPU[id(bound_out)]
            print(f"bound: {len(forms):,} distinct word forms parsed once = {bound_s:.2f} s, CPU {bound_cpu:.2f} s "
                  f"({bound_cpu / len(forms) * 1e6:.0f} us/form) -> at most {ref_s / bound_s:.2f}x "
                  f"(by CPU {ref_cpu / bound_cpu:.2f}x) the lecture loop; cold pass = {cold_s / bound_s:.2f}x "
                  f"the bound (by CPU {cold_cpu / bound_cpu:.2f}x)")
        if "warm" in parts:
            print(f"textrnn warm: {warm_s:.3f} s (CPU {warm_cpu:.3f} s)")
            print(line("warm", n_words / warm_s, ref_wps, 25, (n_words / warm_cpu, n_words / ref_cpu)))

    if "workers" in parts:
        big = all_russian_texts(args.data)
        n_words = sum(len(t.split()) for t in big)
        print(f"all Russian texts: {len(big):,} texts, {n_words:,} whitespace words")
        pp.clear_caches()
        cpu0 = time.process_time()
        one, one_s = timed(Preprocessor(lemmatize=True).transform, big, workers=1)
        one_cpu = time.process_time() - cpu0
        pp.clear_caches()
        cpu0, kids0 = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
        two, two_s = timed(Preprocessor(lemmatize=True).transform, big, workers=2)
        kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        parent_cpu = time.process_time() - cpu0
        kids_cpu = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
        assert one == two, "workers=2 differs from workers=1"
        speedup = one_s / two_s
        print(f"workers=1 {one_s:.2f} s ({n_words / one_s:,.0f} words/s), "
              f"workers=2 {two_s:.2f} s ({n_words / two_s:,.0f} words/s): "
              f"speed-up {speedup:.2f}x (target >= 1.6x: {'ok' if speedup >= 1.6 else 'BELOW TARGET'})")
        # On a shared machine the wall clock depends on other processes; CPU time does not.
        # With two free cores the 2-worker run takes about parent CPU + workers' CPU / 2.
        est = one_cpu / (parent_cpu + kids_cpu / 2)
        print(f"CPU time: workers=1 {one_cpu:.2f} s; workers=2 parent {parent_cpu:.2f} s + workers {kids_cpu:.2f} s "
              f"-> with 2 free cores about {parent_cpu + kids_cpu / 2:.2f} s, speed-up about {est:.2f}x")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
