"""Fitting and loading an encoder-decoder: it learns a paradigm, attention beats none, a saved run predicts the same."""

import json

import pytest
import torch

import textrnn
from tests.conftest import tiny_seq2seq, toy_inflection
from textrnn.errors import TextrnnError


@pytest.fixture(scope="module")
def fitted():
    return tiny_seq2seq()


def test_attention_learns_the_paradigm_and_beats_a_fixed_context(fitted):
    assert fitted.summary_["val"]["accuracy"] >= 0.95
    none = tiny_seq2seq(attention="none", epochs=6)
    assert none.summary_["val"]["accuracy"] < fitted.summary_["val"]["accuracy"] - 0.2


GOLDEN = [("кот <gent> <plur>", "котов"), ("бирк <datv> <plur>", "биркам"), ("папан <loct> <plur>", "папанах"),
          ("мунат <ablt> <plur>", "мунатами"), ("дук <nomn> <sing>", "дук")]


def test_unseen_stems_are_inflected(fitted):
    out = fitted.translate([s for s, _ in GOLDEN], beam=5)
    assert sum(r["output"] == t for r, (_, t) in zip(out, GOLDEN)) >= 4
    assert out[0]["source_units"] == ["к", "о", "т", "<gent>", "<plur>"]


def test_translate_gives_n_best_and_attention(fitted):
    r = fitted.translate(["стук <loct> <plur>"], beam=4, n_best=3, attention=True)[0]
    assert len(r["alternatives"]) == 3 and r["alternatives"][0]["output"] == r["output"]
    scores = [a["score"] for a in r["alternatives"]]
    assert scores == sorted(scores, reverse=True)
    att = torch.tensor(r["attention"])
    assert att.shape == (len(r["output_units"]), 6)
    assert torch.allclose(att.sum(1), torch.ones(len(r["output_units"])), atol=1e-4)
    # the first output letter looks at the first source letter more than at the tags
    assert int(att[0].argmax()) == 0


def test_padding_never_changes_an_output(fitted):
    texts = ["к <nomn> <plur>", "стукломонитор <gent> <plur>", "рук <datv> <plur>"]
    together = [r["output"] for r in fitted.translate(texts, beam=3)]
    alone = [fitted.translate([t], beam=3)[0]["output"] for t in texts]
    assert together == alone


def test_evaluate_groups_alternatives(fitted):
    sources, targets = toy_inflection(700)
    m = fitted.evaluate(sources[600:] + [sources[600]], targets[600:] + ["неверно"], beam=1)
    assert m["n"] == len(set(sources[600:])) and m["n_pairs"] == 101
    assert m["accuracy"] == pytest.approx(fitted.summary_["val"]["accuracy"], abs=1e-9)


def test_save_and_load_translate_the_same(fitted, tmp_path):
    out = fitted.save(tmp_path / "run")
    loaded = textrnn.load(out)
    assert type(loaded).__name__ == "Seq2SeqPredictor"
    texts = ["стук <gent> <plur>", "бирк <ablt> <plur>"]
    assert [r["output"] for r in loaded.translate(texts)] == [r["output"] for r in fitted.translate(texts)]
    config = json.loads((out / "config.json").read_text())
    assert config["kind"] == "seq2seq" and config["model"]["attention"] == "additive"
    assert {p.name for p in out.iterdir()} >= {"config.json", "source_vocab.json", "target_vocab.json",
                                               "model.safetensors", "metrics.json", "history.csv", "curves.png"}


def test_damaged_run_directory_is_one_line(fitted, tmp_path):
    out = fitted.save(tmp_path / "run")
    vocab = json.loads((out / "target_vocab.json").read_text())
    vocab["tokens"], vocab["counts"] = vocab["tokens"][:-1], None
    (out / "target_vocab.json").write_text(json.dumps(vocab))
    with pytest.raises(TextrnnError, match="target_vocab.json has .* entries but the model expects"):
        textrnn.load(out)
    with pytest.raises(TextrnnError, match="holds a 'seq2seq' model, expected a 'tagger'"):
        textrnn.load(out, kind="tagger")


