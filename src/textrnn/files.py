"""Files on disk: atomic writes (a crash never leaves half a file or directory), output checks, bounded JSON reads.

A directory (a model, a report) is written into a temporary sibling and renamed into place only
when every file is complete, so a crash mid-save leaves any previous one intact. Files read back
from a directory that may come from elsewhere are read with a size bound, as regular files
only (a FIFO would block, ``/dev/zero`` would never end), and JSON nested too deeply or holding
numbers Python refuses to convert is one :class:`TextrnnError`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any, Iterator

from textrnn.errors import TextrnnError

# the file that marks a directory as textrnn's own output of one kind: with force, only a
# directory of the same kind (or an empty one) is replaced, never a data set by a model
OUTPUT_MARKERS = {"config.json": "model", "compare.json": "compare report", "distribution.json": "data set"}
MiB = 1 << 20


def _is_textrnn_output(path: Path, marker: str) -> bool:
    """Whether ``path`` holds the ``marker`` file as textrnn writes it (JSON with ``textrnn_version``)."""
    try:
        data = read_json(path / marker, max_bytes=64 * MiB)
    except TextrnnError:
        return False
    return isinstance(data, dict) and "textrnn_version" in data


def _check_parents(path: Path) -> None:
    """The nearest existing ancestor of ``path`` must be a directory (else nothing can be made)."""
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise TextrnnError(f"{str(parent)!r} is a file, so {str(path)!r} cannot be created under it")
            return


def check_out_dir(out: str | os.PathLike, force: bool, marker: str = "config.json") -> Path:
    """Check that the directory ``out`` may be written: it must not exist unless ``force``, and
    then it must be empty or textrnn's output of the same kind (``marker``: ``config.json`` for a
    model, ``compare.json``, ``distribution.json`` for a data set).

    Raises:
        TextrnnError: ``out`` exists and ``force`` is false; it is a file, or a file stands where
            one of its parent directories should be; it is the current directory or above it; or
            it is a non-empty directory that textrnn did not write.
    """
    path = Path(out)
    _check_parents(path)
    resolved, cwd = path.resolve(), Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents or resolved == Path(resolved.anchor):
        raise TextrnnError(f"output directory {str(path)!r} is the current directory or above it; expected a new directory")
    if path.exists() and not path.is_dir():
        raise TextrnnError(f"output path {str(path)!r} is a file, expected a directory")
    if path.exists() and not force:
        raise TextrnnError(f"output directory {str(path)!r} already exists; set force to replace it", param="force")
    if path.exists() and any(path.iterdir()) and not _is_textrnn_output(path, marker):
        raise TextrnnError(f"{str(path)!r} is a non-empty directory that is not a textrnn {OUTPUT_MARKERS[marker]}; "
                           f"refusing to replace it")
    return path


def check_output_file(path: str | os.PathLike | None, force: bool, param: str = "output") -> Path | None:
    """Check that a file may be written at ``path`` (``None`` passes).

    Raises:
        TextrnnError: the path is a directory, its directory does not exist, or the file exists
            and ``force`` is false.
    """
    if path is None:
        return None
    p = Path(path)
    if p.is_dir():
        raise TextrnnError(f"{param} {str(p)!r} is a directory, expected a file path", param=param)
    if p.exists() and not p.is_file():  # a device, a FIFO, /dev/stdout: replacing it would swap the node for a file
        raise TextrnnError(f"{param} {str(p)!r} is not a regular file (a device or a pipe); give a file path, or "
                           f"leave {param} out to print", param=param)
    _check_parents(p)
    if not p.parent.resolve().is_dir():
        raise TextrnnError(f"directory of {param} {str(p.parent)!r} does not exist", param=param)
    if p.exists() and not force:
        raise TextrnnError(f"output file {str(p)!r} already exists; set force to replace it", param="force")
    return p


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``, glibc >= 2.28); False
    where the system or the file system lacks it (the caller then renames twice)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def remove_stale(path: Path) -> list[Path]:
    """Remove the temporary (``.NAME.tmp-PID-*``) and set-aside (``.NAME.old-PID``) directories
    that a killed run left beside ``path``, those whose process no longer exists; returns them."""
    removed = []
    for kind in ("tmp", "old"):
        for p in path.parent.glob(f".{path.name}.{kind}-*"):
            pid = p.name[len(f".{path.name}.{kind}-"):].split("-")[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)) and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


@contextlib.contextmanager
def atomic_dir(out: str | os.PathLike, force: bool = False, marker: str = "config.json") -> Iterator[Path]:
    """Yield a temporary directory that replaces ``out`` only if the block succeeds.

    On an exception the temporary directory is removed and ``out`` is untouched. With ``force``
    an existing ``out`` is replaced in one step where the system can swap two paths atomically
    (Linux ``renameat2(RENAME_EXCHANGE)``), so ``out`` never stops existing, even when the process
    is killed in the middle; elsewhere the old one is moved aside first and deleted only after the
    new one is in place. Directories left behind by killed runs are removed first
    (:func:`remove_stale`). Files get the umask's usual permissions.

    Raises:
        TextrnnError: see :func:`check_out_dir`.
    """
    path = check_out_dir(out, force, marker)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 would make every model private
        yield tmp
        for f in tmp.iterdir():  # some writers (safetensors) create their files 0600
            if f.is_file():
                os.chmod(f, 0o666 & ~_umask())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if path.exists():
        check_out_dir(path, force, marker)
        if _exchange(tmp, path):  # tmp now holds the old directory
            shutil.rmtree(tmp, ignore_errors=True)
            return
        old = path.parent / f".{path.name}.old-{os.getpid()}"
        os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix), moved onto ``path`` only if the
    block succeeds; on an exception it is removed and ``path`` is untouched. The file gets the
    permissions a plain ``open`` would give (0666 less the umask), not ``mkstemp``'s 0600.

    Args:
        replace: replace an existing ``path``; ``False`` = the move fails if ``path`` exists by
            then (a hard link, one atomic step: two writers of one new file cannot both win).

    Raises:
        TextrnnError: ``replace`` is false and ``path`` exists.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=path.suffix, dir=path.parent or ".")
    except OSError as e:  # name the file being written, not the temporary beside it
        raise OSError(e.errno, f"cannot write {str(path)!r}: {e.strerror}") from None
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        yield Path(tmp)
        if replace:
            os.replace(tmp, path)
        else:
            _move_new(Path(tmp), path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _move_new(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist, atomically."""
    try:
        os.link(tmp, path)  # fails with FileExistsError if another writer got there first
    except FileExistsError:
        raise TextrnnError(f"output file {str(path)!r} already exists (written while this command ran); set force "
                           f"to replace it", param="force") from None
    except OSError:  # a file system without hard links: claim the name exclusively, then rename onto it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            raise TextrnnError(f"output file {str(path)!r} already exists (written while this command ran); set "
                               f"force to replace it", param="force") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def atomic_write_text(path: str | os.PathLike, text: str, replace: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename (see :func:`atomic_file`)."""
    with atomic_file(path, replace) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalars
        return _jsonable(value.item())
    return value


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as pretty UTF-8 JSON (non-finite floats become null)."""
    Path(path).write_text(json.dumps(_jsonable(obj), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def check_regular_file(path: str | os.PathLike, max_bytes: int, what: str = "file") -> int:
    """The size in bytes of ``path``, which must be a regular file of at most ``max_bytes``.

    Raises:
        TextrnnError: missing, a directory, a FIFO / device / socket, or too large.
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise TextrnnError(f"{str(p)!r} not found") from None
    except OSError as e:
        raise TextrnnError(f"cannot read {str(p)!r}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a FIFO, device or socket)"
        raise TextrnnError(f"{str(p)!r} is {kind}; expected a {what}")
    if st.st_size > max_bytes:
        raise TextrnnError(f"{str(p)!r} has {st.st_size:,} bytes, more than the {max_bytes:,} a {what} may have")
    return st.st_size


def read_json(path: str | os.PathLike, max_bytes: int = 16 * MiB) -> Any:
    """Read a JSON file of at most ``max_bytes`` (a regular file only).

    Raises:
        TextrnnError: missing, not a regular file, too large, not UTF-8, not valid JSON, nested
            too deeply, or holding an integer too long to convert.
    """
    path = Path(path)
    check_regular_file(path, max_bytes, "JSON file")
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise TextrnnError(f"{str(path)!r} is not UTF-8 text (byte {e.start}); expected JSON") from None
    except json.JSONDecodeError as e:
        raise TextrnnError(f"{str(path)!r} is not valid JSON: {e}") from None
    except RecursionError:
        raise TextrnnError(f"{str(path)!r} is nested too deeply to be a textrnn JSON file") from None
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        raise TextrnnError(f"{str(path)!r} cannot be read as JSON: {str(e).splitlines()[0][:120]}") from None
    except OSError as e:
        raise TextrnnError(f"cannot read {str(path)!r}: {e.strerror or e}") from None
