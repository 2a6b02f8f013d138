"""Tag schemes of entity tagging: BIO (IOB2) and BIOES, conversion between them, spans from tags,
the transitions a scheme allows, and entity-level strict precision / recall / F1.

Tags are ``O`` or ``<prefix>-<type>`` (``B-PER``, ``I-LOC``; BIOES adds ``E-`` ends and ``S-``
single-token entities). Strict matching follows seqeval's ``mode="strict"`` (Ramshaw & Marcus
1995; CoNLL-2003's scorer in its IOB2 form): an entity is a ``B-X`` followed by ``I-X`` tags of
the same type (BIOES: ``B-X I-X* E-X`` or ``S-X``); a tag that breaks this pattern starts no
entity, and a predicted entity counts only if its type and both ends equal a true one.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

SCHEMES = ("bio", "bioes")
Span = tuple[str, int, int]  # (type, first token, one past the last token)


def split_tag(tag: str) -> tuple[str, str]:
    """``"B-PER"`` -> ``("B", "PER")``; ``"O"`` -> ``("O", "")``; a tag without a known prefix -> ``("", tag)``."""
    if tag == "O":
        return "O", ""
    prefix, dash, kind = tag.partition("-")
    if dash and prefix in ("B", "I", "E", "S") and kind:
        return prefix, kind
    return "", tag


def is_entity_tagset(tags: Iterable[str]) -> bool:
    """Whether every tag is ``O`` or prefixed (``B-``/``I-``/``E-``/``S-``) and some tag is prefixed:
    an entity (NER) tag set rather than a part-of-speech one."""
    prefixes = {split_tag(t)[0] for t in tags}
    return "" not in prefixes and bool(prefixes - {"O"})


def repair_bio(tags: Sequence[str]) -> tuple[list[str], int]:
    """Turn each ``I-X`` that does not continue an ``X`` entity into ``B-X`` (how seqeval's default
    mode reads it). Returns the tags and how many were changed."""
    out, changed, previous = [], 0, "O"
    for tag in tags:
        prefix, kind = split_tag(tag)
        if prefix == "I" and split_tag(previous) not in (("B", kind), ("I", kind)):
            tag, changed = f"B-{kind}", changed + 1
        out.append(tag)
        previous = tag
    return out, changed


def bio_to_bioes(tags: Sequence[str]) -> list[str]:
    """Valid BIO tags -> BIOES (the last token of an entity becomes ``E-``, a one-token one ``S-``)."""
    out = []
    for i, tag in enumerate(tags):
        prefix, kind = split_tag(tag)
        follows = split_tag(tags[i + 1]) == ("I", kind) if i + 1 < len(tags) else False
        if prefix == "B":
            out.append(f"{'B' if follows else 'S'}-{kind}")
        elif prefix == "I":
            out.append(f"{'I' if follows else 'E'}-{kind}")
        else:
            out.append(tag)
    return out


def bioes_to_bio(tags: Sequence[str]) -> list[str]:
    """BIOES -> BIO (``S-`` -> ``B-``, ``E-`` -> ``I-``)."""
    out = []
    for tag in tags:
        prefix, kind = split_tag(tag)
        out.append({"S": f"B-{kind}", "E": f"I-{kind}"}.get(prefix, tag))
    return out


def spans(tags: Sequence[str], scheme: str = "bio") -> list[Span]:
    """Strict entity spans ``(type, start, end)`` (end exclusive) of one sentence's tags."""
    found: list[Span] = []
    start, current = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, kind = split_tag(tag)
        if start is not None:
            if prefix == "I" and kind == current:
                continue
            if scheme == "bioes" and prefix == "E" and kind == current:
                found.append((kind, start, i + 1))
                start = current = None
                continue
            if scheme == "bio":
                found.append((current, start, i))
            start = current = None  # BIOES: an entity that never reached its E- is no entity
        if prefix == "B":
            start, current = i, kind
        elif prefix == "S" and scheme == "bioes":
            found.append((kind, i, i + 1))
    return found


def allowed_transitions(tags: Sequence[str], scheme: str) -> tuple[list[bool], list[list[bool]], list[bool]]:
    """Which tags may start a sentence, follow each tag, and end a sentence under ``scheme``
    (``allowed[i][j]``: tag ``j`` may follow tag ``i``); for a CRF's constraints.

    BIO: ``I-X`` only after ``B-X`` or ``I-X``. BIOES: also ``E-X`` only after ``B-X``/``I-X``,
    and ``B-X``/``I-X`` must be followed by ``I-X``/``E-X``.
    """
    parts = [split_tag(t) for t in tags]

    def may_follow(a: tuple[str, str], b: tuple[str, str]) -> bool:
        (pa, ka), (pb, kb) = a, b
        inside = pa in ("B", "I")  # an entity is open after a
        if scheme == "bioes":
            if inside:
                return pb in ("I", "E") and kb == ka
            return pb not in ("I", "E")
        return pb != "I" or (inside and kb == ka)

    start = [p not in ("I", "E") for p, _ in parts]
    end = [not (scheme == "bioes" and p in ("B", "I")) for p, _ in parts]
    return start, [[may_follow(a, b) for b in parts] for a in parts], end


def entity_scores(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], scheme: str = "bio") -> dict:
    """Strict entity precision, recall, F1 per type, micro and macro over types.

    Args:
        true, pred: tag lists, one per sentence, of equal lengths.

    Returns:
        ``{"precision", "recall", "f1"`` (micro), ``"macro_f1", "per_type": {type: {precision,
        recall, f1, support}}, "n_true", "n_pred", "n_correct"}``.
    """
    t_count, p_count, hits = Counter(), Counter(), Counter()
    for t, p in zip(true, pred):
        ts, ps = set(spans(t, scheme)), set(spans(p, scheme))
        t_count.update(s[0] for s in ts)
        p_count.update(s[0] for s in ps)
        hits.update(s[0] for s in ts & ps)

    def prf(h: int, n_p: int, n_t: int) -> tuple[float, float, float]:
        precision = h / n_p if n_p else 0.0
        recall = h / n_t if n_t else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    per_type = {}
    for kind in sorted(set(t_count) | set(p_count)):
        precision, recall, f1 = prf(hits[kind], p_count[kind], t_count[kind])
        per_type[kind] = {"precision": precision, "recall": recall, "f1": f1, "support": t_count[kind]}
    precision, recall, f1 = prf(sum(hits.values()), sum(p_count.values()), sum(t_count.values()))
    kinds = [k for k in per_type if t_count[k]]
    macro = sum(per_type[k]["f1"] for k in kinds) / len(kinds) if kinds else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "macro_f1": macro, "per_type": per_type,
            "n_true": sum(t_count.values()), "n_pred": sum(p_count.values()), "n_correct": sum(hits.values())}
