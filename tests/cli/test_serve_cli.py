"""`textrnn serve` as a real uvicorn process on a free loopback port: requests, errors, SIGTERM draining."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import run_cli

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


def _defaults():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start(*args) -> tuple[subprocess.Popen, str]:
    """Start ``textrnn serve ARGS --port 0`` and return the process and its address once it answers /health."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "textrnn", "serve", *map(str, args), "--port", "0", "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_defaults)
    line = proc.stderr.readline()
    found = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
    if not found:
        proc.kill()
        raise AssertionError(f"no address in {line!r}: {proc.stderr.read()}")
    address = found.group(1)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if get(address + "/health")[0] == 200:
                return proc, address
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server never answered /health")


def get(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, json.loads(r.read())


def post(url: str, body) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the server did not exit within 30 s of SIGTERM")
    return proc.returncode, err


def test_a_real_server_answers_refuses_and_drains_on_sigterm(tiny_run_dir, tiny_lm_run):
    proc, address = start(f"clf={tiny_run_dir}", f"lm={tiny_lm_run[0]}")
    try:
        status, body = post(f"{address}/v1/models/clf/predict", {"texts": ["Отличный сервис", "Ужасно"]})
        assert status == 200 and [p["label"] in ("negative", "positive") for p in body["predictions"]] == [True, True]
        status, body = post(f"{address}/v1/models/clf/predict", b"{not json")
        assert status == 400 and "not JSON" in body["error"]["message"]
        status, body = post(f"{address}/v1/models/none/predict", {"text": "a"})
        assert status == 404
        assert get(f"{address}/v1/models")[1]["models"][1]["kind"] == "char_lm"
        # a long generation in flight when SIGTERM arrives is answered before the process exits
        answer = {}
        slow = threading.Thread(target=lambda: answer.update(r=post(f"{address}/v1/models/lm/predict",
                                                                    {"length": 5000, "seed": 1})))
        slow.start()
        time.sleep(0.3)
        code, err = stop(proc)
        slow.join(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert answer["r"][0] == 200 and len(answer["r"][1]["text"]) == 5000
    assert code in (0, 143), err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if " ms" in line]
    assert any(re.search(r"POST /v1/models/clf/predict 200 \d+\.\d ms", line) for line in lines), err
    assert any(re.search(r"POST /v1/models/clf/predict 400 ", line) for line in lines)


def test_two_worker_processes(tiny_run_dir):
    proc, address = start(tiny_run_dir, "--workers", "2")
    try:
        for _ in range(4):
            status, body = post(f"{address}/v1/models/{tiny_run_dir.name}/predict", {"text": "хорошо"})
            assert status == 200 and body["model"] == tiny_run_dir.name
    finally:
        code, err = stop(proc)
    assert code in (0, 143) and "Traceback" not in err, err


def test_a_bad_model_or_a_taken_port_is_one_line(capsys, tmp_path, tiny_run_dir):
    code, _, err = run_cli(capsys, "serve", tmp_path / "missing", "--port", "0")
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err
    code, _, err = run_cli(capsys, "serve", f"bad name={tiny_run_dir}", "--port", "0")
    assert code == 2 and "model name 'bad name'" in err
    code, _, err = run_cli(capsys, "serve", tiny_run_dir, "--backend", "tensorflow", "--port", "0")
    assert code == 2 and "--backend 'tensorflow'" in err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run_cli(capsys, "serve", tiny_run_dir, "--port", port)
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1
