"""MicroBatcher: concurrent requests share one call, keys never mix, an error stays with its request."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from textrnn.serve.batcher import MicroBatcher


class Recorder:
    """``run`` that records each call's items and key, and answers ``(key, item * 10)``."""

    def __init__(self, delay: float = 0.0, fail_on=None) -> None:
        self.calls: list[tuple[list, object]] = []
        self.delay, self.fail_on = delay, fail_on
        self.lock = threading.Lock()

    def __call__(self, items, key):
        with self.lock:
            self.calls.append((list(items), key))
        if self.delay:
            time.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in items:
            raise ValueError(f"bad item {self.fail_on}")
        return [(key, item * 10) for item in items]


def run(coro):
    return asyncio.run(coro)


async def _with(batcher, body):
    batcher.start()
    try:
        return await body()
    finally:
        await batcher.stop()


def test_concurrent_requests_share_one_call_and_get_their_own_slices():
    rec = Recorder()
    batcher = MicroBatcher(rec, max_batch=100, max_wait_ms=50)

    async def body():
        return await asyncio.gather(*(batcher.submit([i, i + 100]) for i in range(8)))

    results = run(_with(batcher, body))
    assert results == [[(None, i * 10), (None, (i + 100) * 10)] for i in range(8)]
    assert len(rec.calls) == 1 and len(rec.calls[0][0]) == 16
    assert batcher.batches == 1 and batcher.largest == 16


def test_max_batch_splits_and_a_lone_request_does_not_wait_long():
    rec = Recorder()
    batcher = MicroBatcher(rec, max_batch=4, max_wait_ms=20)

    async def body():
        many = await asyncio.gather(*(batcher.submit([i]) for i in range(10)))
        start = time.perf_counter()
        await batcher.submit([99])
        return many, time.perf_counter() - start

    many, alone = run(_with(batcher, body))
    assert [r[0][1] for r in many] == [i * 10 for i in range(10)]
    assert all(len(items) <= 4 for items, _ in rec.calls)
    assert sum(len(items) for items, _ in rec.calls) == 11
    assert alone < 0.5  # waits at most max_wait_ms (20 ms) for company, plus scheduling


def test_requests_with_other_keys_are_never_mixed():
    rec = Recorder()
    batcher = MicroBatcher(rec, max_batch=100, max_wait_ms=30)

    async def body():
        return await asyncio.gather(*(batcher.submit([i], key=i % 3) for i in range(9)))

    results = run(_with(batcher, body))
    assert results == [[(i % 3, i * 10)] for i in range(9)]
    for items, key in rec.calls:
        assert {i % 3 for i in items} == {key}
    assert len(rec.calls) == 3


def test_an_error_reaches_only_the_request_that_caused_it():
    rec = Recorder(fail_on=5)
    batcher = MicroBatcher(rec, max_batch=100, max_wait_ms=30)

    async def body():
        return await asyncio.gather(*(batcher.submit([i]) for i in range(8)), return_exceptions=True)

    results = run(_with(batcher, body))
    assert isinstance(results[5], ValueError) and "bad item 5" in str(results[5])
    assert [r for i, r in enumerate(results) if i != 5] == [[(None, i * 10)] for i in range(8) if i != 5]


def test_a_request_larger_than_max_batch_runs_whole_and_empty_is_empty():
    rec = Recorder()
    batcher = MicroBatcher(rec, max_batch=2, max_wait_ms=0)

    async def body():
        return await batcher.submit(list(range(5))), await batcher.submit([])

    big, empty = run(_with(batcher, body))
    assert big == [(None, i * 10) for i in range(5)] and empty == []


def test_the_event_loop_runs_while_the_model_computes():
    rec = Recorder(delay=0.2)
    batcher = MicroBatcher(rec, max_batch=8, max_wait_ms=0)
    ticks = []

    async def body():
        async def ticker():
            for _ in range(5):
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.02)

        await asyncio.gather(batcher.submit([1]), ticker())

    run(_with(batcher, body))
    assert len(ticks) == 5 and ticks[-1] - ticks[0] < 0.18  # ticked during the 0.2 s call


@pytest.mark.parametrize("max_batch, max_wait_ms", [(0, 1), (1, -1)])
def test_bad_settings(max_batch, max_wait_ms):
    with pytest.raises(ValueError):
        MicroBatcher(Recorder(), max_batch, max_wait_ms)
