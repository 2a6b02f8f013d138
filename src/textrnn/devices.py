"""Where computation runs: the torch device (``auto``, ``cpu``, ``cuda[:N]``) and the number of CPU threads."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

import numpy as np
import torch

from textrnn.errors import TextrnnError


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; otherwise ``torch.device(device)``.

    ``"cpu:0"`` is the same as ``"cpu"`` (torch has one CPU device); ``"cuda:N"`` must name a GPU
    that exists (``0 <= N < torch.cuda.device_count()``).

    Raises:
        TextrnnError: an unknown device string, a CPU index other than 0, CUDA asked for but not
            available, or a GPU index past the last GPU.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    expected = "expected auto, cpu, cpu:0, cuda or cuda:N"
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise TextrnnError(f"unknown device {device!r}; {expected}") from None
    if dev.type not in ("cpu", "cuda") or (dev.type == "cpu" and dev.index not in (None, 0)):
        raise TextrnnError(f"unknown device {device!r}; {expected}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise TextrnnError(f"device {device!r} asked for, but CUDA is not available here; use cpu or auto")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise TextrnnError(f"device {device!r} asked for, but this machine has "
                           f"{torch.cuda.device_count()} GPU(s): cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    return torch.device("cpu") if dev.type == "cpu" else dev


@contextmanager
def fits_in_memory(what: str, options: str) -> Iterator[None]:
    """Turn torch's allocation failure (CPU ``DefaultCPUAllocator`` or CUDA out of memory) inside
    the block into one :class:`TextrnnError` line naming ``what`` and the ``options`` to lower."""
    try:
        yield
    except RuntimeError as e:
        if "alloc" not in str(e):
            raise
        reason = str(e).splitlines()[0][:160]
        raise TextrnnError(f"{what} does not fit in memory ({reason}); lower {options}") from None


class ThreadTuner:
    """Pick the fastest CPU thread count while training (``--threads 0``).

    On a machine shared with other jobs, two OpenMP threads on two busy cores can be
    several times *slower* than one (threads wait on each other), while on an idle
    machine two are faster. After ``first_probe`` steps, then every ``probe_every`` steps, the tuner runs up to
    ``probe_len`` steps with each other candidate, measures seconds per step (the first
    step after a switch is not counted) and keeps the fastest. A probe is cut short as
    soon as one of its steps takes over twice the current rate, and the interval between
    probes doubles (up to 16x) each time a probe loses, so a bad candidate costs little.
    More threads than fit beside the other jobs (1-minute load average minus this job's
    threads, plus the candidate, above ``cores + 0.5``) are neither started with nor probed:
    on a loaded 2-core machine one step with 2 threads was measured 15x slower than with 1.
    Probe steps are ordinary training steps.
    """

    def __init__(self, candidates: Sequence[int], probe_every: int = 40, probe_len: int = 4,
                 first_probe: int = 5, cores: int | None = None,
                 load_fn: Callable[[], float] | None = None) -> None:
        self.candidates = sorted(set(candidates), reverse=True)
        self.cores = cores or max(self.candidates)
        self.load_fn = load_fn or (lambda: os.getloadavg()[0])
        # Start with the most threads that fit beside the other jobs' load.
        self.current = self._fitting(self.load_fn())
        self.base_every = probe_every
        self.probe_every = min(first_probe, probe_every)
        self.probe_len = probe_len
        self.rate: dict[int, float] = {}
        self.switches = 0
        self._recent: list[float] = []
        self._queue: list[int] = []
        self._probe: list[float] = []
        self._since = 0
        torch.set_num_threads(self.current)

    def _fitting(self, others: float) -> int:
        for c in self.candidates:
            if others + c <= self.cores + 0.5:
                return c
        return self.candidates[-1]

    def _worth_probing(self, c: int) -> bool:
        # More threads than fit beside the other jobs would stall on barriers: skip them.
        return c < self.current or self.load_fn() - self.current + c <= self.cores + 0.5

    @property
    def active(self) -> int:
        """The thread count in use for the next step."""
        return self._queue[0] if self._queue else self.current

    def _end_probe(self, rate: float) -> None:
        self.rate[self._queue.pop(0)] = rate
        self._probe = []
        if not self._queue:
            best = min(self.rate, key=self.rate.get)
            if best != self.current:
                self.current, self.probe_every = best, self.base_every
                self.switches += 1
            else:
                self.probe_every = min(max(self.probe_every, self.base_every) * 2, self.base_every * 16)

    def record(self, seconds: float) -> None:
        """Report the duration of the step that just ran with :attr:`active` threads."""
        if len(self.candidates) < 2:
            return
        if self._queue:
            self._probe.append(seconds)
            ref = self.rate.get(self.current, float("inf"))
            if seconds > 2.0 * ref:
                self._end_probe(seconds)
            elif len(self._probe) >= self.probe_len:
                self._end_probe(float(np.median(self._probe[1:])))
            torch.set_num_threads(self.active)
            return
        self._recent = (self._recent + [seconds])[-10:]
        self._since += 1
        if self._since >= self.probe_every:
            self.rate[self.current] = float(np.median(self._recent[1:] or self._recent))
            self._since, self._recent = 0, []
            self._queue = [c for c in self.candidates if c != self.current and self._worth_probing(c)]
            torch.set_num_threads(self.active)


def default_threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(torch.get_num_threads(), cores))


def auto_threads() -> int:
    """Set and return the CPU thread count for inference: the most threads (up to the
    available cores) that fit beside the other jobs' 1-minute load average (see
    :class:`ThreadTuner`; on a busy 2-core machine 2 threads were ~10x slower than 1)."""
    cores = default_threads()
    n = ThreadTuner(list(range(cores, 0, -1)), cores=cores).current
    torch.set_num_threads(n)
    return n


def set_threads(threads: int | None) -> None:
    """Use ``threads`` intra-op CPU threads (``None``: torch's default, one per core).

    Raises:
        TextrnnError: ``threads`` < 1.
    """
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise TextrnnError(f"threads must be an integer >= 1, got {threads!r}", param="threads")
        torch.set_num_threads(threads)
