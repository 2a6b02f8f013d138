"""The HTTP server: a FastAPI application over loaded models (``textrnn serve``).

Endpoints (JSON)::

    GET  /health                       {"status": "ok", "models": [...]}
    GET  /v1/models                    every model: name, kind, labels or tags, version, metrics
    GET  /v1/models/{name}             one of them
    POST /v1/models/{name}/predict     by kind: labels + probabilities, tags + entity spans,
                                       generated text, seq2seq outputs (+ attention)
    POST /v1/models/{name}/explain     classifiers: which tokens or features drove the label
    GET  /docs, /openapi.json          the OpenAPI description

Every error is ``{"error": {"status": N, "message": "..."}}`` — 400 (not JSON), 404 (unknown
model or path), 413 (body over the limit), 422 (a field out of range or a limit), 500 (never a
traceback; the server's log has it). The log has one line per request: method, path, status,
milliseconds.
"""

from __future__ import annotations

import json
import logging
import os
import time
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from textrnn.errors import TextrnnError
from textrnn.serve.models import RequestError, ServedModel, parse_spec
from textrnn.serve.schemas import PREDICT_BODIES, ExplainRequest, Limits

log = logging.getLogger("textrnn.serve")
SETTINGS_ENV = "TEXTRNN_SERVE_SETTINGS"  # the settings, as JSON, for worker processes (uvicorn --workers)


@dataclass
class ServeSettings:
    """What ``textrnn serve`` was asked: the models (``name=RUN_DIR`` or ``RUN_DIR``), the
    backend, device, CPU threads per process, batching and limits."""

    models: list[str]
    backend: str = "torch"
    device: str = "cpu"
    threads: int | None = None
    max_batch: int = 64
    max_wait_ms: float = 2.0
    limits: Limits = field(default_factory=Limits)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "ServeSettings":
        data = json.loads(text)
        return cls(**{**data, "limits": Limits(**data["limits"])})


def load_models(settings: ServeSettings) -> list[ServedModel]:
    """Load every model once.

    Raises:
        TextrnnError: a bad spec, two models of one name, or a run directory that does not load.
    """
    from textrnn.runs import load, read_config

    served, seen = [], {}
    for spec in settings.models:
        name, path = parse_spec(spec)
        if name in seen:
            raise TextrnnError(f"two models are named {name!r} ({seen[name]} and {path}); name them with NAME=RUN_DIR")
        seen[name] = path
        config = read_config(path)
        if settings.backend == "onnx":
            from textrnn.inference.onnx_predictor import load_onnx

            predictor = load_onnx(path)
        else:
            predictor = load(path, device=settings.device)
        served.append(ServedModel(name, path, predictor, config, settings.limits, settings.max_batch,
                                  settings.max_wait_ms, settings.backend))
    return served


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


class Guard:
    """ASGI middleware: refuses a body over ``max_body_bytes`` (413) before the application reads
    it, and logs one line per request (method, path, status, milliseconds)."""

    def __init__(self, app, max_body_bytes: int) -> None:
        self.app, self.max_body = app, max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [500]

        async def send_logged(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            body = await self._read(scope, receive)
            if body is None:
                response = _error(413, f"the request body is over the limit of {self.max_body} bytes")
                await response(scope, receive, send_logged)
                return
            done = [False]

            async def replay():
                if not done[0]:
                    done[0] = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_logged)
        finally:
            ms = (time.perf_counter() - start) * 1000
            log.info("%s %s %d %.1f ms", scope.get("method", "-"), scope.get("path", "-"), status[0], ms)

    async def _read(self, scope, receive) -> bytes | None:
        """The whole body, or ``None`` once it is over the limit (by Content-Length or as read)."""
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                try:
                    if int(value) > self.max_body:
                        return None
                except ValueError:
                    pass
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def create_app(models: list[ServedModel], limits: Limits | None = None):
    """The FastAPI application serving ``models`` (their batchers start and stop with it)."""
    import textrnn

    by_name = {m.name: m for m in models}
    limits = limits or Limits()

    @asynccontextmanager
    async def lifespan(app):
        for m in models:
            m.start()
        log.info("ready: %s", ", ".join(f"{m.name} ({m.kind})" for m in models))
        yield
        for m in models:
            await m.stop()

    app = FastAPI(title="textrnn", version=textrnn.__version__, lifespan=lifespan,
                  description="Recurrent neural networks for text: classifiers, taggers, char LMs, seq2seq.")
    app.state.models = by_name

    @app.exception_handler(HTTPException)
    async def http_error(request, exc):
        message = {404: f"no such path {request.url.path!r}", 405: f"method {request.method} is not allowed here"}
        return _error(exc.status_code, message.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc):
        first = exc.errors()[0] if exc.errors() else {}
        return _error(422, f"{'.'.join(map(str, first.get('loc', ())))}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(Exception)
    async def crashed(request, exc):
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _error(500, f"internal error ({type(exc).__name__}); the server's log has the details")

    def model(name: str) -> ServedModel:
        if name not in by_name:
            raise RequestError(404, f"no model named {name!r}; the models: {', '.join(sorted(by_name))}")
        return by_name[name]

    async def answer(request: Request, name: str, method: str):
        try:
            served = model(name)
            raw = await request.body()
            try:
                payload = json.loads(raw.decode("utf-8")) if raw else {}
            except (UnicodeDecodeError, ValueError) as e:
                raise RequestError(400, f"the body is not JSON in UTF-8: {e}") from None
            return await getattr(served, method)(payload)
        except RequestError as e:
            return _error(e.status, e.message)
        except TextrnnError as e:
            return _error(422, str(e))

    @app.get("/health", summary="Liveness: the server is up and its models are loaded")
    async def health() -> dict:
        return {"status": "ok", "models": sorted(by_name)}

    @app.get("/v1/models", summary="Every model: name, kind, labels or tags, versions, training metrics")
    async def list_models() -> dict:
        return {"models": [m.info() for m in models]}

    @app.get("/v1/models/{name}", summary="One model's description")
    async def describe(name: str):
        try:
            return model(name).info()
        except RequestError as e:
            return _error(e.status, e.message)

    bodies = {"oneOf": [schema.model_json_schema() for schema in PREDICT_BODIES.values()]}

    @app.post("/v1/models/{name}/predict", summary="Predict with a model (the body depends on its kind)",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": bodies}}}})
    async def predict(name: str, request: Request):
        return await answer(request, name, "predict")

    @app.post("/v1/models/{name}/explain", summary="Which tokens or features drove a classifier's label",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": ExplainRequest.model_json_schema()}}}})
    async def explain(name: str, request: Request):
        return await answer(request, name, "explain")

    app.add_middleware(Guard, max_body_bytes=limits.max_body_bytes)
    return app


def build_app(settings: ServeSettings):
    """Set CPU threads once, load the models, and build the application."""
    if settings.backend == "torch":
        from textrnn.devices import set_threads

        set_threads(settings.threads)
    return create_app(load_models(settings), settings.limits)


def from_environment():
    """The application factory uvicorn's worker processes call (settings in ``$TEXTRNN_SERVE_SETTINGS``)."""
    return build_app(ServeSettings.from_json(os.environ[SETTINGS_ENV]))
