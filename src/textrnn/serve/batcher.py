"""Micro-batching: the texts of concurrent requests to one model gathered into one forward pass.

A request hands its texts to :meth:`MicroBatcher.submit` and awaits its answers. One worker
task per model takes the first waiting request, everything queued behind it up to
``max_batch`` texts, and — while the batch is short — whatever arrives within ``max_wait_ms``;
it runs the model once in a thread of its own (so the event loop keeps reading requests
while torch computes) and hands each request its slice of the results. Requests whose
options differ (a seq2seq beam width, a tagger's ``probs``) are never mixed: each batch has
one ``key``. This is the dynamic batching of inference servers (NVIDIA Triton's "dynamic
batcher", TorchServe's ``batch_size`` / ``max_batch_delay``).

If a batch fails, its requests are run one by one, so that only the request that caused the
error gets it.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence


@dataclass
class _Job:
    items: list
    key: Hashable
    future: asyncio.Future
    queued: float = field(default_factory=time.perf_counter)


class MicroBatcher:
    """Gather concurrent calls of ``run(items, key) -> results`` (one result per item, in order).

    Args:
        run: the model call; it gets every item of one batch and the batch's ``key``.
        max_batch: the most items in one call (a request with more is run alone, whole).
        max_wait_ms: how long a short batch waits for more requests, in milliseconds (0: only
            what is already queued).
        name: for the worker thread's name.

    Counters (``batches``, ``items``, ``largest``) say how well requests were gathered.
    """

    def __init__(self, run: Callable[[list, Hashable], Sequence[Any]], max_batch: int = 64, max_wait_ms: float = 2.0,
                 name: str = "model") -> None:
        if max_batch < 1 or max_wait_ms < 0:
            raise ValueError(f"max_batch must be >= 1 and max_wait_ms >= 0, got {max_batch} and {max_wait_ms}")
        self.run, self.max_batch, self.max_wait = run, max_batch, max_wait_ms / 1000.0
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"textrnn-{name}")
        self.queue: asyncio.Queue[_Job] | None = None
        self.worker: asyncio.Task | None = None
        self.carried: list[_Job] = []  # jobs taken from the queue that belong to another key
        self.batches = self.items = self.largest = 0

    def start(self) -> None:
        """Start the worker on the running event loop (at the server's start-up)."""
        self.queue = asyncio.Queue()
        self.worker = asyncio.get_running_loop().create_task(self._work())

    async def stop(self) -> None:
        """Finish the batch in progress, then stop; requests still queued get ``RuntimeError``."""
        if self.worker is not None:
            self.worker.cancel()
            try:
                await self.worker
            except asyncio.CancelledError:
                pass
        for job in self.carried + self._drain():
            if not job.future.done():
                job.future.set_exception(RuntimeError("the server is shutting down"))
        self.executor.shutdown(wait=True)

    async def submit(self, items: Sequence[Any], key: Hashable = None) -> list:
        """The results of ``items``, computed in a batch with other requests of the same ``key``.

        Raises:
            whatever ``run`` raised for these items.
        """
        if self.queue is None:
            raise RuntimeError("MicroBatcher.start() was not called")
        if not items:
            return []
        future = asyncio.get_running_loop().create_future()
        await self.queue.put(_Job(list(items), key, future))
        return await future

    def _drain(self) -> list[_Job]:
        jobs = []
        while self.queue is not None and not self.queue.empty():
            jobs.append(self.queue.get_nowait())
        return jobs

    async def _next(self, timeout: float | None) -> _Job | None:
        if timeout is None:
            return await self.queue.get()
        if timeout <= 0:
            return self.queue.get_nowait() if not self.queue.empty() else None
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    async def _gather(self) -> list[_Job]:
        """The next batch: the oldest job, then jobs of its key while they fit and time allows."""
        first = self.carried.pop(0) if self.carried else await self._next(None)
        batch, size = [first], len(first.items)
        keep = []
        for job in self.carried:  # carried jobs of the same key join first, in order
            if job.key == first.key and size + len(job.items) <= self.max_batch:
                batch.append(job)
                size += len(job.items)
            else:
                keep.append(job)
        self.carried = keep
        deadline = time.perf_counter() + self.max_wait
        while size < self.max_batch:
            job = await self._next(deadline - time.perf_counter())
            if job is None:
                break
            if job.key == first.key and size + len(job.items) <= self.max_batch:
                batch.append(job)
                size += len(job.items)
            else:
                self.carried.append(job)
                if job.key == first.key:  # full: run what we have
                    break
        return [job for job in batch if not job.future.cancelled()]

    async def _call(self, items: list, key: Hashable) -> Sequence[Any]:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.run, items, key)

    async def _work(self) -> None:
        while True:
            batch = await self._gather()
            if not batch:
                continue
            if len(batch) == 1:
                await self._one_by_one(batch)
                continue
            items = [item for job in batch for item in job.items]
            try:
                results = await self._call(items, batch[0].key)
            except Exception:  # noqa: BLE001 - retried one by one: only the request at fault gets its error
                await self._one_by_one(batch)
                continue
            self._count(len(items))
            start = 0
            for job in batch:
                if not job.future.done():
                    job.future.set_result(list(results[start: start + len(job.items)]))
                start += len(job.items)

    def _count(self, n: int) -> None:
        self.batches += 1
        self.items += n
        self.largest = max(self.largest, n)

    async def _one_by_one(self, batch: list[_Job]) -> None:
        for job in batch:
            try:
                results = await self._call(job.items, job.key)
            except Exception as e:  # noqa: BLE001
                if not job.future.done():
                    job.future.set_exception(e)
                continue
            self._count(len(job.items))
            if not job.future.done():
                job.future.set_result(list(results))
