"""``textrnn preprocess``: run the preprocessing pipeline on one text or on a CSV file.

The pipeline options are declared once here as ``typing.Annotated`` aliases so that other
commands (``textrnn train``) can accept the same flags::

    from textrnn.commands_preprocess import LemmatizeOpt, StemOpt, ..., preprocessor_from_cli

    def train_command(..., lemmatize: LemmatizeOpt = False, stem: StemOpt = False, ...):
        pre = preprocessor_from_cli(lemmatize=lemmatize, stem=stem, ...)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from textrnn.errors import TextrnnError
from textrnn.preprocessing import _DEFAULTS, Preprocessor

# --- pipeline options, reusable by other commands -------------------------------------------

LangOpt = Annotated[str, typer.Option("--lang", help="Language: ru or en (en: English stemmer and stop words).")]
LemmatizeOpt = Annotated[bool, typer.Option("--lemmatize", help="Replace words by their pymorphy3 lemma (ru).")]
StemOpt = Annotated[bool, typer.Option("--stem", help="Replace words by their Snowball stem.")]
StopwordsOpt = Annotated[
    bool, typer.Option("--stopwords/--no-stopwords", help="Drop stop words (negations are kept).")
]
StopwordsFileOpt = Annotated[
    Optional[Path],
    typer.Option("--stopwords-file", help="UTF-8 file, one stop word a line, added to the list (see --replace-stopwords)."),
]
ReplaceStopwordsOpt = Annotated[
    bool, typer.Option("--replace-stopwords", help="--stopwords-file replaces the default list instead of adding to it.")
]
NegationOpt = Annotated[
    bool, typer.Option("--negation/--no-negation", help="Join a whole-word 'не'/'ни' to the next word: не_нравиться.")
]
EmoticonsOpt = Annotated[
    str, typer.Option("--emoticons", help="remove, tokens (<smile>/<sad>) or keep. Tweets' labels leak via emoticons.")
]
DigitsOpt = Annotated[str, typer.Option("--digits", help="keep, replace (<num>) or drop.")]
HashtagsOpt = Annotated[str, typer.Option("--hashtags", help="word (keep the word of #word) or remove.")]
TokenizerOpt = Annotated[str, typer.Option("--tokenizer", help="razdel or regex (faster, simpler).")]
LowercaseOpt = Annotated[bool, typer.Option("--lowercase/--no-lowercase", help="Lower-case the text.")]
PunctuationOpt = Annotated[
    bool, typer.Option("--remove-punctuation/--keep-punctuation", help="Punctuation and emoticon brackets -> spaces.")
]
HtmlOpt = Annotated[bool, typer.Option("--strip-html/--keep-html", help="Remove HTML tags, decode entities.")]
UrlsOpt = Annotated[bool, typer.Option("--remove-urls/--keep-urls", help="Drop http(s):// and www. links.")]
MentionsOpt = Annotated[bool, typer.Option("--remove-mentions/--keep-mentions", help="Drop @mentions.")]
YoOpt = Annotated[bool, typer.Option("--replace-yo/--keep-yo", help="ё -> е, delete stress marks.")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=0, help="Processes for large inputs (0 = one per CPU).")]


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


def preprocessor_from_cli(
    lemmatize: bool = False,
    stem: bool = False,
    stopwords: bool = _DEFAULTS["stopwords"],
    negation: bool = _DEFAULTS["negation"],
    lang: str = "ru",
    *,
    stopwords_file: str | os.PathLike | None = None,
    replace_stopwords: bool = False,
    emoticons: str = _DEFAULTS["emoticons"],
    digits: str = _DEFAULTS["digits"],
    hashtags: str = _DEFAULTS["hashtags"],
    tokenizer: str = _DEFAULTS["tokenizer"],
    lowercase: bool = True,
    remove_punctuation: bool = True,
    strip_html: bool = True,
    remove_urls: bool = True,
    remove_mentions: bool = True,
    replace_yo: bool = True,
) -> Preprocessor:
    """Build a :class:`Preprocessor` from command-line flag values (defaults = ``Preprocessor()``).

    Raises:
        TextrnnError: an invalid value or combination (``--lemmatize`` with ``--stem``,
            ``--lemmatize`` with ``--lang en``, ``--replace-stopwords`` without a file, a bad file).
    """
    if replace_stopwords and stopwords_file is None:
        raise TextrnnError("--replace-stopwords needs --stopwords-file FILE (the list that replaces the default)")
    if lemmatize and stem:
        raise TextrnnError("--lemmatize and --stem are exclusive; expected at most one of them")
    options: dict = {}
    if stopwords_file is not None:
        words = read_word_file(stopwords_file)
        options["stopword_list" if replace_stopwords else "extra_stopwords"] = words
    lang = (lang or "ru").lower()
    return Preprocessor(
        lowercase=lowercase,
        remove_urls=remove_urls,
        remove_mentions=remove_mentions,
        remove_punctuation=remove_punctuation,
        lang=lang,
        strip_html=strip_html,
        hashtags=hashtags,
        emoticons=emoticons,
        replace_yo=replace_yo,
        digits=digits,
        tokenizer=tokenizer,
        lemmatize=lemmatize,
        stem=stem,
        negation=negation,
        stopwords=stopwords,
        **options,
    )


# --- the command -----------------------------------------------------------------------------


def preprocess_command(
    input: Annotated[
        Optional[Path], typer.Argument(help="CSV file to preprocess (with --output).", show_default=False)
    ] = None,
    text: Annotated[Optional[str], typer.Option("--text", help="Preprocess this text and print its tokens.")] = None,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Output CSV: the input columns plus 'tokens'.")
    ] = None,
    text_col: Annotated[str, typer.Option("--text-col", help="Column holding the texts.")] = "text",
    workers: WorkersOpt = 1,
    lang: LangOpt = "ru",
    lemmatize: LemmatizeOpt = False,
    stem: StemOpt = False,
    stopwords: StopwordsOpt = _DEFAULTS["stopwords"],
    stopwords_file: StopwordsFileOpt = None,
    replace_stopwords: ReplaceStopwordsOpt = False,
    negation: NegationOpt = _DEFAULTS["negation"],
    emoticons: EmoticonsOpt = _DEFAULTS["emoticons"],
    digits: DigitsOpt = _DEFAULTS["digits"],
    hashtags: HashtagsOpt = _DEFAULTS["hashtags"],
    tokenizer: TokenizerOpt = _DEFAULTS["tokenizer"],
    lowercase: LowercaseOpt = True,
    remove_punctuation: PunctuationOpt = True,
    strip_html: HtmlOpt = True,
    remove_urls: UrlsOpt = True,
    remove_mentions: MentionsOpt = True,
    replace_yo: YoOpt = True,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --output file.")] = False,
) -> None:
    """Turn raw text into tokens with the same pipeline that `train` stores in the model.

    \b
    textrnn preprocess --text "Мне не понравилось :(" --lemmatize --negation
    textrnn preprocess IN.csv --output OUT.csv [--text-col text] [--workers N]
    """
    pre = preprocessor_from_cli(
        lemmatize=lemmatize,
        stem=stem,
        stopwords=stopwords,
        negation=negation,
        lang=lang,
        stopwords_file=stopwords_file,
        replace_stopwords=replace_stopwords,
        emoticons=emoticons,
        digits=digits,
        hashtags=hashtags,
        tokenizer=tokenizer,
        lowercase=lowercase,
        remove_punctuation=remove_punctuation,
        strip_html=strip_html,
        remove_urls=remove_urls,
        remove_mentions=remove_mentions,
        replace_yo=replace_yo,
    )
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

    from textrnn.csv_input import read_csv_table
    from textrnn.io import atomic_write_text, check_output_file

    check_output_file(output, force)  # its directory must exist (and not be a file): fail before any work

    df = read_csv_table(input, keep_blank_lines=True)  # one output row per input line
    if text_col not in df.columns:
        raise TextrnnError(f"{str(input)!r} has no text column {text_col!r}; columns are {list(df.columns)}")
    if "tokens" in df.columns:
        raise TextrnnError(f"{str(input)!r} already has a 'tokens' column, which the output would overwrite; "
                           f"rename or drop it first")
    tokens = pre.transform(df[text_col].tolist(), workers=workers, progress=True)
    df["tokens"] = [" ".join(t) for t in tokens]
    if output.parent and not output.parent.exists():
        raise TextrnnError(f"directory of --output {str(output.parent)!r} does not exist")
    atomic_write_text(output, df.to_csv(index=False, lineterminator="\n"))
    print(f"textrnn: wrote {len(df)} rows with a 'tokens' column to {str(output)!r}", file=sys.stderr)
