"""A draft -> a verdict: how well the shown passages support it, never a silent replacement.

Every sentence is attributed in code to the passage sentence that supports it (qa/cite.py). The signals,
the same for every language:
- retrieval: the best passage's cosine to the question (the multilingual embedding);
- probe: the model's own P("yes") that the passages state the answer, read before it writes;
- support: how well the passages support the answer's weakest sentence;
- first: 1 when shown passage [1] supports a sentence of the answer (with a small model, an answer drawn only
  from passages further down is right less often).
The collection's fit (qa/fit.py) turns them into P(right) and a verdict: supported, partly supported, or
withheld (with why; the draft stays available to the reader).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from config.settings import Settings
from index.embedder import similarity
from qa import conflict, prompt
from qa.cite import attribute, best_sentences, strip_markers
from qa.fit import Fit, Fits
from qa.schema import Citation, Passage
from text.tokens import words

Status = Literal["supported", "partly_supported", "withheld", "not_in_documents"]


def is_refusal_sentence(draft: str) -> bool:
    """The model wrote the refusal sentence it was told to write (in any of the app's languages)."""
    said = words(strip_markers(draft)[0])
    return bool(said) and any(said[: len(r)] == r for r in (words(s) for s in prompt.refusals()))


@dataclass
class Verdict:
    status: Status
    confidence: float | None  # the calibrated P(right); None when nothing was scored
    reason: str | None  # why it is withheld or refused, or what is only partly supported
    text: str = ""  # the draft with verified [n] markers (and the sources' disagreements, if any)
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[tuple[int, int]] = field(default_factory=list)  # spans of `text` no passage supports
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.status in ("supported", "partly_supported")


def judge(signals: dict[str, float], supported: int, sentences: int, model_refused: bool, fit: Fit) -> Verdict:
    """The decision alone, from the signals (the eval replays it with other fits). Without a calibrated fit
    there is no confidence: the verdict rests on the citation checks alone."""
    if model_refused:
        return Verdict("not_in_documents", None, "the model said the passages do not answer", signals=signals)
    p = fit.confidence(signals) if fit.calibrated else None
    if supported == 0:
        return Verdict("withheld", p, "no sentence of the draft is supported by a shown passage", signals=signals)
    if p is None:
        status: Status = "supported" if supported == sentences else "partly_supported"
        why = None if supported == sentences else f"{sentences - supported} of {sentences} sentences are not " \
                                                  "supported by a shown passage"
        return Verdict(status, None, why, signals=signals)
    if p < fit.threshold:
        return Verdict("withheld", p, f"its calibrated confidence {p:.2f} is under the threshold "
                                      f"{fit.threshold:.2f} ({fit.describe()})", signals=signals)
    if supported < sentences:
        return Verdict("partly_supported", p, f"{sentences - supported} of {sentences} sentences are not "
                                              "supported by a shown passage", signals=signals)
    if p < fit.supported_at:  # supported_at: where 9 in 10 calibration answers were right (1: nowhere)
        bar = f"the {fit.supported_at:.2f} at which" if fit.supported_at < 1 else "any level at which"
        return Verdict("partly_supported", p, f"its calibrated confidence {p:.2f} is under {bar} 9 in 10 "
                                              "calibration answers were right", signals=signals)
    return Verdict("supported", p, None, signals=signals)


class Verifier:
    """fit: a fixed one (the self-calibration and the eval suite pass an open fit, to record every draft);
    by default the collection's current fit (qa/fit.py)."""

    def __init__(self, settings: Settings, fit: Fit | None = None) -> None:
        self.settings = settings
        self._fixed = fit
        self._fits = Fits(settings)
        self.similarity = partial(similarity, settings.embed)

    @property
    def fit(self) -> Fit:
        return self._fixed or self._fits.current()

    def answerable(self, probe: float | None, fit: Fit) -> bool:
        """Stage 1, before any draft: may the model answer from these passages at all? (No probe — a server
        that gives no log-probabilities — is no evidence either way.)"""
        return probe is None or probe >= fit.probe_floor

    def verify(self, question: str, lang: str, shown: list[Passage], draft: str,
               signals: dict[str, float], fit: Fit) -> Verdict:
        """signals: those known before the draft (retrieval, probe); support and first are added here. `fit`:
        the one the question started with (a calibration may end meanwhile)."""
        # Embedding similarity counts where the answer's language is not the passages' (words cannot match).
        cross = any(p.lang and p.lang != lang for p in shown)
        result = attribute(draft, shown, question, self.similarity, cross_lingual=cross,
                           threshold=self.settings.checks.cite_support)
        first = next((c.n for c in result.citations), None)
        signals = {**signals, "support": result.support, "first": float(first == 1),
                   "supported": float(result.supported_sentences), "sentences": float(len(result.supports)),
                   "model_refused": float(is_refusal_sentence(draft))}
        verdict = judge(signals, result.supported_sentences, len(result.supports), bool(signals["model_refused"]), fit)
        verdict.text, verdict.citations, verdict.unsupported = result.text, result.citations, result.unsupported
        if verdict.shown and (conflicts := conflict.find(result.citations, shown, question, self.similarity)):
            verdict.text = f"{verdict.text}\n\n{conflict.note(conflicts, lang)}"  # say so, cite both
            verdict.citations = [*verdict.citations, *(c.other for c in conflicts)]
        return verdict

    def quotes(self, question: str, passages: list[Passage]) -> list[Citation]:
        """Search mode: each passage's sentence that best matches the question."""
        return best_sentences(question, passages, self.similarity)
