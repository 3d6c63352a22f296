"""One question -> one answer: validate, retrieve (qa/retrieve.py), generate (qa/generate.py), verify
(qa/verify.py). The one engine behind the CLI, the UI, the API, the eval and the self-calibration; each of
its three parts can be passed in (qa/parts.py).

`stream` yields updates as they happen: the sources first (before the model is called), then the draft's
tokens, then the final answer with its verdict — shown as supported or partly supported, or withheld with
why (the draft stays available), never silently replaced.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from config.settings import Settings
from qa import prompt
from qa.followup import Turn, with_context
from qa.generate import Draft, Generator
from qa.parts import Generating, Retrieving, Verifying
from qa.retrieve import Retriever
from qa.schema import Answer, Passage, best
from qa.verify import Verdict, Verifier
from text.injection import defuse
from text.language import detect
from text.markup import clean_inline

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NOTHING_CLOSE = "no passage is close enough to the question"


class InvalidQuestion(ValueError):
    pass


@dataclass
class Update:
    kind: Literal["sources", "token", "final"]
    answer: Answer
    delta: str = ""


class Engine:
    def __init__(self, settings: Settings, retriever: Retrieving | None = None, generator: Generating | None = None,
                 verifier: Verifying | None = None) -> None:
        self.settings = settings
        self.retriever = retriever or Retriever(settings)
        self.generator = generator or Generator(settings)
        self.verifier = verifier or Verifier(settings)

    @property
    def backend(self) -> dict[str, str]:
        return {"llm": f"{self.settings.llm.backend}:{self.settings.llm.model_name}",
                "embed": self.settings.embed.model.rstrip("/").rsplit("/", 1)[-1]}

    def validate(self, question: str) -> str:
        question = _CONTROL.sub(" ", question or "").strip()
        if not question:
            raise InvalidQuestion("Please type a question.")
        limit = self.settings.retrieval.max_question_chars
        if len(question) > limit:
            raise InvalidQuestion(
                f"The question is {len(question):,} characters long; the limit is {limit:,}. "
                "Please ask a shorter question."
            )
        return question

    def search(self, question: str) -> list[Passage]:
        return self.retriever.retrieve(self.validate(question))

    def search_answer(self, question: str) -> Answer:
        """Search mode: the best passages with their most relevant sentence cited, no generation."""
        t0 = time.perf_counter()
        question = self.validate(question)
        ans = Answer(question=question, lang=detect(question), backend=self.backend, query=question)
        ans.retrieved = self.retriever.retrieve(question)
        ans.timings.retrieve_ms = _ms(t0)
        if not self._relevant(ans.retrieved):
            return self._refuse(ans, t0, "not_in_documents", _NOTHING_CLOSE)
        ans.citations = self.verifier.quotes(question, ans.retrieved)
        ans.answer = "\n".join(f"[{c.n}] {clean_inline(c.quote)}" for c in ans.citations)
        ans.timings.total_ms = _ms(t0)
        return ans

    def ask(self, question: str, history: Sequence[str | Turn] = ()) -> Answer:
        *_, final = self.stream(question, history)
        return final.answer

    def preview(self, question: str, history: Sequence[str | Turn] = ()) -> Answer:
        """What is known before the model is called: the passages to show at once, or the refusal when
        none is close enough to the question (the model is then not asked: it would guess)."""
        t0 = time.perf_counter()
        question = self.validate(question)
        ans = Answer(question=question, lang=detect(question), backend=self.backend)
        ans.query, ans.retrieved = self._search(question, history)
        ans.timings.retrieve_ms = _ms(t0)
        return ans if self._relevant(ans.retrieved) else self._refuse(ans, t0, "not_in_documents", _NOTHING_CLOSE)

    def _search(self, question: str, history: Sequence[str | Turn]) -> tuple[str, list[Passage]]:
        """The question made standalone once (qa/followup.py) and its passages: with the last exchange
        appended when that brings it closer to the documents, else alone."""
        alone = self.retriever.retrieve(question)
        joined = with_context(question, history)
        if joined is None:
            return question, alone
        found = self.retriever.retrieve(joined)
        closer = (b := best(found)) is not None and (a := best(alone)) is not None and b.score > a.score
        return (joined, found) if closer or not alone else (question, alone)

    def stream(self, question: str, history: Sequence[str | Turn] = ()) -> Iterator[Update]:
        """history: the conversation before the question, oldest first: (role, text) messages, or the user's
        earlier questions as strings."""
        t0 = time.perf_counter()
        ans = self.preview(question, history)
        yield Update("sources", ans)
        if ans.refused:
            yield Update("final", ans)
            return
        shown = _defused(ans.retrieved)  # what the model may read, and so what may support it
        draft, fit = Draft(), self.verifier.fit  # one fit for the whole question
        for delta in self.generator.stream(ans.query, shown, ans.lang, draft,
                                           lambda probe: self.verifier.answerable(probe, fit)):
            if ans.timings.first_token_ms is None:
                ans.timings.first_token_ms = _ms(t0 + draft.load_s)  # answering, not a cold model load
            yield Update("token", ans, delta)
        t0 += draft.load_s
        ans.draft, ans.timings.gen_tokens_per_s = draft.text, draft.tokens_per_s
        signals = {"retrieval": best(ans.retrieved).score, **({"probe": draft.probe} if draft.probe is not None
                                                               else {})}
        if draft.error:
            ans.error, ans.answer = draft.error, draft.text
        elif not draft.answered:
            ans.checks = signals
            self._refuse(ans, t0, "not_in_documents", f"the model's own reading says the passages do not answer "
                                                      f"(P(yes) {draft.probe:.2f})")
        else:
            self._apply(ans, self.verifier.verify(ans.query, ans.lang, shown, draft.text, signals, fit), t0)
        ans.timings.total_ms = _ms(t0)
        yield Update("final", ans)

    def _apply(self, ans: Answer, verdict: Verdict, t0: float) -> None:
        ans.checks = dict(verdict.signals)
        ans.candidate, ans.confidence = verdict.text, verdict.confidence
        if not verdict.shown:
            self._refuse(ans, t0, verdict.status, verdict.reason)
            ans.confidence = verdict.confidence
            return
        ans.verdict, ans.reason = verdict.status, verdict.reason
        ans.answer, ans.citations, ans.unsupported = verdict.text, verdict.citations, verdict.unsupported

    def _relevant(self, passages: list[Passage]) -> bool:
        """Is the best passage close enough to the question to let anything be answered from it?"""
        top = best(passages)
        return top is not None and top.score >= self.settings.retrieval.min_score

    def _refuse(self, ans: Answer, t0: float, status: str, why: str | None) -> Answer:
        ans.refused, ans.answer, ans.citations, ans.unsupported = True, prompt.refusal(ans.lang), [], []
        ans.verdict, ans.reason, ans.confidence = status, why, None
        ans.timings.total_ms = _ms(t0)
        return ans


def _defused(passages: list[Passage]) -> list[Passage]:
    """Passages with their order-giving sentences blanked (same offsets): data, never instructions."""
    return [replace(p, text=defuse(p.text, p.orders)) if p.orders else p for p in passages]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
