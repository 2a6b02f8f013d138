"""The HTTP application through FastAPI's test client: every endpoint for every model kind, and every error."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from tests.conftest import tiny_seq2seq, tiny_tagger  # noqa: E402
from textrnn.serve.app import ServeSettings, build_app  # noqa: E402
from textrnn.serve.schemas import Limits  # noqa: E402

TEXTS = ["Отличный сервис, всё понравилось", "Ужасно, никогда больше", "", "нормально"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_run_dir, tiny_lm_run) -> dict:
    from textrnn.baselines.tfidf_lr import TfidfLogisticRegression

    root = tmp_path_factory.mktemp("served")
    tagger = tiny_tagger(crf=True).save(root / "ner", plots=False)
    s2s = tiny_seq2seq(epochs=4).save(root / "infl", plots=False)
    tfidf = TfidfLogisticRegression(word_ngram_range=(1, 1)).fit(["хорошо", "плохо", "очень хорошо", "очень плохо"],
                                                                 ["pos", "neg", "pos", "neg"], quiet=True)
    return {"clf": tiny_run_dir, "ner": tagger, "infl": s2s, "lm": tiny_lm_run[0],
            "lr": tfidf.save(root / "lr")}


@pytest.fixture(scope="module")
def client(runs):
    settings = ServeSettings([f"{name}={path}" for name, path in runs.items()], threads=1,
                             limits=Limits(max_body_bytes=20_000, max_texts=5, max_chars=300, max_generate=400, max_beam=4))
    with TestClient(build_app(settings)) as c:
        yield c


def error(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert "Traceback" not in body["error"]["message"]
    return body["error"]["message"]


def test_health_and_model_list(client, runs):
    assert client.get("/health").json() == {"status": "ok", "models": sorted(runs)}
    models = {m["name"]: m for m in client.get("/v1/models").json()["models"]}
    assert {name: m["kind"] for name, m in models.items()} == {
        "clf": "classifier", "ner": "tagger", "infl": "seq2seq", "lm": "char_lm", "lr": "classifier"}
    assert models["clf"]["labels"] == ["negative", "positive"]
    assert "B-PER" in models["ner"]["tags"]
    assert models["clf"]["textrnn_version"] and models["clf"]["backend"] == "torch"
    assert "test" in models["clf"]["metrics"] or "val" in models["clf"]["metrics"]
    assert client.get("/v1/models/ner").json()["tags"] == models["ner"]["tags"]


def test_classifier_equals_the_predictor_in_any_batch(client, runs):
    import textrnn

    expected = textrnn.load(runs["clf"], device="cpu").predict_proba(TEXTS)
    got = client.post("/v1/models/clf/predict", json={"texts": TEXTS}).json()["predictions"]
    assert len(got) == len(TEXTS)
    for row, probs in zip(got, expected):
        assert [row["probabilities"][k] for k in ("negative", "positive")] == pytest.approx(probs.tolist(), abs=1e-6)
        assert row["label"] == ("positive" if probs[1] > probs[0] else "negative")
    one = client.post("/v1/models/clf/predict", json={"text": TEXTS[1]}).json()["predictions"]
    assert one[0]["probabilities"]["positive"] == pytest.approx(float(expected[1][1]), abs=1e-6)
    top = client.post("/v1/models/clf/predict", json={"text": TEXTS[0], "top": 1}).json()["predictions"][0]
    assert list(top["probabilities"]) == [top["label"]]
    assert math.isclose(sum(got[0]["probabilities"].values()), 1.0, rel_tol=1e-5)


def test_tagger_gives_tokens_offsets_and_entities(client, runs):
    import textrnn

    text = "Вчера Иванов приехал в Москву"
    expected = textrnn.load(runs["ner"], device="cpu").predict_text([text])[0]
    got = client.post("/v1/models/ner/predict", json={"text": text}).json()["predictions"][0]
    assert got == expected
    assert [text[t["start"]:t["end"]] for t in got["tokens"]] == ["Вчера", "Иванов", "приехал", "в", "Москву"]
    with_probs = client.post("/v1/models/ner/predict", json={"text": text, "probs": True}).json()["predictions"][0]
    assert all(0 < t["prob"] <= 1 for t in with_probs["tokens"])


def test_seq2seq_outputs_with_beam_and_attention(client, runs):
    import textrnn

    source = "стек <gent> <plur>"
    expected = textrnn.load(runs["infl"], device="cpu").translate([source], beam=3, n_best=2)[0]
    got = client.post("/v1/models/infl/predict", json={"text": source, "beam": 3, "n_best": 2}).json()["predictions"][0]
    assert got["output"] == expected["output"] and len(got["alternatives"]) == 2
    att = client.post("/v1/models/infl/predict", json={"text": source, "attention": True}).json()["predictions"][0]
    matrix = np.array(att["attention"])
    assert matrix.shape == (len(att["output_units"]), len(att["source_units"]))
    assert np.allclose(matrix.sum(1), 1.0, atol=1e-3)


def test_char_lm_generates_what_the_predictor_does(client, runs):
    import textrnn

    body = {"prime": "hello ", "length": 40, "temperature": 0.8, "top_k": 5, "seed": 3}
    first = client.post("/v1/models/lm/predict", json=body).json()
    assert first["text"] == textrnn.load(runs["lm"], device="cpu").generate("hello ", 40, 0.8, 5, seed=3)
    assert len(first["text"]) == 40 and first["prime"] == "hello "
    assert first["text"] == client.post("/v1/models/lm/predict", json=body).json()["text"]


def test_explain_recurrent_and_tfidf(client):
    rec = client.post("/v1/models/clf/explain", json={"text": "Отличный сервис"}).json()
    assert rec["method"] == "gradient_x_input" and len(rec["tokens"]) == len(rec["scores"]) == 2
    lr = client.post("/v1/models/lr/explain", json={"text": "очень хорошо", "top": 1}).json()
    assert lr["label"] == "pos" and len(lr["features"]) == 1 and lr["method"] == "coefficient_x_tfidf"
    assert "explain is for classifiers" in error(client.post("/v1/models/ner/explain", json={"text": "a"}), 404)


@pytest.mark.parametrize("path, body, status, words", [
    ("/v1/models/nope/predict", {"text": "a"}, 404, "no model named 'nope'"),
    ("/v1/models/clf/predict", {}, 422, "give either text"),
    ("/v1/models/clf/predict", {"text": "a", "texts": ["b"]}, 422, "give either text"),
    ("/v1/models/clf/predict", {"texts": ["a"] * 6}, 422, "6 items; the limit is 5"),
    ("/v1/models/clf/predict", {"text": "я" * 301}, 422, "301 characters; the limit is 300"),
    ("/v1/models/clf/predict", {"text": 5}, 422, "text: Input should be a valid string"),
    ("/v1/models/clf/predict", {"texts": "one"}, 422, "texts: Input should be a valid list"),
    ("/v1/models/clf/predict", {"text": "a", "top": 0}, 422, "top: Input should be greater than or equal to 1"),
    ("/v1/models/clf/predict", {"text": "a", "temprature": 1}, 422, "temprature: unknown field"),
    ("/v1/models/clf/predict", [1, 2], 422, "expected a JSON object"),
    ("/v1/models/infl/predict", {"text": "стек", "beam": 5}, 422, "beam 5 is wider than the limit 4"),
    ("/v1/models/infl/predict", {"text": "стек", "beam": 2, "n_best": 3}, 422, "n_best 3 is more than beam 2"),
    ("/v1/models/infl/predict", {"text": "стек", "max_len": 5000}, 422, "max_len 5000 is over the limit"),
    ("/v1/models/infl/predict", {"text": ""}, 422, "text 1"),
    ("/v1/models/lm/predict", {"length": 401}, 422, "length 401 is over the limit 400"),
    ("/v1/models/lm/predict", {"temperature": 0}, 422, "temperature: Input should be greater than 0"),
    ("/v1/models/lm/predict", {"prime": "я" * 301}, 422, "prime has 301 characters"),
    ("/v1/models/lr/explain", {"text": "   "}, 422, "the text to explain is empty"),
    ("/v1/models/clf/explain", {"texts": ["a"]}, 422, "text: Field required"),
    ("/v1/models/clf/explain", {"text": "a", "x": 1}, 422, "x: unknown field"),
])
def test_bad_requests_get_one_json_error(client, path, body, status, words):
    assert words in error(client.post(path, json=body), status)


def test_bad_bodies_and_paths(client):
    assert "not JSON" in error(client.post("/v1/models/clf/predict", content=b"{bad"), 400)
    assert "not JSON" in error(client.post("/v1/models/clf/predict", content=b"\xff\xfe"), 400)
    assert "over the limit of 20000 bytes" in error(client.post("/v1/models/clf/predict", content=b"x" * 20_001), 413)
    assert "no such path" in error(client.get("/v2/models"), 404)
    assert "not allowed" in error(client.get("/v1/models/clf/predict"), 405)
    assert "no model named" in error(client.get("/v1/models/nope"), 404)
    # and it keeps serving
    assert client.post("/v1/models/clf/predict", json={"text": "хорошо"}).status_code == 200


def test_openapi_describes_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    assert {"/health", "/v1/models", "/v1/models/{name}", "/v1/models/{name}/predict",
            "/v1/models/{name}/explain"} <= set(spec["paths"])
    body = spec["paths"]["/v1/models/{name}/predict"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {s["title"] for s in body["oneOf"]} == {"ClassifyRequest", "TagRequest", "TranslateRequest", "GenerateRequest"}
    assert client.get("/docs").status_code == 200


def test_an_internal_error_is_a_json_500_without_traceback(runs):
    settings = ServeSettings([f"clf={runs['clf']}"], threads=1)
    app = build_app(settings)
    with TestClient(app, raise_server_exceptions=False) as c:
        app.state.models["clf"].predictor.predict_proba = lambda texts: 1 / 0
        message = error(c.post("/v1/models/clf/predict", json={"text": "a"}), 500)
        assert "ZeroDivisionError" in message and "log" in message
        assert c.get("/health").status_code == 200


def test_duplicate_and_bad_names_are_refused(runs):
    from textrnn.errors import TextrnnError

    with pytest.raises(TextrnnError, match="two models are named 'clf'"):
        build_app(ServeSettings([f"clf={runs['clf']}", f"clf={runs['lr']}"]))
    with pytest.raises(TextrnnError, match="model name 'a b'"):
        build_app(ServeSettings([f"a b={runs['clf']}"]))
