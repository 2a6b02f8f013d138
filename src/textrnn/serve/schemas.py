"""The JSON bodies the server accepts, one per model kind, and the limits every request is held to.

Unknown fields are refused (a typo such as ``"temprature"`` is an error, not a silent default).
A prediction request gives either ``text`` (one string) or ``texts`` (a list); the answer is a
list ``predictions`` either way, one item per text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class Limits:
    """What one request may ask for; more is answered with HTTP 413 (body) or 422 (the rest).

    Attributes:
        max_body_bytes: the most bytes of a request body.
        max_texts: the most texts in one request.
        max_chars: the most characters of one text (also of a char LM's ``prime``).
        max_generate: the most characters a char LM generates per request.
        max_beam: the widest seq2seq beam.
        max_output_len: the longest seq2seq output, in units.
    """

    max_body_bytes: int = 1_048_576
    max_texts: int = 256
    max_chars: int = 10_000
    max_generate: int = 5_000
    max_beam: int = 32
    max_output_len: int = 1_000


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextsRequest(_Request):
    text: Optional[str] = Field(None, description="One text (give this or texts).")
    texts: Optional[list[str]] = Field(None, description="Several texts, answered in order.")


class ClassifyRequest(TextsRequest):
    top: Optional[int] = Field(None, ge=1, description="Return only the N most probable labels' probabilities.")


class TagRequest(TextsRequest):
    probs: bool = Field(False, description="Add each chosen tag's probability (CRF marginals or softmax).")


class TranslateRequest(TextsRequest):
    beam: Optional[int] = Field(None, ge=1, description="Hypotheses kept per text; 1 = greedy decoding [default: 5, or the server's limit if lower].")
    n_best: int = Field(1, ge=1, description="Outputs per text (<= beam), best first.")
    alpha: float = Field(0.6, ge=0, le=10, description="Length penalty exponent (Wu et al. 2016).")
    max_len: Optional[int] = Field(None, ge=1, description="The most output units [default: the model's].")
    attention: bool = Field(False, description="Add each output's attention matrix (output x source units).")


class GenerateRequest(_Request):
    prime: str = Field("", description="Text the generated characters continue.")
    length: int = Field(200, ge=1, description="Characters to generate.")
    temperature: float = Field(1.0, gt=0, le=100, description="Softmax temperature; below 1 is more conservative.")
    top_k: int = Field(0, ge=0, description="Sample among the k most probable characters; 0 = all.")
    seed: Optional[int] = Field(None, ge=0, le=2**63 - 1, description="Seed for a repeatable sample.")


class ExplainRequest(_Request):
    text: str = Field(..., description="The text whose prediction is explained.")
    top: Optional[int] = Field(None, ge=1, description="tfidf-lr: only the N largest contributions.")


# kind -> the body of POST /v1/models/{name}/predict
PREDICT_BODIES: dict[str, type[_Request]] = {
    "classifier": ClassifyRequest, "tagger": TagRequest, "seq2seq": TranslateRequest, "char_lm": GenerateRequest,
}
