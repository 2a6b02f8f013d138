"""``textrnn serve``: models behind an HTTP API (FastAPI + uvicorn, the ``[serve]`` extra)."""

from __future__ import annotations

import socket
import sys
from typing import List

import typer

from textrnn.errors import TextrnnError

def _missing_extra() -> TextrnnError:
    return TextrnnError("textrnn serve needs FastAPI and uvicorn: pip install 'textrnn[serve]'")


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before any model loads (a taken port is one line, exit 2)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise TextrnnError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    except (socket.gaierror, UnicodeError) as e:
        sock.close()
        raise TextrnnError(f"--host {host!r} is not an address this machine has: {e}") from None
    return sock


def serve_command(
    models: List[str] = typer.Argument(..., help="Run directories to serve, each RUN_DIR (named after the directory) "
                                       "or NAME=RUN_DIR."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port; 0 = any free port (printed)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Server processes, each with its own copy of "
                                "the models."),
    backend: str = typer.Option("torch", "--backend", help="torch, or onnx (after `textrnn export`; no torch needed)."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda or cuda:N (torch backend)."),
    threads: int = typer.Option(0, "--threads", min=0, help="CPU threads per process, set once; 0 = the cores "
                                "divided among the workers."),
    max_batch: int = typer.Option(64, "--max-batch", min=1, max=4096, help="Most texts of concurrent requests in "
                                  "one forward pass."),
    max_wait_ms: float = typer.Option(2.0, "--max-wait-ms", min=0, max=1000, help="How long a short batch waits for "
                                      "more requests, in milliseconds."),
    max_body_bytes: int = typer.Option(1_048_576, "--max-body-bytes", min=1, help="Largest request body (HTTP 413 above)."),
    max_texts: int = typer.Option(256, "--max-texts", min=1, help="Most texts per request (HTTP 422 above)."),
    max_chars: int = typer.Option(10_000, "--max-chars", min=1, help="Most characters per text (HTTP 422 above)."),
    max_generate: int = typer.Option(5_000, "--max-generate", min=1, help="Most characters a char LM generates per request."),
    max_beam: int = typer.Option(32, "--max-beam", min=1, max=1000, help="Widest seq2seq beam a request may ask for."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No line per request in the log."),
) -> None:
    """Serve models over HTTP: GET /health, GET /v1/models, POST /v1/models/NAME/predict and
    /explain (classifiers); OpenAPI docs at /docs. Concurrent requests to a model share one
    forward pass (--max-batch, --max-wait-ms). SIGTERM or Ctrl-C finishes the requests in
    flight, then exits."""
    try:
        import uvicorn

        from textrnn.serve.app import SETTINGS_ENV, ServeSettings, build_app
        from textrnn.serve.schemas import Limits
    except ImportError:
        raise _missing_extra() from None
    import logging
    import os

    if backend not in ("torch", "onnx"):
        raise TextrnnError(f"--backend {backend!r}: expected torch or onnx")
    if not threads:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        threads = max(1, cores // workers)
    limits = Limits(max_body_bytes=max_body_bytes, max_texts=max_texts, max_chars=max_chars, max_generate=max_generate,
                    max_beam=max_beam)
    settings = ServeSettings(list(models), backend, device, threads, max_batch, max_wait_ms, limits)
    if quiet:
        logging.getLogger("textrnn.serve").setLevel(logging.WARNING)
    sock = _bind(host, port)
    port = sock.getsockname()[1]
    address = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    if workers == 1:
        app = build_app(settings)  # every model loads (or fails in one line) before the first request
        print(f"textrnn: serving {', '.join(models)} on {address} (docs: {address}/docs)", file=sys.stderr, flush=True)
        config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=30)
        uvicorn.Server(config).run(sockets=[sock])
        return
    build_app(settings)  # checked once here, so that a bad model is one line, not a worker crash loop
    sock.close()
    os.environ[SETTINGS_ENV] = settings.to_json()
    print(f"textrnn: serving {', '.join(models)} on {address} with {workers} workers", file=sys.stderr, flush=True)
    uvicorn.run("textrnn.serve.app:from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning", access_log=False, timeout_graceful_shutdown=30)
