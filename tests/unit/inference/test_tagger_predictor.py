"""The tagger's Predictor: raw text with offsets and entity spans, probabilities, the run directory round trip."""

import json
import subprocess
import sys

import pytest

from tests.conftest import tiny_tagger
from textrnn import load
from textrnn.errors import TextrnnError
from textrnn.inference.tagger import TaggerPredictor, tokenize_text


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return tiny_tagger(crf=True).save(tmp_path_factory.mktemp("tagger") / "run", plots=False)


@pytest.fixture(scope="module")
def tagger(run_dir):
    return load(run_dir, device="cpu")


def test_tokenize_text_offsets():
    text = "Лев Толстой родился в Ясной Поляне. Он писал."
    sentences = tokenize_text(text)
    assert [[t for t, _, _ in s] for s in sentences] == [
        ["Лев", "Толстой", "родился", "в", "Ясной", "Поляне", "."], ["Он", "писал", "."]]
    for s in sentences:
        for token, start, end in s:
            assert text[start:end] == token


def test_load_gives_a_tagger_predictor(tagger, run_dir):
    assert isinstance(tagger, TaggerPredictor)
    config = json.loads((run_dir / "config.json").read_text())
    assert config["kind"] == "tagger" and config["model"]["crf"] is True
    assert sorted(p.name for p in run_dir.iterdir()) == ["chars.json", "config.json", "history.csv", "metrics.json",
                                                          "model.safetensors", "tags.json", "vocab.json"]


# (text, entities as (type, text, start, end))
GOLDEN = [
    ("Вера Смирнова живёт в Перми.", [("PER", "Вера Смирнова", 0, 13), ("LOC", "Перми", 22, 27)]),
    ("Вчера Орлов приехал в Казани", [("PER", "Орлов", 6, 11), ("LOC", "Казани", 22, 28)]),
    ("Анна Петрова живёт в Москве. Вчера Иванов приехал в Твери",
     [("PER", "Анна Петрова", 0, 12), ("LOC", "Москве", 21, 27), ("PER", "Иванов", 35, 41), ("LOC", "Твери", 52, 57)]),
]


@pytest.mark.parametrize("text, entities", GOLDEN)
def test_predict_text_entities_and_offsets(tagger, text, entities):
    (result,) = tagger.predict_text([text])
    assert [(e["type"], e["text"], e["start"], e["end"]) for e in result["entities"]] == entities
    for token in result["tokens"]:
        assert text[token["start"]:token["end"]] == token["text"]


def test_probabilities_are_the_chosen_tags_marginals(tagger):
    tags, probs = tagger.predict([["Вера", "Смирнова", "живёт", "в", "Перми"]], probs=True)
    assert len(probs[0]) == 5 and all(0.5 < p <= 1.0 + 1e-6 for p in probs[0])
    (result,) = tagger.predict_text(["Вера живёт в Перми"], probs=True)
    assert all("prob" in t for t in result["tokens"])


def test_batching_never_changes_a_prediction(tagger):
    sentences = [["Вера", "Смирнова", "живёт", "в", "Перми", "."], ["в", "Казани", "тепло"], ["Орлов"]] * 3
    one_by_one = [tagger.predict([s], batch_size=1)[0] for s in sentences]
    assert tagger.predict(sentences, batch_size=4) == one_by_one
    assert tagger.predict(sentences, batch_size=128) == one_by_one


def test_prediction_and_probabilities_survive_the_round_trip(run_dir, tagger, tmp_path):
    again = TaggerPredictor.load(run_dir, json.loads((run_dir / "config.json").read_text()), device="cpu")
    sentence = [["Глеб", "Орлов", "живёт", "в", "Самаре"]]
    assert again.predict(sentence, probs=True) == tagger.predict(sentence, probs=True)


@pytest.mark.parametrize("call, message", [
    (lambda t: t.predict("Вера живёт"), r"expected sentences as a list of token lists, got str"),
    (lambda t: t.predict([["Вера"]], batch_size=0), r"batch_size must be an integer >= 1, got 0"),
    (lambda t: t.predict_text("Вера живёт"), r"expected a list of texts, got a single string"),
    (lambda t: t.evaluate([["a"]], []), r"1 sentences but 0 tag lists"),
])
def test_misuse(tagger, call, message):
    with pytest.raises(TextrnnError, match=message):
        call(tagger)


@pytest.mark.parametrize("name, content, message", [
    ("tags.json", '{"tags": "O"}', r"tags.json is damaged"),
    ("tags.json", '{"tags": ["O", "B-PER"]}', r"tags.json has 2 tags but the model has 4"),
    ("chars.json", '{"specials": ["<pad>", "<unk>"], "tokens": ["a"], "counts": null}', r"chars.json has 3 entries"),
    ("chars.json", '{"specials": ["<pad>", "<unk>"], "tokens": ["ab"], "counts": null}', r"chars.json is damaged: an entry"),
    ("chars.json", '{"tokens": ["a"]}', r"chars.json is damaged"),
    ("tags.json", '{"tags": ["O", "O", "B-PER", "I-PER"]}', r"tags.json is damaged: .*repeats a token"),
    ("tags.json", '{"tags": ["X-0", "X-1", "X-2", "X-3"]}', r"tags.json is damaged: a bio model's tags must be"),
])
def test_damaged_files_are_one_line_errors(run_dir, tmp_path, name, content, message):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (copy / name).write_text(content, encoding="utf-8")
    with pytest.raises(TextrnnError, match=message):
        load(copy, device="cpu")


def test_prediction_never_imports_training(run_dir):
    code = ("import sys, textrnn; p = textrnn.load(sys.argv[1], device='cpu'); p.predict_text(['Вера живёт в Перми']); "
            "print(sorted(m for m in sys.modules if m.startswith('textrnn.training')))")
    out = subprocess.run([sys.executable, "-c", code, str(run_dir)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_damaged_feature_names_are_refused(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    config = json.loads((copy / "config.json").read_text())
    config["model"]["num_features"] = 1
    config["features"] = ["zzz:foo"]
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(TextrnnError, match=r"'zzz:foo' is not a word feature"):
        load(copy, device="cpu")


def test_evaluate_reads_gold_inside_starts_as_training_does(tagger):
    sentence = [["Вера", "Смирнова", "живёт", "в", "Перми"]]
    exact = tagger.evaluate(sentence, [["B-PER", "I-PER", "O", "O", "B-LOC"]])
    stray = tagger.evaluate(sentence, [["I-PER", "I-PER", "O", "O", "I-LOC"]])
    assert stray["repaired_gold"] == 2 and exact["repaired_gold"] == 0
    assert stray["entities"] == exact["entities"] and "unseen_tags" not in stray or not stray["unseen_tags"]


def test_evaluate_refuses_a_file_of_another_task(tagger):
    with pytest.raises(TextrnnError, match=r"none of the gold tags \['NOUN', 'VERB'\] is known to the model"):
        tagger.evaluate([["Вера", "живёт"]], [["NOUN", "VERB"]])
