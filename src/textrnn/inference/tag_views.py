"""Tagged text as people read it: ``token/TAG`` lines with entity spans, CoNLL-U with the predicted
column filled, and an HTML page with entities (or tags) shaded."""

from __future__ import annotations

import html
import zlib

from textrnn.tasks.schemes import split_tag

CONLLU_COLUMNS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")


def format_text(result: dict) -> str:
    """``Лев/B-PER Толстой/I-PER родился/O ...`` and, for entity tags, one line per entity:
    ``PER «Лев Толстой» [0:11]``."""
    lines = [" ".join(f"{t['text']}/{t['tag']}" for t in result["tokens"])]
    for e in result.get("entities", []):
        lines.append(f"  {e['type']} «{e['text']}» [{e['start']}:{e['end']}]")
    return "\n".join(lines)


def format_conllu(results: list[dict], column: str = "upos") -> str:
    """CoNLL-U with ``column`` (``upos``, ``xpos``, ``feats`` or, for entity tags, ``misc`` as
    ``NE=B-PER``) filled and the other columns ``_``; one sentence block per razdel sentence, with
    ``# text`` and the token's character offsets in MISC (``TokenRange=0:3``)."""
    out = []
    for doc, result in enumerate(results, 1):
        sentences: dict[int, list[dict]] = {}
        for token in result["tokens"]:
            sentences.setdefault(token.get("sentence", 0), []).append(token)
        for k, sentence in enumerate(sentences.values(), 1):
            start, end = sentence[0]["start"], sentence[-1]["end"]
            out.append(f"# sent_id = {doc}-{k}")
            out.append(f"# text = {result['text'][start:end]}".replace("\n", " "))
            for i, token in enumerate(sentence, 1):
                row = dict.fromkeys(CONLLU_COLUMNS, "_")
                row["id"], row["form"] = str(i), token["text"]
                misc = [f"TokenRange={token['start']}:{token['end']}"]
                if column == "misc":
                    misc.insert(0, f"NE={token['tag']}")
                else:
                    row[column] = token["tag"]
                row["misc"] = "|".join(misc)
                out.append("\t".join(row[c] for c in CONLLU_COLUMNS))
            out.append("")
    return "\n".join(out) + ("\n" if out else "")


def _colour(kind: str) -> str:
    return f"hsl({zlib.crc32(kind.encode()) % 360}, 70%, 85%)"


def format_html(results: list[dict]) -> str:
    """A self-contained HTML page: entities shaded by type (with the type after them), or each
    token shaded by its tag with the tag as a tooltip."""
    body = []
    for result in results:
        text, parts, at = result["text"], [], 0
        if "entities" in result:
            for e in result["entities"]:
                parts.append(html.escape(text[at:e["start"]]))
                parts.append(f'<mark style="background:{_colour(e["type"])}">{html.escape(e["text"])}'
                             f'<sub>{html.escape(e["type"])}</sub></mark>')
                at = e["end"]
        else:
            for t in result["tokens"]:
                tag = split_tag(t["tag"])[1] or t["tag"]
                parts.append(html.escape(text[at:t["start"]]))
                parts.append(f'<span title="{html.escape(t["tag"])}" style="background:{_colour(tag)}">'
                             f'{html.escape(t["text"])}</span>')
                at = t["end"]
        parts.append(html.escape(text[at:]))
        body.append(f"<p>{''.join(parts)}</p>")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>textrnn tags</title>"
            "<style>body{font:16px/2 sans-serif;max-width:50em;margin:2em auto}mark,span{padding:2px 3px;"
            "border-radius:3px}sub{font-size:60%;margin-left:2px}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
