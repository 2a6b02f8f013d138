"""Shared fixtures: tiny CSV files and the location of ../shared/data."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run ``textrnn ARGS`` in-process through the console entry point: (exit code, stdout, stderr)."""
    from textrnn.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, rows: list[tuple], header: tuple = ("text", "label")) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _cache_dir_per_test(tmp_path_factory, monkeypatch):
    """Keep the on-disk preprocessing cache out of the user's home."""
    monkeypatch.setenv("TEXTRNN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def demo_rows() -> list[tuple[str, str]]:
    ref = resources.files("textrnn") / "data" / "demo_ru_sentiment.csv"
    with resources.as_file(ref) as path, open(path, encoding="utf-8", newline="") as f:
        return [(r["text"], r["label"]) for r in csv.DictReader(f)]


@pytest.fixture()
def tiny_csvs(tmp_path, demo_rows) -> tuple[Path, Path]:
    """A train CSV (120 demo rows) and a validation CSV (40 other rows)."""
    train = write_csv(tmp_path / "train.csv", demo_rows[:120])
    val = write_csv(tmp_path / "val.csv", demo_rows[120:160])
    return train, val


def shared_data(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path
