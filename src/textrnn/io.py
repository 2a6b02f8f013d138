"""Model directories: JSON + safetensors, written atomically, loaded without pickle.

A model directory is written into a temporary sibling directory and renamed into
place only when every file is complete, so a crash mid-save leaves any previous
model intact and never leaves a half-written one behind.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

from textrnn.errors import TextrnnError

FORMAT_VERSION = 1
# files that mark a directory as textrnn's own output (a model, a compare report): only
# such a directory, or an empty one, is replaced with --force
OUTPUT_MARKERS = ("config.json", "compare.json")


def _is_textrnn_output(path: Path) -> bool:
    """Whether ``path`` holds a marker file that textrnn wrote (JSON with ``textrnn_version``),
    not merely a file of that name."""
    for name in OUTPUT_MARKERS:
        marker = path / name
        if marker.is_file():
            try:
                data = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(data, dict) and "textrnn_version" in data:
                return True
    return False


def _check_parents(path: Path) -> None:
    """The nearest existing ancestor of ``path`` must be a directory (else nothing can be made)."""
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise TextrnnError(f"{str(parent)!r} is a file, so {str(path)!r} cannot be created under it")
            return


def check_out_dir(out: str | os.PathLike, force: bool) -> Path:
    """Check that ``out`` may be written: it must not exist unless ``force``.

    Raises:
        TextrnnError: ``out`` exists and ``force`` is false; it is a file, or a file stands
            where one of its parent directories should be; it is the current directory or
            one above it; or it is a non-empty directory that textrnn did not write (no
            ``config.json`` / ``compare.json`` with a ``textrnn_version``).
    """
    path = Path(out)
    _check_parents(path)
    resolved = path.resolve()
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents or resolved == Path(resolved.anchor):
        raise TextrnnError(f"output directory {str(path)!r} is the current directory or above it; expected a new directory")
    if path.exists() and not path.is_dir():
        raise TextrnnError(f"output path {str(path)!r} is a file, expected a directory")
    if path.exists() and not force:
        raise TextrnnError(f"output directory {str(path)!r} already exists; pass --force to overwrite it")
    if path.exists() and any(path.iterdir()) and not _is_textrnn_output(path):
        raise TextrnnError(f"{str(path)!r} is a non-empty directory that is not a textrnn model; refusing to replace it")
    return path


def check_output_file(path: str | os.PathLike | None, force: bool, option: str = "--output") -> Path | None:
    """Check that a file may be written at ``path``.

    Raises:
        TextrnnError: the path is a directory, its directory does not exist, or the file
            exists and ``force`` is false.
    """
    if path is None:
        return None
    p = Path(path)
    if p.is_dir():
        raise TextrnnError(f"{option} {str(p)!r} is a directory, expected a file path")
    _check_parents(p)
    if not p.parent.resolve().is_dir():
        raise TextrnnError(f"directory of {option} {str(p.parent)!r} does not exist")
    if p.exists() and not force:
        raise TextrnnError(f"output file {str(p)!r} already exists; pass --force to overwrite it")
    return p


@contextlib.contextmanager
def atomic_dir(out: str | os.PathLike, force: bool = False) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``out`` only if the block succeeds.

    On an exception the temporary directory is removed and ``out`` is untouched.
    With ``force`` an existing ``out`` is replaced; the old one is moved aside
    first and deleted only after the new one is in place.

    Raises:
        TextrnnError: ``out`` exists and ``force`` is false.
    """
    path = check_out_dir(out, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 would make every model private
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if path.exists():
        check_out_dir(path, force)
        old = path.parent / f".{path.name}.old-{os.getpid()}"
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix) that is renamed onto ``path`` only if
    the block succeeds; on an exception it is removed and ``path`` is untouched. The file gets the
    permissions a plain ``open`` would give (0666 less the umask), not ``mkstemp``'s 0600."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=path.suffix, dir=path.parent or ".")
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    with atomic_file(path) as tmp:
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


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file.

    Raises:
        TextrnnError: the file is missing or not valid JSON.
    """
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TextrnnError(f"{str(path)!r} not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TextrnnError(f"{str(path)!r} is not valid JSON: {e}") from None


def read_labels(run_dir: str | os.PathLike) -> list[str]:
    """The class labels in ``RUN_DIR/labels.json`` (``{"labels": [...]}``), as strings.

    Raises:
        TextrnnError: the file is missing or not JSON, or ``labels`` is not a list of at least
            two distinct strings or numbers.
    """
    path = Path(run_dir) / "labels.json"
    data = read_json(path)
    labels = data.get("labels") if isinstance(data, dict) else None
    if (not isinstance(labels, list) or len(labels) < 2
            or not all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in labels)
            or len({str(x) for x in labels}) != len(labels)):
        raise TextrnnError(f"{str(path)!r} is damaged: expected {{\"labels\": [at least two distinct labels]}}")
    return [str(x) for x in labels]


def read_model_config(run_dir: str | os.PathLike, expected_kind: str | None = None) -> dict:
    """Read and check ``RUN_DIR/config.json``.

    Args:
        run_dir: a directory written by ``textrnn train`` or ``textrnn lm train``.
        expected_kind: ``"classifier"`` or ``"char_lm"``; ``None`` accepts any kind.

    Raises:
        TextrnnError: the directory is missing, is not a textrnn model, has a newer
            format version, or holds a model of another kind.
    """
    path = Path(run_dir)
    if path.exists() and not path.is_dir():
        raise TextrnnError(f"{str(path)!r} is a file, expected a model directory")
    if not path.is_dir():
        raise TextrnnError(f"model directory {str(path)!r} does not exist")
    if not (path / "config.json").is_file():
        raise TextrnnError(f"{str(path)!r} is not a textrnn model directory (no config.json)")
    config = read_json(path / "config.json")
    if not isinstance(config, dict) or "format_version" not in config or "kind" not in config:
        raise TextrnnError(f"{str(path)!r} is not a textrnn model directory (config.json has no format_version/kind)")
    version, kind = config["format_version"], config["kind"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise TextrnnError(f"{str(path)!r} has a damaged config.json: format_version {version!r}, expected an integer >= 1")
    if not isinstance(kind, str):
        raise TextrnnError(f"{str(path)!r} has a damaged config.json: kind {kind!r}, expected a string")
    for key in ("model_type",):
        if key in config and not isinstance(config[key], str):
            raise TextrnnError(f"{str(path)!r} has a damaged config.json: {key} {config[key]!r}, expected a string")
    if config["format_version"] > FORMAT_VERSION:
        raise TextrnnError(
            f"{str(path)!r} has model format {config['format_version']}; this textrnn reads up to {FORMAT_VERSION}"
        )
    if expected_kind is not None and config["kind"] != expected_kind:
        raise TextrnnError(f"{str(path)!r} holds a {config['kind']!r} model, expected a {expected_kind!r} model")
    return config
