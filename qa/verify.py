"""Should this answer be shown? One calibrated score from language-neutral signals, no rule per question.

Features (all in [0, 1] or logits, the same for every language):
- retrieval: the best passage's cosine to the question (the embedding model is multilingual);
- probe: the model's own P("yes") that the passages state the answer to this exact question, read from its
  next-token distribution before it answers (asked after the answer, about the answer, it says yes to
  nearly everything: measured and dropped, BENCHMARKS.md);
- support: how well the passages support the answer's weakest sentence (qa/cite.py).
P(right) = sigmoid(bias + weights · features), with weights and threshold fitted on the eval suite's dev
halves (`python -m eval.calibrate`) and kept in one settings place (config `checks`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from config.settings import ChecksSettings, Settings
from index.embedder import similarity
from qa import conflict, prompt
from qa.cite import attribute, best_sentences, strip_markers
from qa.schema import Answer, Citation, Passage
from text.tokens import words

FEATURES = ("retrieval", "probe", "support")


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def vector(checks: dict[str, float]) -> list[float]:
    """The features as the calibrated model reads them: probabilities as logits, scores as they are."""
    return [_logit(checks[name]) if name == "probe" else checks[name] for name in FEATURES]


def confidence(checks: dict[str, float], cfg: ChecksSettings) -> float:
    weights = (cfg.w_retrieval, cfg.w_probe, cfg.w_support)
    z = cfg.bias + sum(w * x for w, x in zip(weights, vector(checks), strict=True))
    return 1 / (1 + math.exp(-z))


def is_refusal_sentence(draft: str) -> bool:
    """The model wrote the refusal sentence it was told to write (in any of the app's languages)."""
    said = words(strip_markers(draft)[0])
    return bool(said) and any(said[: len(r)] == r for r in (words(s) for s in prompt.refusals()))


@dataclass
class Verdict:
    refuse: bool
    reason: str | None
    confidence: float


def decide(checks: dict[str, float], supported_sentences: int, model_refused: bool, cfg: ChecksSettings) -> Verdict:
    p = confidence(checks, cfg)
    if model_refused:
        return Verdict(True, "the model said the passages do not answer", p)
    if supported_sentences == 0:
        return Verdict(True, "no sentence of the answer is supported by a shown passage", p)
    if p < cfg.threshold:
        return Verdict(True, f"confidence {p:.2f} is under the calibrated threshold {cfg.threshold:.2f}", p)
    return Verdict(False, None, p)


class Verifier:
    """A draft -> the answer as shown: each sentence attributed to the passage that supports it (qa/cite.py),
    the calibrated decision to show it or refuse, and the sources' disagreements said and cited."""

    def __init__(self, settings: Settings) -> None:
        self.cfg = settings.checks
        self.similarity = partial(similarity, settings.embed)

    def check(self, ans: Answer, shown: list[Passage], query: str, draft: str, checks: dict[str, float]) -> str | None:
        """Fill ans with the verified answer; return why it must be refused instead (None: show it).
        checks: the signals known before the answer (retrieval, probe); support is added here."""
        # Embedding similarity counts where the answer's language is not the passages' (words cannot match).
        cross = any(p.lang and p.lang != ans.lang for p in shown)
        result = attribute(draft, shown, query, self.similarity, cross_lingual=cross, threshold=self.cfg.cite_support)
        checks = {**checks, "support": result.support}
        verdict = decide(checks, result.supported_sentences, is_refusal_sentence(draft), self.cfg)
        ans.checks, ans.candidate = {**checks, "confidence": verdict.confidence}, result.text
        if verdict.refuse:
            return verdict.reason
        ans.answer, ans.citations, ans.unsupported = result.text, result.citations, result.unsupported
        if conflicts := conflict.find(result.citations, shown, query, self.similarity):
            ans.answer = f"{ans.answer}\n\n{conflict.note(conflicts, ans.lang)}"  # say so, cite both
            ans.citations = [*ans.citations, *(c.other for c in conflicts)]
        return None

    def quotes(self, question: str, passages: list[Passage]) -> list[Citation]:
        """Search mode: each passage's sentence that best matches the question."""
        return best_sentences(question, passages, self.similarity)
