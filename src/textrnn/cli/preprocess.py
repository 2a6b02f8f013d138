"""``textrnn preprocess``: run the preprocessing pipeline on one text or on a CSV file; the options -> a Preprocessor."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from textrnn.cli.options import ENCODING, SEP, WORKERS, preprocessing_group, with_groups
from textrnn.errors import TextrnnError
from textrnn.text import Preprocessor
from textrnn.text.overrides import read_lemma_overrides


def read_word_file(path: str | os.PathLike) -> list[str]:
    """Words from a UTF-8 file, one a line; blank lines and lines starting with '#' are skipped.

    Raises:
        TextrnnError: the file is missing or not UTF-8.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise TextrnnError(f"stop-word file {str(p)!r} not found") from None
    except IsADirectoryError:
        raise TextrnnError(f"stop-word file {str(p)!r} is a directory, expected a text file") from None
    except UnicodeDecodeError:
        raise TextrnnError(f"stop-word file {str(p)!r} is not UTF-8 text") from None
    return [w.strip() for w in lines if w.strip() and not w.strip().startswith("#")]


def preprocessor_from_options(recurrent: bool = False, stopwords_file: str | os.PathLike | None = None,
                              replace_stopwords: bool = False, lemma_overrides_file: str | os.PathLike | None = None,
                              **options) -> Preprocessor:
    """The :class:`Preprocessor` the command-line preprocessing options describe (see
    :func:`textrnn.config.classifier_preprocessing` for the ``lemmatize=None`` default).

    Raises:
        TextrnnError: an invalid value or combination (``--lemmatize`` with ``--stem`` or with
            ``--lang en``, ``--replace-stopwords`` without a file, a bad file, ``--lemma-overrides``
            without lemmas).
    """
    from textrnn.config import classifier_preprocessing

    if replace_stopwords and stopwords_file is None:
        raise TextrnnError("--replace-stopwords needs --stopwords-file FILE (the list that replaces the default)")
    if options.get("lemmatize") and options.get("stem"):
        raise TextrnnError("--lemmatize and --stem are exclusive; expected at most one of them")
    if stopwords_file is not None:
        options["stopword_list" if replace_stopwords else "extra_stopwords"] = read_word_file(stopwords_file)
    if lemma_overrides_file is not None:
        options["lemma_overrides"] = read_lemma_overrides(lemma_overrides_file)
    options["lang"] = (options.get("lang") or "ru").lower()
    return classifier_preprocessing(recurrent, **options)


def preprocessor_like(run_dir: str | os.PathLike) -> Preprocessor:
    """The exact :class:`Preprocessor` a saved classifier uses (its ``config.json`` preprocessing
    settings), read without loading the model.

    Raises:
        TextrnnError: ``run_dir`` is not a model directory, or its model has no preprocessing
            settings (a char LM, a tagger, a seq2seq model).
    """
    from textrnn.runs import read_config, section

    config = read_config(run_dir)
    if "preprocessing" not in config:
        raise TextrnnError(f"--like {str(run_dir)!r}: a {config['kind']} model has no preprocessing settings; "
                           f"expected a classifier's model directory")
    return Preprocessor.from_dict(section(config, "preprocessing", run_dir))


def given_options(ctx: typer.Context, names: list[str]) -> list[str]:
    """The flags of the options in ``names`` that the command line set (not left at their defaults)."""
    from typer._click.core import ParameterSource

    flags = {p.name: p.opts[0] for p in ctx.command.params}
    return [flags.get(n, n) for n in names if ctx.get_parameter_source(n) not in (None, ParameterSource.DEFAULT)]


# --- the command -----------------------------------------------------------------------------


_LEMMATIZE_HELP = ("Replace words by their pymorphy3 lemma (ru). Off here by default, but `train`'s default for a "
                   "Russian recurrent model lemmatises: use --like RUN_DIR to see a saved model's exact pipeline.")


@with_groups(preprocessing=preprocessing_group(_LEMMATIZE_HELP))
def preprocess_command(
    ctx: typer.Context,
    input: Annotated[
        Optional[Path], typer.Argument(help="CSV file to preprocess (with --output).", show_default=False)
    ] = None,
    text: Annotated[Optional[str], typer.Option("--text", help="Preprocess this text and print its tokens.")] = None,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Output CSV: the input columns plus 'tokens'.")
    ] = None,
    text_col: Annotated[str, typer.Option("--text-col", help="Column holding the texts.")] = "text",
    encoding: Optional[str] = ENCODING,
    sep: Optional[str] = SEP,
    workers: int = WORKERS,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --output file.")] = False,
    like: Annotated[Optional[Path], typer.Option(
        "--like", help="Use the exact pipeline stored in this classifier's model directory (no other "
                       "preprocessing options).", show_default=False)] = None,
    preprocessing: dict = None,
) -> None:
    """Turn raw text into tokens with the pipeline the options describe, or with a saved model's (--like).

    The options' defaults are the Preprocessor's, not train's: train lemmatises by default for a
    Russian recurrent model. --like RUN_DIR shows exactly what a trained model sees.

    \b
    textrnn preprocess --text "Мне не понравилось :(" --lemmatize --negation
    textrnn preprocess --text "Мне не понравилось :(" --like runs/sentiment
    textrnn preprocess IN.csv --output OUT.csv [--text-col text] [--workers N]
    """
    if like is not None:
        given = given_options(ctx, list(preprocessing))
        if given:
            raise TextrnnError(f"--like uses the model's own preprocessing; drop {', '.join(given)} (or drop --like)")
        pre = preprocessor_like(like)
    else:
        pre = preprocessor_from_options(**preprocessing)
    if text is not None:
        if input is not None:
            raise TextrnnError("give either --text TEXT or an input CSV file, not both")
        if output is not None:
            raise TextrnnError("--output is for an input CSV file; --text prints the tokens")
        print(" ".join(pre.tokenize(text)))
        return
    if input is None:
        raise TextrnnError("nothing to preprocess; expected --text TEXT or an input CSV file with --output OUT.csv")
    if output is None:
        raise TextrnnError(f"--output OUT.csv is required to preprocess {str(input)!r}")
    if output.exists() and output.resolve() == input.resolve():
        raise TextrnnError(f"--output {str(output)!r} is the input file; expected a different path")
    if output.exists() and output.is_dir():
        raise TextrnnError(f"--output {str(output)!r} is a directory, expected a CSV file path")
    if output.exists() and not force:
        raise TextrnnError(f"output file {str(output)!r} already exists; pass --force to overwrite it")

    from textrnn.data.tables import read_csv_table
    from textrnn.files import atomic_write_text, check_output_file

    check_output_file(output, force)  # its directory must exist (and not be a file): fail before any work

    df = read_csv_table(input, keep_blank_lines=True, encoding=encoding, sep=sep)  # one output row per input line
    if text_col not in df.columns:
        raise TextrnnError(f"{str(input)!r} has no text column {text_col!r}; columns are {list(df.columns)}")
    if "tokens" in df.columns:
        raise TextrnnError(f"{str(input)!r} already has a 'tokens' column, which the output would overwrite; "
                           f"rename or drop it first")
    tokens = pre.transform(df[text_col].tolist(), workers=workers, progress=True)
    df["tokens"] = [" ".join(t) for t in tokens]
    if output.parent and not output.parent.exists():
        raise TextrnnError(f"directory of --output {str(output.parent)!r} does not exist")
    atomic_write_text(output, df.to_csv(index=False, lineterminator="\n"), replace=force)
    print(f"textrnn: wrote {len(df)} rows with a 'tokens' column to {str(output)!r}", file=sys.stderr)