def test_unseen_source_unit_warns(fitted, caplog):
    r = fitted.translate(["стукЯ <gent> <plur>"])
    assert r[0]["output"]
    assert "unseen in training, read as <unk>: ['Я']" in caplog.text


@pytest.mark.parametrize("call,message", [
    (lambda m: m.translate("стек <gent>"), "single string"),
    (lambda m: m.translate([""]), "text 1 is empty"),
    (lambda m: m.translate(["стек"], beam=0), "beam=0 is invalid"),
    (lambda m: m.translate(["стек"], beam=2, n_best=3), "n_best=3 is invalid"),
    (lambda m: m.translate(["стек"], alpha=-1), "alpha must be"),
    (lambda m: m.evaluate(["a"], ["b", "c"]), "1 sources but 2 targets"),
    (lambda m: m.translate(["к", "а" * 10001]), "text 2 has 10001 char units; the limit is 10000"),
])
def test_bad_calls_are_one_line_errors(fitted, call, message):
    with pytest.raises(TextrnnError, match=message):
        call(fitted)


def test_fit_checks_its_input():
    from textrnn.training.seq2seq import Seq2Seq

    with pytest.raises(TextrnnError, match="2 sources but 1 targets"):
        Seq2Seq().fit(["a", "b"], ["c"])
    with pytest.raises(TextrnnError, match="val_sources given without val_targets"):
        Seq2Seq().fit(["a", "b"], ["c", "d"], val_sources=["a"])
    with pytest.raises(TextrnnError, match="one distinct source cannot be split"):
        Seq2Seq().fit(["a", "a"], ["c", "d"])
    with pytest.raises(TextrnnError, match="training target 1 has 10001 char units; the limit is 10000"):
        Seq2Seq().fit(["a", "b"], ["x" * 10001, "y"], ["a"], ["x"])
    with pytest.raises(TextrnnError, match="model_config must be"):
        Seq2Seq(model_config={"hidden_size": 4})


def test_without_validation_whole_sources_are_held_out():
    from textrnn.training.seq2seq import hold_out

    sources = ["a", "a", "b", "c", "c", "d", "e", "f", "g", "h", "i", "j"]
    targets = [s.upper() for s in sources]
    train_s, _, val_s, val_t, n = hold_out(sources, targets, share=0.2)
    assert n == 2 and val_s == ["i", "j"] and val_t == ["I", "J"]
    assert not set(train_s) & set(val_s)


def test_word_units_learn_word_order_and_report_bleu():
    import random

    rng = random.Random(0)
    words = ["мама", "папа", "кот", "дом", "лес", "сад", "мыла", "видел", "раму", "окно"]
    sources = [" ".join(rng.sample(words, 4)) for _ in range(300)]
    targets = [" ".join(reversed(s.split())) + " ." for s in sources]
    s2s = tiny_seq2seq_words(sources, targets)
    assert s2s.predictor_.config.units == "word"
    m = s2s.evaluate(sources[-40:], targets[-40:], beam=3)
    assert m["accuracy"] >= 0.8 and m["bleu"] > 80 and m["chrf"] > 80
    assert s2s.translate(["кот видел дом мама"])[0]["output"] == "мама дом видел кот ."


def tiny_seq2seq_words(sources, targets):
    from textrnn.config import Seq2SeqConfig, Seq2SeqTrainConfig
    from textrnn.training.seq2seq import Seq2Seq

    s2s = Seq2Seq(Seq2SeqConfig(units="word", embedding_dim=16, hidden_size=32, attention_size=16, dropout=0.0),
                  Seq2SeqTrainConfig(epochs=15, batch_size=16, lr=1e-2), device="cpu")
    return s2s.fit(sources[:-40], targets[:-40], sources[-40:], targets[-40:], quiet=True)
