"""Tag schemes: BIO <-> BIOES, repair of stray I- tags, strict spans, allowed transitions, and
entity scores equal to seqeval's strict mode."""

import random

import pytest

from textrnn.tasks.schemes import (allowed_transitions, bio_to_bioes, bioes_to_bio, entity_scores, is_entity_tagset,
                                   repair_bio, spans)

# (BIO tags, the BIOES form, strict spans)
GOLDEN = [
    (["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "E-PER", "O", "S-LOC"], [("PER", 0, 2), ("LOC", 3, 4)]),
    (["O", "O"], ["O", "O"], []),
    (["B-ORG", "I-ORG", "I-ORG"], ["B-ORG", "I-ORG", "E-ORG"], [("ORG", 0, 3)]),
    (["B-PER", "B-PER"], ["S-PER", "S-PER"], [("PER", 0, 1), ("PER", 1, 2)]),
    (["B-LOC", "I-LOC", "B-ORG", "I-ORG"], ["B-LOC", "E-LOC", "B-ORG", "E-ORG"], [("LOC", 0, 2), ("ORG", 2, 4)]),
]


@pytest.mark.parametrize("bio, bioes, expected", GOLDEN)
def test_conversion_and_spans_golden(bio, bioes, expected):
    assert bio_to_bioes(bio) == bioes
    assert bioes_to_bio(bioes) == bio
    assert spans(bio, "bio") == expected
    assert spans(bioes, "bioes") == expected


# strict reading: a stray I- starts no entity; an I- of another type ends the entity before it
STRICT = [
    (["O", "I-PER", "I-PER"], []),
    (["B-PER", "I-LOC"], [("PER", 0, 1)]),
    (["I-PER", "B-PER"], [("PER", 1, 2)]),
]


@pytest.mark.parametrize("tags, expected", STRICT)
def test_strict_spans_skip_broken_entities(tags, expected):
    assert spans(tags, "bio") == expected


@pytest.mark.parametrize("tags, repaired, changed", [
    (["I-PER", "I-PER", "O"], ["B-PER", "I-PER", "O"], 1),
    (["O", "I-LOC", "B-PER", "I-LOC"], ["O", "B-LOC", "B-PER", "B-LOC"], 2),
    (["B-PER", "I-PER"], ["B-PER", "I-PER"], 0),
])
def test_repair_reads_stray_inside_tags_as_beginnings(tags, repaired, changed):
    assert repair_bio(tags) == (repaired, changed)


def test_entity_tagset_detection():
    assert is_entity_tagset(["O", "B-PER", "I-PER"])
    assert not is_entity_tagset(["NOUN", "VERB", "PUNCT"])
    assert not is_entity_tagset(["O"])
    assert not is_entity_tagset(["O", "B-PER", "NOUN"])


def test_bio_transitions_forbid_inside_after_outside():
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    start, allowed, end = allowed_transitions(tags, "bio")
    assert start == [True, True, False, True, False]
    assert end == [True] * 5
    i = {t: k for k, t in enumerate(tags)}
    assert not allowed[i["O"]][i["I-PER"]]
    assert not allowed[i["B-LOC"]][i["I-PER"]]
    assert allowed[i["B-PER"]][i["I-PER"]] and allowed[i["I-PER"]][i["I-PER"]] and allowed[i["I-PER"]][i["B-LOC"]]


def test_bioes_transitions_require_entities_to_end():
    tags = ["O", "B-PER", "I-PER", "E-PER", "S-PER"]
    start, allowed, end = allowed_transitions(tags, "bioes")
    i = {t: k for k, t in enumerate(tags)}
    assert end == [True, False, False, True, True]
    assert not allowed[i["B-PER"]][i["O"]] and allowed[i["B-PER"]][i["E-PER"]]
    assert not allowed[i["O"]][i["E-PER"]] and allowed[i["E-PER"]][i["S-PER"]]


@pytest.mark.parametrize("scheme", ["bio", "bioes"])
def test_entity_scores_equal_seqeval_strict(scheme):
    seqeval = pytest.importorskip("seqeval.metrics")
    from seqeval.scheme import IOB2, IOBES

    kinds = ["PER", "LOC"]
    prefixes = ["B", "I"] if scheme == "bio" else ["B", "I", "E", "S"]
    tagset = ["O"] + [f"{p}-{k}" for p in prefixes for k in kinds]
    rng = random.Random(0)
    checked = 0
    for _ in range(400):
        true = [[rng.choice(tagset) for _ in range(rng.randint(1, 8))] for _ in range(rng.randint(1, 4))]
        pred = [[rng.choice(tagset) for _ in row] for row in true]
        ours = entity_scores(true, pred, scheme)
        mode = {"mode": "strict", "scheme": IOB2 if scheme == "bio" else IOBES, "zero_division": 0}
        for name in ("precision", "recall", "f1"):
            theirs = getattr(seqeval, f"{name}_score")(true, pred, **mode)
            assert ours[name] == pytest.approx(theirs, abs=1e-12), (true, pred, name)
        checked += 1
    assert checked == 400


def test_entity_scores_per_type_and_macro():
    true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-LOC"]]
    pred = [["B-PER", "I-PER", "O", "B-PER"], ["B-LOC"]]
    s = entity_scores(true, pred)
    assert (s["n_true"], s["n_pred"], s["n_correct"]) == (3, 3, 2)
    assert s["per_type"]["PER"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert s["per_type"]["LOC"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert s["f1"] == pytest.approx(2 / 3) and s["macro_f1"] == pytest.approx(2 / 3)
