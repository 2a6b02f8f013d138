"""A model behind the server: loaded once, described, and asked through its kind's request body.

Classifiers, taggers and seq2seq models answer through a :class:`~textrnn.serve.batcher.MicroBatcher`
(concurrent requests share a forward pass); a char LM generates one sample per request in a
thread, so the event loop never waits on the model.
"""

from __future__ import annotations

import asyncio
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Hashable

from textrnn.errors import TextrnnError
from textrnn.serve.batcher import MicroBatcher
from textrnn.serve.schemas import (ClassifyRequest, ExplainRequest, GenerateRequest, Limits, TagRequest,
                                   TextsRequest, TranslateRequest)

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
BACKENDS = ("torch", "onnx")


class RequestError(Exception):
    """A request the server refuses: the HTTP ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def parse_spec(spec: str) -> tuple[str, Path]:
    """``"name=RUN_DIR"`` or ``"RUN_DIR"`` (named after the directory) -> (name, path).

    Raises:
        TextrnnError: a name that is not 1-100 letters, digits, ``.``, ``_`` or ``-`` (it is part of a URL).
    """
    name, eq, path = spec.partition("=")
    if not eq or not name or os.sep in name:
        name, path = Path(spec.rstrip("/\\")).name, spec
    if not NAME.match(name):
        raise TextrnnError(f"model name {name!r} (from {spec!r}): expected 1-100 letters, digits, '.', '_' or '-', "
                           f"starting with a letter or digit; name it with NAME=RUN_DIR")
    return name, Path(path)


class ServedModel:
    """One loaded model and how it answers.

    Args:
        name: its name in URLs.
        run_dir: its run directory.
        predictor: what :func:`textrnn.load` (or the ONNX loader) returned.
        config: the directory's ``config.json``.
        limits: the request limits.
        max_batch: the most texts in one forward pass.
        max_wait_ms: how long a short batch waits for more requests.
        backend: ``torch`` or ``onnx``.
    """

    def __init__(self, name: str, run_dir: Path, predictor: Any, config: dict, limits: Limits,
                 max_batch: int = 64, max_wait_ms: float = 2.0, backend: str = "torch") -> None:
        self.name, self.run_dir, self.predictor, self.config = name, run_dir, predictor, config
        self.kind, self.limits, self.backend = config["kind"], limits, backend
        self.batcher = None if self.kind == "char_lm" else MicroBatcher(self._run, max_batch, max_wait_ms, name)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"textrnn-{name}-x")

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        if self.batcher is not None:
            self.batcher.start()

    async def stop(self) -> None:
        if self.batcher is not None:
            await self.batcher.stop()
        self.executor.shutdown(wait=True)

    def info(self) -> dict:
        """``name``, ``kind``, ``backend``, the predictor's description (labels or tags, the
        architecture, parameters), ``textrnn_version`` that trained it and its training ``metrics``."""
        from textrnn.runs import read_metrics

        return {"name": self.name, **self.predictor.describe(), "backend": self.backend,
                "textrnn_version": self.config.get("textrnn_version"), "metrics": read_metrics(self.run_dir)}

    # -- requests -----------------------------------------------------------------------

    def _texts(self, body: TextsRequest) -> list[str]:
        if (body.text is None) == (body.texts is None):
            raise RequestError(422, "give either text (one string) or texts (a list of strings)")
        texts = [body.text] if body.text is not None else body.texts
        if len(texts) > self.limits.max_texts:
            raise RequestError(422, f"texts has {len(texts)} items; the limit is {self.limits.max_texts} per request")
        for i, text in enumerate(texts):
            if len(text) > self.limits.max_chars:
                raise RequestError(422, f"text {i} has {len(text)} characters; the limit is {self.limits.max_chars}")
        return texts

    async def predict(self, payload: Any) -> dict:
        """Answer ``POST /v1/models/{name}/predict`` with the body ``payload`` (already parsed JSON).

        Raises:
            RequestError: a body that does not fit the kind's schema (422) or the limits.
            TextrnnError: the predictor refused an input.
        """
        if self.kind == "char_lm":
            return await self._generate(validate(GenerateRequest, payload))
        body = validate({"classifier": ClassifyRequest, "tagger": TagRequest, "seq2seq": TranslateRequest}[self.kind],
                        payload)
        texts = self._texts(body)
        key: Hashable = None
        if self.kind == "tagger":
            key = body.probs
        elif self.kind == "seq2seq":
            beam = body.beam if body.beam is not None else min(5, self.limits.max_beam)
            if beam > self.limits.max_beam:
                raise RequestError(422, f"beam {beam} is wider than the limit {self.limits.max_beam}")
            if body.n_best > beam:
                raise RequestError(422, f"n_best {body.n_best} is more than beam {beam}")
            model_len = self.predictor.config.max_target_len
            if body.max_len is not None and body.max_len > self.limits.max_output_len:
                raise RequestError(422, f"max_len {body.max_len} is over the limit {self.limits.max_output_len}")
            max_len = min(body.max_len or model_len, self.limits.max_output_len)
            key = (beam, body.n_best, body.alpha, max_len, body.attention)
        results = await self.batcher.submit(texts, key)
        if self.kind == "classifier":
            results = [self._label(row, body.top) for row in results]
        return {"model": self.name, "predictions": results}

    def _run(self, texts: list[str], key: Hashable) -> list:
        """One forward pass over the texts of a batch (in the batcher's thread)."""
        p = self.predictor
        if self.kind == "classifier":
            return list(p.predict_proba(texts))
        if self.kind == "tagger":
            return p.predict_text(texts, probs=key)
        beam, n_best, alpha, max_len, attention = key
        return p.translate(texts, beam=beam, n_best=n_best, alpha=alpha, max_len=max_len, attention=attention)

    def _label(self, probs, top: int | None) -> dict:
        labels = self.predictor.labels_
        order = sorted(range(len(labels)), key=lambda i: -float(probs[i]))
        shown = order[:top] if top else range(len(labels))
        return {"label": labels[order[0]], "probabilities": {labels[i]: float(probs[i]) for i in shown}}

    async def _generate(self, body: GenerateRequest) -> dict:
        if len(body.prime) > self.limits.max_chars:
            raise RequestError(422, f"prime has {len(body.prime)} characters; the limit is {self.limits.max_chars}")
        if body.length > self.limits.max_generate:
            raise RequestError(422, f"length {body.length} is over the limit {self.limits.max_generate} characters")
        text = await self._in_thread(self.predictor.generate, body.prime, body.length, body.temperature, body.top_k,
                                     body.seed)
        return {"model": self.name, "prime": body.prime, "text": text, "seed": body.seed}

    async def explain(self, payload: Any) -> dict:
        """Answer ``POST /v1/models/{name}/explain``: a classifier's token weights (recurrent:
        attention or gradient x input) or feature contributions (tfidf-lr).

        Raises:
            RequestError: not a classifier (404), a body that does not fit (422).
        """
        if self.kind != "classifier":
            raise RequestError(404, f"model {self.name!r} is a {self.kind}; explain is for classifiers")
        body = validate(ExplainRequest, payload)
        if len(body.text) > self.limits.max_chars:
            raise RequestError(422, f"text has {len(body.text)} characters; the limit is {self.limits.max_chars}")
        return {"model": self.name, **await self._in_thread(self._explain, body.text, body.top)}

    def _explain(self, text: str, top: int | None) -> dict:
        if getattr(self.predictor, "model_type", None) == "tfidf-lr":
            from textrnn.baselines.lr_explain import contributions

            c = contributions(self.predictor, text)
            return {**c, "method": "coefficient_x_tfidf", "features": c["features"][:top] if top else c["features"]}
        if self.backend != "torch":
            raise RequestError(422, "explain needs the torch backend (gradients and attention weights)")
        from textrnn.inference.explain import explain

        exp = explain(self.predictor, text)
        return {"label": exp.label, "probabilities": exp.probabilities, "method": exp.method, "tokens": exp.tokens,
                "scores": exp.scores}

    async def _in_thread(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)


def validate(schema, payload: Any):
    """``payload`` as ``schema``, or a :class:`RequestError` (422) naming the first bad field."""
    from pydantic import ValidationError

    if not isinstance(payload, dict):
        raise RequestError(422, f"expected a JSON object as the body, got {type(payload).__name__}")
    try:
        return schema.model_validate(payload)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        message = first.get("msg", "invalid").replace("Value error, ", "")
        if first.get("type") == "extra_forbidden":
            allowed = ", ".join(schema.model_fields)
            message = f"unknown field for this model (its fields: {allowed})"
        raise RequestError(422, f"{where}: {message}") from None
