"""Where computation runs: device names checked with one clear error, allocation failures named, CPU threads tuned."""

import pytest
import torch

from textrnn.devices import ThreadTuner, auto_threads, fits_in_memory, resolve_device, set_threads
from textrnn.errors import TextrnnError


def test_resolve_device_names_the_bad_value():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("cpu:0") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(TextrnnError, match=r"^unknown device 'cpu:1'; expected auto, cpu, cpu:0, cuda or cuda:N$"):
        resolve_device("cpu:1")
    with pytest.raises(TextrnnError, match="unknown device 'cuda:x'"):
        resolve_device("cuda:x")
    with pytest.raises(TextrnnError, match="unknown device 'gpu0'"):
        resolve_device("gpu0")
    with pytest.raises(TextrnnError, match="unknown device 'meta'"):
        resolve_device("meta")
    if not torch.cuda.is_available():
        with pytest.raises(TextrnnError, match="CUDA is not available"):
            resolve_device("cuda")
        assert resolve_device("auto") == torch.device("cpu")
    else:
        with pytest.raises(TextrnnError, match=r"cuda:99.*GPU\(s\): cuda:0 to"):
            resolve_device("cuda:99")


def test_allocation_failures_become_one_line_naming_the_options():
    with pytest.raises(TextrnnError, match=r"^the model does not fit in memory \(.*can't allocate memory.*\); lower hidden_size$"):
        with fits_in_memory("the model", "hidden_size"):
            # torch's message for a refused CPU allocation (seen with hidden_size 1000000000)
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
                               "memory: you tried to allocate 1536000000000 bytes.\nmore lines")
    with pytest.raises(RuntimeError, match="something else"):  # other errors pass through unchanged
        with fits_in_memory("the model", "hidden_size"):
            raise RuntimeError("something else")


@pytest.fixture()
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_set_threads_sets_torch_and_names_a_bad_count(restore_threads):
    set_threads(1)
    assert torch.get_num_threads() == 1
    set_threads(None)  # torch's default: unchanged here
    assert torch.get_num_threads() == 1
    for bad in (0, -2, 1.5, True):
        with pytest.raises(TextrnnError, match="threads must be an integer >= 1") as e:
            set_threads(bad)
        assert e.value.param == "threads"


def test_auto_threads_uses_at_least_one_thread(restore_threads):
    n = auto_threads()
    assert n >= 1 and torch.get_num_threads() == n


def test_thread_tuner_keeps_the_faster_count(restore_threads):
    idle = lambda: 0.0  # noqa: E731
    t = ThreadTuner([2, 1], probe_every=5, probe_len=3, first_probe=5, load_fn=idle)
    assert t.current == 2
    speed = {2: 1.0, 1: 0.5}  # one thread is twice as fast
    for _ in range(12):
        t.record(speed[t.active])
    assert t.current == 1 and t.rate == {2: 1.0, 1: 0.5} and t.switches == 1


def test_a_hopeless_candidate_is_cut_after_one_step_and_probed_less_often(restore_threads):
    t = ThreadTuner([2, 1], probe_every=5, probe_len=3, first_probe=5, load_fn=lambda: 0.0)
    slow = {2: 1.0, 1: 5.0}
    for _ in range(6):
        t.record(slow[t.active])
    assert t.current == 2 and t.rate[1] == 5.0 and t.probe_every == 10


def test_more_threads_than_fit_beside_other_jobs_are_never_tried(restore_threads):
    busy = lambda: 3.0  # noqa: E731  other jobs keep both cores busy
    t = ThreadTuner([2, 1], probe_every=5, probe_len=3, first_probe=5, load_fn=busy)
    assert t.current == 1 and torch.get_num_threads() == 1
    for _ in range(30):
        t.record(1.0)
        assert t.active == 1  # 2 threads are never tried while the machine is busy
