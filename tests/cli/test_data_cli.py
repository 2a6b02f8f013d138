"""`textrnn data inflection`: the files, their lines, the refusal to overwrite, --force and --json."""

import json

from tests.conftest import run_cli

SMALL = ["--train", "120", "--val", "30", "--test", "30"]


def read_lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_inflection_writes_the_splits(capsys, tmp_path):
    out = tmp_path / "infl"
    code, stdout, err = run_cli(capsys, "data", "inflection", "--out", out, *SMALL, "--seed", "3")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "distribution.json", "test.tsv", "train.tsv", "val.tsv"]
    dist = json.loads((out / "distribution.json").read_text(encoding="utf-8"))
    assert dist["seed"] == 3 and dist["sizes"] == {"train": 120, "val": 30, "test": 30}
    for name, items in (("train", 120), ("val", 30), ("test", 30)):
        lines = read_lines(out / f"{name}.tsv")
        assert all(line.count("\t") == 1 for line in lines)
        sources = [line.split("\t")[0] for line in lines]
        assert len(set(sources)) == items == dist["splits"][name]["items"]  # one source per item
        assert len(lines) == dist["splits"][name]["lines"] >= items  # an item with alternatives: several lines
        assert all(s.split(" ")[1].startswith("<") and s.endswith(">") for s in sources)
    assert stdout.startswith(f"wrote {out}: train.tsv 120 items (") and stdout.count("\n") == 1
    lemmas = [{line.split(" ")[0] for line in read_lines(out / f"{n}.tsv")} for n in ("train", "val", "test")]
    assert not lemmas[0] & lemmas[1] and not lemmas[0] & lemmas[2] and not lemmas[1] & lemmas[2]


def test_inflection_refuses_an_existing_directory_then_force_replaces_it(capsys, tmp_path):
    out = tmp_path / "infl"
    assert run_cli(capsys, "data", "inflection", "--out", out, *SMALL)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, stdout, err = run_cli(capsys, "data", "inflection", "--out", out, *SMALL, "--seed", "1")
    assert code == 2 and stdout == ""
    assert err == f"textrnn: error: output directory {str(out)!r} already exists; pass --force to replace it\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    code, _, err = run_cli(capsys, "data", "inflection", "--out", out, *SMALL, "--seed", "1", "--force")
    assert code == 0, err
    assert json.loads((out / "distribution.json").read_text(encoding="utf-8"))["seed"] == 1
    assert (out / "train.tsv").read_bytes() != before["train.tsv"]


def test_inflection_json(capsys, tmp_path):
    code, stdout, err = run_cli(capsys, "data", "inflection", "--out", tmp_path / "j", *SMALL, "--json")
    assert code == 0, err
    result = json.loads(stdout)
    assert result["out"] == str(tmp_path / "j") and result["kind"] == "inflection_data"
    assert result["splits"]["test"]["items"] == 30 and "NOUN" in result["splits"]["train"]["pos"]


def test_inflection_bad_sizes_are_one_line_errors(capsys, tmp_path):
    code, _, err = run_cli(capsys, "data", "inflection", "--out", tmp_path / "x", "--train", "0")
    assert code == 2 and err.count("\n") == 1 and "--train" in err and "'0'" in err
    code, _, err = run_cli(capsys, "data", "inflection", "--out", tmp_path / "x", "--seed", "1.5")
    assert code == 2 and err.count("\n") == 1 and "--seed" in err
    code, _, err = run_cli(capsys, "data", "inflection", "--out", tmp_path / "x", "--train", "9000000")
    assert code == 2  # after the log line of reading the dictionary, when this is the first test to read it
    assert err.splitlines()[-1].startswith("textrnn: error: n_train + n_val + n_test = 9,002,000 items; expected at most")
    assert not (tmp_path / "x").exists()


def test_force_never_replaces_another_kind_of_directory(tmp_path, capsys):
    """A model is not replaced by a data set, nor a data set by a model, even with --force."""
    import json

    from tests.conftest import run_cli, toy_inflection, write_pairs

    data = tmp_path / "data"
    code, _, err = run_cli(capsys, "data", "inflection", "--out", data, "--train", "30", "--val", "5", "--test", "5")
    assert code == 0, err
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"kind": "seq2seq", "textrnn_version": "0.2.0"}), encoding="utf-8")
    code, _, err = run_cli(capsys, "data", "inflection", "--out", model, "--train", "30", "--val", "5", "--test", "5", "--force")
    assert code == 2 and "is a non-empty directory that is not a textrnn data set" in err
    assert sorted(p.name for p in model.iterdir()) == ["config.json"]
    sources, targets = toy_inflection(40)
    pairs = write_pairs(tmp_path / "p.tsv", sources, targets)
    code, _, err = run_cli(capsys, "seq2seq", "train", pairs, "--out", data, "--force", "--epochs", "1")
    assert code == 2 and "is a non-empty directory that is not a textrnn model" in err
    assert (data / "train.tsv").exists() and (data / "distribution.json").exists()
