"""``textrnn data inflection``: make data sets from textrnn's resources (a Russian inflection set from pymorphy3)."""

from __future__ import annotations

import inspect
import json
import time
from pathlib import Path

import typer

from textrnn.cli.options import FORCE
from textrnn.data.inflection import build_inflection, write_inflection
from textrnn.files import check_out_dir

data_app = typer.Typer(
    help="Make data sets: inflection (Russian lemma + tags -> form, from the pymorphy3 dictionary).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_DEFAULTS = {name: p.default for name, p in inspect.signature(build_inflection).parameters.items()}


@data_app.command("inflection")
def inflection_command(
    out: Path = typer.Option(..., "--out", help="Directory to create: train.tsv, val.tsv, test.tsv, distribution.json, README.md."),
    n_train: int = typer.Option(_DEFAULTS["n_train"], "--train", min=1,
                                help="Training items: lemma + tags cells (a cell with several accepted forms is several lines)."),
    n_val: int = typer.Option(_DEFAULTS["n_val"], "--val", min=1, help="Validation items (cells)."),
    n_test: int = typer.Option(_DEFAULTS["n_test"], "--test", min=1, help="Test items (cells)."),
    seed: int = typer.Option(_DEFAULTS["seed"], "--seed", help="Seed of the sampling and the split: one seed, the same files."),
    force: bool = FORCE,
    as_json: bool = typer.Option(False, "--json", help="Print the distribution (counts per split, versions) as one JSON object."),
) -> None:
    """Make a Russian morphological inflection data set (lemma + tags -> form, the SIGMORPHON 2016-2017 task)
    from the OpenCorpora dictionary of pymorphy3: source<TAB>form lines, split by lemma. Takes a few seconds.

    \b
    textrnn data inflection --out data/inflection [--train 10000 --val 1000 --test 1000 --seed 0]
    стол <NOUN> <gent> <plur>	столов
    """
    check_out_dir(out, force, "distribution.json")  # fail before any work
    start = time.perf_counter()
    data = build_inflection(n_train, n_val, n_test, seed)
    write_inflection(data, out, force=force)
    dist = data.distribution()
    if as_json:
        print(json.dumps({"out": str(out), **dist}, ensure_ascii=False))
        return
    splits = ", ".join(f"{name}.tsv {s['items']:,} items ({s['lines']:,} lines, {s['lemmas']:,} lemmas)"
                       for name, s in dist["splits"].items())
    print(f"wrote {out}: {splits}; seed {seed} ({time.perf_counter() - start:.1f}s)")
