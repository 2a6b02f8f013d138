"""The ``textrnn`` command line: thin typer commands that parse options, call the library and print.

Every user error (:class:`textrnn.errors.TextrnnError`) is printed as one line on stderr
and exits with code 2, without a traceback; usage errors from option parsing also exit 2.
"""

from __future__ import annotations

import os
import re
import signal
import sys

# Before torch loads OpenMP: idle worker threads sleep instead of spinning. On a busy
# machine spinning threads fight the ones doing work (measured: a packed biLSTM trained
# at 82 tokens/s with ACTIVE and 715 with PASSIVE, 2 threads on 2 shared cores; see
# benchmarks/RESULTS.md, "Throughput"). The user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import typer
import typer._click.exceptions as click_errors  # typer vendors click: its own exception classes

from textrnn.errors import TextrnnError

app = typer.Typer(
    name="textrnn",
    help="Recurrent neural networks for text, Russian first.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from textrnn import __version__

        print(f"textrnn {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                       help="Print textrnn's version and exit.")) -> None:
    """Recurrent neural networks for text, Russian first."""


from textrnn.cli.classify import (  # noqa: E402
    demo_command,
    evaluate_command,
    predict_command,
    train_command,
)

app.command("train")(train_command)
app.command("evaluate")(evaluate_command)
app.command("predict")(predict_command)
app.command("demo")(demo_command)
from textrnn.cli.explain import explain_command  # noqa: E402
app.command("explain")(explain_command)

# --- sub-commands registered by other modules (one import + one registration line each) ---
from textrnn.cli.lm import generate_command, lm_app  # noqa: E402
app.add_typer(lm_app, name="lm")
app.command("generate")(generate_command)
from textrnn.cli.baselines import compare_command, vectorize_command  # noqa: E402
app.command("vectorize")(vectorize_command)
app.command("compare")(compare_command)
from textrnn.cli.preprocess import preprocess_command  # noqa: E402
app.command("preprocess")(preprocess_command)
from textrnn.cli.tag import tag_app  # noqa: E402
app.add_typer(tag_app, name="tag")
from textrnn.cli.seq2seq import seq2seq_app  # noqa: E402
app.add_typer(seq2seq_app, name="seq2seq")
from textrnn.cli.data import data_app  # noqa: E402
app.add_typer(data_app, name="data")
from textrnn.cli.serve import serve_command  # noqa: E402
app.command("serve")(serve_command)


def error_line(error: TextrnnError) -> str:
    """The library's message with the parameter it names said as its flag (``hidden_size`` ->
    ``--hidden-size``, ``set force`` -> ``pass --force``); quoted values (paths) are left alone."""
    from textrnn.cli.options import flag

    message, param = str(error), getattr(error, "param", None)
    if not param:
        return message
    parts = re.split(r"""('[^']*'|"[^"]*")""", message)  # odd parts are quoted (repr uses " when a value holds ')
    for name in (param,) if isinstance(param, str) else param:  # one parameter, or a tuple of them
        for i in range(0, len(parts), 2):
            parts[i] = re.sub(rf"\bset {re.escape(name)}\b", f"pass {flag(name)}", parts[i])
            parts[i] = re.sub(rf"(?<![\w-]){re.escape(name)}\b", flag(name), parts[i])
    return "".join(parts)


def _command_path(error: click_errors.UsageError) -> str:
    """'train ' for an error inside `textrnn train`, '' at the top level."""
    ctx = error.ctx
    if ctx is None or ctx.parent is None:
        return ""
    return ctx.command_path.partition(" ")[2] + " "


def _given_value(error: click_errors.UsageError, argv: list[str]) -> str | None:
    """The command-line value of the option a ``BadParameter`` is about (click does not keep it)."""
    param = getattr(error, "param", None)
    if not isinstance(error, click_errors.BadParameter) or param is None:
        return None
    names = set(getattr(param, "opts", ())) | set(getattr(param, "secondary_opts", ()))
    given = None
    for i, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if name in names:  # the last occurrence wins (click keeps the last value of an option)
            given = value if eq else (argv[i + 1] if i + 1 < len(argv) else None)
    return given


def os_error_line(error: OSError) -> str:
    """``"cannot write 'x': No space left on device"``: the operating system's reason and the file(s) it names."""
    reason = error.strerror or str(error) or type(error).__name__
    files = [repr(str(f)) for f in (error.filename, error.filename2) if f is not None]
    return f"{reason}: {' -> '.join(files)}" if files else reason


def _terminate(signum, frame) -> None:
    print("textrnn: terminated" if signum == signal.SIGTERM else "textrnn: hung up (the terminal closed)", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``textrnn`` console script."""
    # SIGTERM (e.g. `kill`, a job scheduler) unwinds like Ctrl-C, so temporary model
    # directories are removed and an existing model is left untouched.
    signal.signal(signal.SIGTERM, _terminate)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # not under nohup
        signal.signal(signal.SIGHUP, _terminate)
    try:
        code = app(args=argv, prog_name="textrnn", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as e:
        print(e.format_message(), file=sys.stderr)
        sys.exit(2)
    except click_errors.UsageError as e:
        # click prints usage errors as four lines (usage, hint, blank, error): keep the one that matters
        message = e.format_message().replace("Value error, ", "")
        value = _given_value(e, sys.argv[1:] if argv is None else list(argv))
        if value is not None and repr(value) not in message:
            name, colon, reason = message.partition(": ")
            message = f"{name}: {value!r}: {reason}" if colon else f"{message} (got {value!r})"
        print(f"textrnn: error: {message} (see textrnn {_command_path(e)}--help)", file=sys.stderr)
        sys.exit(2)
    except click_errors.ClickException as e:
        print(f"textrnn: error: {e.format_message()}", file=sys.stderr)
        sys.exit(e.exit_code)
    except TextrnnError as e:
        print(f"textrnn: error: {error_line(e)}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:  # a full disk, an unwritable or unreadable path, EIO: one line, not a traceback
        print(f"textrnn: error: {os_error_line(e)}", file=sys.stderr)
        sys.exit(2)
    except MemoryError:
        print("textrnn: error: out of memory; lower --batch-size, the model's sizes or the input's size", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        code = 130
    if code == 130:  # Ctrl-C (typer turns the KeyboardInterrupt into an exit code of 130)
        print("textrnn: interrupted", file=sys.stderr)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
