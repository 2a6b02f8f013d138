"""Russian morphological inflection (lemma + tags -> word form), the SIGMORPHON 2016-2017 shared task, from pymorphy3.

Source: the OpenCorpora dictionary (opencorpora.org) as compiled for pymorphy3 (package pymorphy3-dicts-ru),
whose paradigms link lexemes (a verb's finite forms, participles, gerunds; an adjective's short and
comparative forms). A cell's tags: its part of speech, then its grammemes of an inflectional category
(:data:`ORDER`) that vary in the lexeme, in that order: стол + NOUN gent plur -> столов. Constant (a noun's
gender), lexical (aspect, Qual) and variant or style grammemes (V-oy, Infr, Arch, ...) are left out, so
forms differing only by them, or homonymous lexemes' forms, are alternatives (мамой, мамою). Forms marked
Abbr, Init, Erro, Dist are dropped; lexemes with such a normal form or a person's name (Name, Surn, Patr),
characters other than Russian letters and hyphens, one cell or one distinct form are skipped.
Sampling: a lemma's stratum is the part of speech of its largest lexeme; strata share a split's items
by the square root of their lemma counts; a lemma gives at most :data:`MAX_CELLS` cells, each a part of
speech drawn uniformly among its cells', then a cell; test, val, then train take lemmas from one seeded
shuffle, so no lemma is in two splits.
"""

from __future__ import annotations

import math
import os
import random
import re
import struct
from binascii import a2b_base64
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Iterator, NamedTuple

from textrnn.errors import TextrnnError
from textrnn.files import atomic_dir, atomic_write_text, write_json
from textrnn.logs import get_logger
from textrnn.text.morphology import get_morph

ORDER = ("nomn", "gent", "gen2", "datv", "accs", "acc2", "ablt", "loct", "loc2", "voct", "sing", "plur", "masc", "femn",
         "neut", "ms-f", "anim", "inan", "1per", "2per", "3per", "pres", "past", "futr", "indc", "impr", "incl", "excl",
         "actv", "pssv", "Cmp2", "Supr")  # case number gender animacy person tense mood involvement voice degree
RANK = {g: i for i, g in enumerate(ORDER)}
DROP_FORM = frozenset({"Abbr", "Init", "Erro", "Dist"})
SKIP_LEMMA = DROP_FORM | {"Name", "Surn", "Patr"}
MAX_CELLS = 5
FILES = ("train.tsv", "val.tsv", "test.tsv", "distribution.json", "README.md")
SPLITS, KIND = ("train", "val", "test"), "inflection_data"
WORD, AFFIX = re.compile(r"[а-яё-]*[а-яё][а-яё-]*"), re.compile(r"[а-яё-]*")
log = get_logger("textrnn.data")


class InflectionItem(NamedTuple):
    """One cell: ``lemma``, ``tags`` (POS first, e.g. ``("NOUN", "gent", "plur")``), ``forms`` (accepted answers)."""
    lemma: str
    tags: tuple[str, ...]
    forms: tuple[str, ...]


@dataclass
class InflectionData:
    """The three splits (lists of :class:`InflectionItem`), the ``seed`` and ``meta`` (source versions)."""
    train: list[InflectionItem]
    val: list[InflectionItem]
    test: list[InflectionItem]
    seed: int = 0
    meta: dict = field(default_factory=dict)

    def distribution(self) -> dict:
        """A JSON-ready dict: ``kind``, the versions of ``meta``, ``seed``, ``sizes`` and per split its
        ``items``, ``lines`` (one per accepted form), ``lemmas``, ``multi_form_items`` and ``pos`` counts."""
        splits = {}
        for name, items in zip(SPLITS, (self.train, self.val, self.test)):
            splits[name] = {"items": len(items), "lines": sum(len(it.forms) for it in items),
                            "lemmas": len({it.lemma for it in items}),
                            "multi_form_items": sum(len(it.forms) > 1 for it in items),
                            "pos": dict(Counter(it.tags[0] for it in items).most_common())}
        return {"kind": KIND, **self.meta, "seed": self.seed, "max_cells_per_lemma": MAX_CELLS,
                "sizes": {name: len(getattr(self, name)) for name in SPLITS}, "splits": splits}


