"""The structured answer: one object per question, shared by the CLI (--json), the UI, the eval and tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Passage:
    """A retrieved chunk. `text == file_text[start:end]` for the file `doc` (relative to the corpus)."""

    doc: str
    start: int
    end: int
    score: float
    text: str
    title: str = ""
    id: str = ""
    fused: float = 0.0  # the ranking score: cosine plus keyword bonus
    page: int | None = None  # PDF page the passage is on
    # Spans (in `text`) of its sentences that give orders to an assistant: shown flagged, blanked for the model.
    orders: list[tuple[int, int]] = field(default_factory=list)
    lang: str = ""  # ISO 639-1 code of its language, "" when it has nothing telling

    @property
    def suspicious(self) -> bool:
        return bool(self.orders)

    def public(self) -> dict[str, Any]:
        out = {"doc": self.doc, "start": self.start, "end": self.end, "score": round(self.score, 4),
               "text": self.text}
        return out | ({"page": self.page} if self.page else {})


def best(passages: list[Passage]) -> Passage | None:
    """The passage closest to the question by meaning (cosine), whatever the ranking put first: the one
    definition used to gate, to pick what the model reads and to score."""
    return max(passages, key=lambda p: p.score, default=None)


@dataclass
class Citation:
    """Citation `n` refers to passage n (1-based) in the retrieved list shown to the model and the user.

    `start`/`end` locate `quote`, the supporting sentence, in the document: quote == file_text[start:end].
    """

    n: int
    doc: str
    start: int
    end: int
    quote: str
    support: float = 0.0
    page: int | None = None


@dataclass
class Timings:
    retrieve_ms: float = 0.0
    first_token_ms: float | None = None
    total_ms: float = 0.0
    gen_tokens_per_s: float | None = None


@dataclass
class Answer:
    question: str
    answer: str = ""
    refused: bool = False
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Passage] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    backend: dict[str, str] = field(default_factory=dict)
    lang: str = "fr"
    # What retrieval and the model saw: the question, or a follow-up with the last exchange (qa/followup.py).
    query: str = ""
    # How well the passages support the answer (qa/verify.py): "supported", "partly_supported", "withheld"
    # (a draft was written; the checks did not let it through), "not_in_documents" (refused before any
    # draft), None (search mode, an error); and the calibrated P(right) it rests on.
    verdict: str | None = None
    confidence: float | None = None
    # Sentences of `answer` that no shown passage supports, as (start, end) in `answer`.
    unsupported: list[tuple[int, int]] = field(default_factory=list)
    error: str | None = None
    # Why the verdict (refused, withheld, only partly supported), and what the model wrote (empty if it did
    # not write): a withheld draft stays available to the reader, folded.
    reason: str | None = None
    draft: str = ""
    # The signals the answer was judged on (qa/verify.py) and the draft with its verified markers.
    checks: dict[str, float] = field(default_factory=dict)
    candidate: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [
                {k: v for k, v in asdict(c).items() if k != "support" and (k != "page" or v)}
                for c in self.citations
            ],
            "retrieved": [p.public() for p in self.retrieved],
            "timings": asdict(self.timings),
            "backend": dict(self.backend),
            "verdict": self.verdict,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            **({"query": self.query} if self.query and self.query != self.question else {}),
            **({"reason": self.reason} if self.reason else {}),
            **({"draft": self.draft} if self.draft else {}),
            **({"checks": {k: round(v, 4) for k, v in self.checks.items()}} if self.checks else {}),
            **({"candidate": self.candidate} if self.candidate else {}),
        }
