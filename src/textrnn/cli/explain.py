"""``textrnn explain``: which tokens drove a recurrent classifier's prediction, or what a tfidf-lr
model weighs (its top features per label, a text's features and their contributions)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from textrnn.cli.options import device_option
from textrnn.errors import TextrnnError
from textrnn.files import atomic_write_text, check_output_file


def explain_command(
    run_dir: Path = typer.Argument(..., help="Model directory of a classifier (recurrent or tfidf-lr)."),
    text: Optional[str] = typer.Argument(None, help="The text to explain (a tfidf-lr model: optional with --top)."),
    top: Optional[int] = typer.Option(None, "--top", min=1, help="tfidf-lr: the N highest- and lowest-weighted features "
                                      "per label (without a text), or the text's N largest contributions."),
    html_path: Optional[Path] = typer.Option(None, "--html", help="Write tokens shaded by weight as an HTML page."),
    png_path: Optional[Path] = typer.Option(None, "--png", help="Write a bar chart of token weights."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing --html / --png files."),
    device: str = device_option(),
) -> None:
    """Show each token's weight in a prediction: attention weights, or gradient x input saliency;
    for a tfidf-lr model, coefficient x tf-idf value per feature (or, with --top N and no text,
    the features each label weighs most and least)."""
    from textrnn.runs import load

    check_output_file(html_path, force, "html")
    check_output_file(png_path, force, "png")
    if png_path is not None and png_path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise TextrnnError(f"--png {str(png_path)!r}: expected a file name ending in .png (or .svg, .pdf)")
    if html_path is not None and png_path is not None and html_path.resolve() == png_path.resolve():
        raise TextrnnError(f"--html and --png are the same file {str(html_path)!r}; expected two different paths")
    clf = load(run_dir, device=device, kind="classifier")
    linear = getattr(clf, "model_type", None) == "tfidf-lr"
    if text is None and not (linear and top):
        raise TextrnnError("nothing to explain: give a text" + (", or --top N for the model's highest- and "
                                                                 "lowest-weighted features" if linear else ""))
    if top is not None and not linear:
        raise TextrnnError("--top is for a tfidf-lr model (its feature weights); a recurrent model explains a text")
    if text is None:
        if html_path or png_path:
            raise TextrnnError("--html and --png draw one text's explanation; give a text")
        print_top_weights(clf, top, as_json)
        return
    if linear:
        from textrnn.baselines.lr_explain import as_explanation, contributions

        c = contributions(clf, text)
        exp = as_explanation(text, c)
        print_contributions(c, top, as_json)
    else:
        from textrnn.inference.explain import explain

        exp = explain(clf, text)
        print_token_scores(exp, as_json)
    write_figures(exp, html_path, png_path, force)


def print_top_weights(clf, top: int, as_json: bool) -> None:
    """Per label, the ``top`` highest- and lowest-weighted features of a tfidf-lr model."""
    from textrnn.baselines.lr_explain import top_weights

    weights = top_weights(clf, top)
    if as_json:
        print(json.dumps({"method": "coefficients", "labels": {
            name: {side: [{"term": t, "weight": w} for t, w in pairs] for side, pairs in sides.items()}
            for name, sides in weights.items()}}, ensure_ascii=False))
        return
    for name, sides in weights.items():
        print(f"{name}: highest weights (toward {name})")
        for term, w in sides["highest"]:
            print(f"  {w:+.4f}  {term}")
        print(f"{name}: lowest weights (away from {name})")
        for term, w in sides["lowest"]:
            print(f"  {w:+.4f}  {term}")


def print_contributions(c: dict, top: int | None, as_json: bool) -> None:
    """A text's tfidf-lr features with ``weight x tfidf`` toward the predicted label, largest first."""
    features = c["features"][:top] if top else c["features"]
    if as_json:
        print(json.dumps({**c, "method": "coefficient_x_tfidf", "features": features}, ensure_ascii=False))
        return
    probs = "  ".join(f"p({k})={v:.3f}" for k, v in c["probabilities"].items())
    print(f"predicted {c['label']}  {probs}  (coefficient x tf-idf: + pushes toward {c['label']}, - away from it; "
          f"intercept {c['intercept']:+.4f}, score {c['score']:+.4f})")
    width = max(len(f["term"]) for f in features)
    for f in features:
        print(f"  {f['term']:<{width}}  {f['contribution']:+.4f}  = {f['weight']:+.4f} x {f['tfidf']:.4f}")


def print_token_scores(exp, as_json: bool) -> None:
    """A recurrent model's explanation: one line per token with its score and a bar."""
    if as_json:
        print(json.dumps({"label": exp.label, "probabilities": exp.probabilities, "method": exp.method,
                          "tokens": exp.tokens, "scores": exp.scores}, ensure_ascii=False))
        return
    probs = "  ".join(f"p({k})={v:.3f}" for k, v in exp.probabilities.items())
    sign = "weights sum to 1" if exp.method == "attention" else f"+ pushes toward {exp.label}, - away from it"
    print(f"predicted {exp.label}  {probs}  ({exp.method}: {sign}; '?' marks words outside the vocabulary)")
    width = max(len(t) for t in exp.tokens)
    top = max(abs(s) for s in exp.scores) or 1.0
    for token, score in zip(exp.tokens, exp.scores):
        bar = ("+" if score >= 0 else "-") * max(0, round(20 * abs(score) / top))
        print(f"  {token:<{width}}  {score:+.4f}  {bar}")


def write_figures(exp, html_path: Path | None, png_path: Path | None, force: bool = False) -> None:
    """The explanation as an HTML page with its legend and as a bar chart with its axis label,
    each written through a temporary file (a failure never leaves a truncated file)."""
    from textrnn.files import atomic_file
    from textrnn.inference.explain import legend, to_html

    if html_path:
        atomic_write_text(html_path, to_html(exp), replace=force)
        print(f"wrote {html_path}", file=sys.stderr)
    if png_path:
        from textrnn.plots import plot_token_weights

        words = legend(exp)
        with atomic_file(png_path, replace=force) as tmp:
            plot_token_weights(exp.tokens, exp.scores, tmp, words["predicted"], xlabel=words["axis"])
        print(f"wrote {png_path}", file=sys.stderr)
