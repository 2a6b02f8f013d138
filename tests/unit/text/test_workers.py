"""The parallel path of Preprocessor.transform(workers=N): exactly the serial result, fork or spawn, warm or cold."""

from __future__ import annotations

import pytest

from textrnn.text import Preprocessor
from textrnn.text import workers as text_workers


def test_warm_pass_gives_the_cold_result():
    texts = ["Мне не понравилось", "коты бегут", "коты бегут :)"]
    pre = Preprocessor(lemmatize=True, negation=True, stopwords=True)
    assert pre.transform(texts) == pre.transform(texts) == [pre.tokenize(t) for t in texts]


def _corpus(n: int) -> list[str]:
    base = [
        "RT @user: Мне НЕ понравилось это кино :( http://t.co/x #кино",
        "Все счастливые семьи похожи друг на друга, каждая несчастливая семья несчастлива по-своему.",
        "<b>Скидка</b> 50% в 2014 году &amp; ещё! ))) 😊",
        "",
        "ни за что не пойду в стране хорошо",
        "Ёлка, ёжик и за́мок",
    ]
    return [f"{base[i % len(base)]} слово{i % 97} {i}" for i in range(n)]


@pytest.mark.parametrize(
    "options",
    [
        {"lemmatize": True, "negation": True, "stopwords": True},
        {"stem": True, "emoticons": "tokens", "digits": "replace"},
        {"remove_punctuation": False},
    ],
)
def test_parallel_path_gives_exactly_the_serial_result(options, monkeypatch):
    monkeypatch.setattr(text_workers, "PARALLEL_MIN_TEXTS", 10)
    calls = []
    real = Preprocessor._transform_parallel

    def spy(self, texts, workers, progress):
        calls.append(workers)
        return real(self, texts, workers, progress)

    monkeypatch.setattr(Preprocessor, "_transform_parallel", spy)
    texts = _corpus(1200)
    serial = Preprocessor(**options).transform(texts, workers=1)
    assert calls == []
    parallel = Preprocessor(**options).transform(texts, workers=2)
    assert calls == [2]
    assert parallel == serial
    assert len(parallel) == len(texts)


def test_parallel_path_with_spawn_gives_the_serial_result(monkeypatch):
    monkeypatch.setattr(text_workers, "PARALLEL_MIN_TEXTS", 10)
    monkeypatch.setattr(text_workers.mp, "get_all_start_methods", lambda: ["spawn"])
    texts = _corpus(1000)
    options = {"stem": True, "negation": True, "stopwords": True}
    assert Preprocessor(**options).transform(texts, workers=2) == Preprocessor(**options).transform(texts)


def test_parallel_path_on_a_warm_instance(monkeypatch):
    monkeypatch.setattr(text_workers, "PARALLEL_MIN_TEXTS", 10)
    texts = _corpus(1100)
    pre = Preprocessor(lemmatize=True)
    first = pre.transform(texts[:500])
    assert pre.transform(texts, workers=2) == Preprocessor(lemmatize=True).transform(texts)
    assert pre.transform(texts[:500]) == first




def _worker_signals(_):
    import signal

    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_forked_workers_do_not_inherit_the_clis_sigterm_handler():
    """The CLI turns SIGTERM into SystemExit; a pool worker that inherited that handler could
    swallow Pool.terminate() and hang the parent (seen once in ~20 runs of `preprocess --workers 2`)."""
    import multiprocessing as mp
    import signal

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("needs fork")
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(143)))
    try:
        init, config = text_workers._worker_init, (Preprocessor().to_dict(),)
        with mp.get_context("fork").Pool(2, initializer=init, initargs=config) as pool:
            assert pool.map(_worker_signals, range(4)) == [(True, True)] * 4
    finally:
        signal.signal(signal.SIGTERM, previous)