@lru_cache(maxsize=None)
def _paradigm(para_id: int) -> tuple | None:
    """``(pos, normal prefix, normal suffix, {tags: ((prefix, suffix), ...)})``, or ``None`` if skipped."""
    d = get_morph().dictionary
    par, n = d.paradigms[para_id], len(d.paradigms[para_id]) // 3
    rows = [(d.paradigm_prefixes[par[2 * n + i]], d.suffixes[par[i]], d.gramtab[par[n + i]]) for i in range(n)]
    kept = [r for r in rows if not r[2].grammemes & DROP_FORM and AFFIX.fullmatch(r[0]) and AFFIX.fullmatch(r[1])]
    if rows[0][2].grammemes & SKIP_LEMMA or len({(p, s) for p, s, _ in kept}) < 2:
        return None
    grams = [t.grammemes for _, _, t in kept]
    varying = frozenset.union(*grams) - frozenset.intersection(*grams)
    table: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for prefix, suffix, tag in kept:
        tags = (str(tag.POS), *sorted((g for g in tag.grammemes if g in RANK and g in varying), key=RANK.get))
        if (prefix, suffix) not in (affixes := table.setdefault(tags, [])):
            affixes.append((prefix, suffix))
    cells_ = {k: tuple(v) for k, v in table.items()}
    return (str(rows[0][2].POS), rows[0][0], rows[0][1], cells_) if len(cells_) > 1 else None


def _eligible(word: str, para_id: int) -> bool:
    """Whether ``word`` is a normal form of paradigm ``para_id`` that is sampled (see the module docstring)."""
    info = _paradigm(para_id)
    return info is not None and WORD.fullmatch(word) is not None and word.startswith(info[1]) and word.endswith(info[2])


def _normal_forms() -> Iterator[tuple[str, int]]:
    """Every ``(normal form, paradigm id)`` of the dictionary, in its order. Listing the ~5 million keys of the
    pure-Python DAWG (DAWG-Python) takes ~30 s, so its automaton is walked instead, the short lists of normal
    forms below shared nodes memoised (~5 s, ~350 MB at most); with the C ``dawg`` extension, its own listing."""
    words = get_morph().dictionary.words
    units = getattr(getattr(words, "dct", None), "_units", None)
    guide = getattr(getattr(words, "guide", None), "_units", None)
    if units is None or guide is None:  # the C extension: fast as it is
        return ((w, p) for w, (p, i) in words.iteritems() if i == 0)
    memo: dict[int, list[tuple[bytes, int]] | tuple] = {}

    def children(index: int) -> Iterator[tuple[int, int]]:
        unit, label = units[index], guide[2 * index]
        while label:
            child = index ^ ((unit >> 10) << ((unit & 512) >> 6)) ^ label
            yield label, child
            label = guide[2 * child + 1]

    def payload(index: int, key: bytes) -> Iterator[int]:  # after b"\x01": base64 of (paradigm, form index)
        if units[index] & 256 and (value := struct.unpack(">HH", a2b_base64(key)))[1] == 0:
            yield value[0]
        for label, child in children(index):
            yield from payload(child, key + bytes((label,)))

    def below(index: int) -> list[tuple[bytes, int]] | tuple:  # memoised if short: shared endings, not the root
        if index in memo:
            return memo[index]
        out = [(b"", p) for label, child in children(index) if label == 1 for p in payload(child, b"")]
        out += [(bytes((c,)) + rest, p) for c, child in children(index) if c != 1 for rest, p in below(child)]
        if len(out) <= 64:
            memo[index] = out or ()  # most nodes lead to no normal form: one shared empty tuple
        return out

    return ((key.decode("utf-8"), para) for key, para in below(0))


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[str, int, tuple[int, ...]]]:
    """lemma -> ``(stratum, number of cells, paradigm ids)`` for every eligible lemma, in dictionary order."""
    log.info("inflection: reading the lexemes of the pymorphy3 dictionary (a few seconds)")
    paras: dict[str, list[int]] = {}
    for word, para in _normal_forms():
        if _eligible(word.lower(), para):
            paras.setdefault(word.lower(), []).append(para)
    lexicon = {}
    for lemma, ids in paras.items():
        largest = max(ids, key=lambda p: len(_paradigm(p)[3]))  # the first of the largest
        n = len(_paradigm(ids[0])[3]) if len(ids) == 1 else len(set().union(*(_paradigm(p)[3] for p in ids)))
        lexicon[lemma] = (_paradigm(largest)[0], n, tuple(ids))
    return lexicon


def _table(lemma: str, paras: tuple[int, ...]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """tags -> forms of the lexemes of ``lemma`` in paradigms ``paras``, merged (forms in dictionary order)."""
    table: dict[tuple[str, ...], list[str]] = {}
    for para in paras:
        _, prefix, suffix, cells_ = _paradigm(para)
        stem = lemma[len(prefix):len(lemma) - len(suffix)]
        for tags, affixes in cells_.items():
            forms = table.setdefault(tags, [])
            forms.extend(f for f in (p + stem + s for p, s in affixes) if f not in forms)
    return {tags: tuple(forms) for tags, forms in table.items()}


def cells(lemma: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every cell of ``lemma`` (lowercased) as :func:`build_inflection` samples them: tags -> accepted forms,
    e.g. ``cells("стол")[("NOUN", "gent", "plur")] == ("столов",)``; empty for a word that is not a normal
    form of the dictionary or whose lexemes are all skipped (see the module docstring)."""
    lemma = lemma.lower()
    found = get_morph().dictionary.words.get(lemma) or []
    paras = tuple(dict.fromkeys(p for p, i in found if i == 0 and _eligible(lemma, p)))
    return _table(lemma, paras) if paras else {}


def _pick(table: dict, k: int, rng: random.Random) -> list[tuple[str, ...]]:
    """``k`` distinct cells: each a part of speech uniformly among those left, then one of its cells."""
    by_pos = {pos: [tags for tags in table if tags[0] == pos] for pos in {tags[0] for tags in table}}
    chosen = []
    while len(chosen) < k and by_pos:
        pos = rng.choice(sorted(by_pos))
        chosen.append(by_pos[pos].pop(rng.randrange(len(by_pos[pos]))))
        if not by_pos[pos]:
            del by_pos[pos]
    return chosen


def _quotas(n: int, weights: dict[str, float]) -> dict[str, int]:
    """``n`` shared in proportion to ``weights`` (largest remainders)."""
    exact = {k: n * w / sum(weights.values()) for k, w in weights.items()}
    share = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (share[k] - exact[k], k))[:n - sum(share.values())]:
        share[k] += 1
    return share


def _fill(n: int, queues: dict, weights: dict, lexicon: dict, rng: random.Random) -> list[InflectionItem]:
    items: list[InflectionItem] = []
    while len(items) < n:
        live = {k: w for k, w in weights.items() if queues[k]}
        if not live:
            raise TextrnnError(f"{n:,} items for one split; expected fewer: the dictionary ran out of lemmas")
        for stratum, quota in _quotas(n - len(items), live).items():
            while quota > 0 and queues[stratum]:
                lemma = queues[stratum].pop()
                table = _table(lemma, lexicon[lemma][2])
                picked = _pick(table, min(MAX_CELLS, quota), rng)
                items.extend(InflectionItem(lemma, tags, table[tags]) for tags in picked)
                quota -= len(picked)
    rng.shuffle(items)
    return items


def build_inflection(n_train: int = 10000, n_val: int = 1000, n_test: int = 1000, seed: int = 0) -> InflectionData:
    """Sample ``n_train``/``n_val``/``n_test`` items (cells, each with its accepted forms), the same for a ``seed``
    (the rules: see the module docstring); ~6 s the first time in a process. Returns an :class:`InflectionData`
    whose splits share no lemma. Raises :class:`TextrnnError`: a size not an integer >= 1, a ``seed`` not an
    integer, sizes adding up to more items than the dictionary supplies at :data:`MAX_CELLS` cells a lemma.
    """
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TextrnnError(f"{name} {value!r} is a {type(value).__name__}; expected an integer")
        if value < 1 and name != "seed":
            raise TextrnnError(f"{name} {value!r}: expected an integer >= 1 (a number of items)")
    lexicon = _lexicon()
    capacity, total = sum(min(MAX_CELLS, n) for _, n, _ in lexicon.values()), n_train + n_val + n_test
    if total > capacity:
        raise TextrnnError(f"n_train + n_val + n_test = {total:,} items; expected at most the {capacity:,} the "
                           f"dictionary supplies ({MAX_CELLS} cells per lemma, {len(lexicon):,} lemmas)")
    rng = random.Random(seed)
    strata = {k: [w for w, v in lexicon.items() if v[0] == k] for k in sorted({v[0] for v in lexicon.values()})}
    queues = {k: rng.sample(lemmas, len(lemmas)) for k, lemmas in strata.items()}  # shuffled
    weights = {k: math.sqrt(len(q)) for k, q in queues.items()}
    parts = {name: _fill(n, queues, weights, lexicon, rng) for name, n in zip(SPLITS[::-1], (n_test, n_val, n_train))}
    from textrnn import __version__
    meta = get_morph().dictionary.meta
    meta = {"textrnn_version": __version__, "source": "OpenCorpora dictionary via pymorphy3 (pymorphy3-dicts-ru)",
            "pymorphy3_version": version("pymorphy3"), "dictionary_version": version("pymorphy3-dicts-ru"),
            "dictionary_revision": meta.get("source_revision"), "dictionary_compiled_at": meta.get("compiled_at")}
    return InflectionData(parts["train"], parts["val"], parts["test"], seed, meta)


def source_text(lemma: str, tags: tuple[str, ...] | list[str]) -> str:
    """The model's source: ``source_text("стол", ("NOUN", "gent", "plur")) == "стол <NOUN> <gent> <plur>"``.
    Raises :class:`TextrnnError`: an empty lemma or one with whitespace; no tags, or one with whitespace or ``<>``."""
    if not isinstance(lemma, str) or not re.fullmatch(r"\S+", lemma):
        raise TextrnnError(f"lemma {lemma!r}: expected a non-empty word without whitespace")
    if not tags or not all(isinstance(t, str) and re.fullmatch(r"[^<>\s]+", t) for t in tags):
        raise TextrnnError(f"tags {tags!r}: expected one or more names without whitespace or angle brackets")
    return " ".join([lemma, *(f"<{t}>" for t in tags)])


def _readme(d: dict) -> str:
    rows = "".join(f"| {name} | {s['items']:,} | {s['lines']:,} | {s['lemmas']:,} | {s['multi_form_items']:,} | "
                   + ", ".join(f"{p} {c}" for p, c in s["pos"].items()) + " |\n" for name, s in d["splits"].items())
    return """# Russian morphological inflection: lemma + tags -> form (SIGMORPHON 2016-2017)

By `textrnn data inflection` (textrnn {textrnn_version}, seed {seed}) from the OpenCorpora dictionary of
pymorphy3-dicts-ru {dictionary_version}, pymorphy3 {pymorphy3_version}. `train.tsv`, `val.tsv`, `test.tsv` hold
`source<TAB>form` lines (`стол <NOUN> <gent> <plur>`, tab, `столов`): the lemma, `<...>` tags: part of speech, then
the case, number, gender, animacy, person, tense, mood, involvement, voice, degree that vary in the lexeme. Lines
with one source are alternatives (мамой, мамою). Strata: the lemma's part of speech, weighted by the square root
of its size; {max_cells_per_lemma} cells a lemma at most; no lemma in two splits; no names, abbreviations, misspellings.

| split | items | lines | lemmas | items with alternatives | parts of speech |
|---|---|---|---|---|---|
{rows}""".format(rows=rows, **d)


def write_inflection(data: InflectionData, out_dir: str | os.PathLike, force: bool = False) -> Path:
    """Write ``train.tsv``, ``val.tsv``, ``test.tsv`` (``source<TAB>form``, a line per accepted form: lines with one
    source are alternatives), ``distribution.json`` and ``README.md`` into a temporary directory renamed onto
    ``out_dir``; ``force`` replaces what :func:`~textrnn.files.check_out_dir` allows (a data set written before).

    Returns the path of ``out_dir``. Raises :class:`TextrnnError`: see :func:`textrnn.files.check_out_dir`.
    """
    dist = data.distribution()
    with atomic_dir(out_dir, force=force, marker="distribution.json") as tmp:
        for name in SPLITS:
            lines = [f"{source_text(it.lemma, it.tags)}\t{form}\n" for it in getattr(data, name) for form in it.forms]
            atomic_write_text(tmp / f"{name}.tsv", "".join(lines))
        write_json(tmp / "distribution.json", dist)
        atomic_write_text(tmp / "README.md", _readme(dist))
    path = Path(out_dir)
    return path
