"""One question -> one answer: validate, retrieve (qa/retrieve.py), generate (qa/generate.py), verify
(qa/verify.py). The one engine behind the CLI, the UI, the API and the eval.

`stream` yields updates as they happen: the sources first (before the model is called), then tokens, then
the final, verified answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from config.settings import Settings
from qa import prompt
from qa.followup import Turn, standalone
from qa.generate import Draft, Generator
from qa.retrieve import Retriever
from qa.schema import Answer, Passage
from qa.verify import Verifier
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
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.retriever = Retriever(settings)
        self.generator = Generator(settings)
        self.verifier = Verifier(settings)

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
        ans = Answer(question=question, lang=detect(question), backend=self.backend)
        ans.retrieved = self.retriever.retrieve(question)
        ans.timings.retrieve_ms = _ms(t0)
        if not self._relevant(ans.retrieved):
            return self._refuse(ans, t0, _NOTHING_CLOSE)
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
        ans.retrieved = self.retriever.retrieve(standalone(question, history))
        ans.timings.retrieve_ms = _ms(t0)
        return ans if self._relevant(ans.retrieved) else self._refuse(ans, t0, _NOTHING_CLOSE)

    def stream(self, question: str, history: Sequence[str | Turn] = ()) -> Iterator[Update]:
        """history: the conversation before the question, oldest first: (role, text) messages, or the user's
        earlier questions as strings (qa/followup.py makes the question standalone from either)."""
        t0 = time.perf_counter()
        ans = self.preview(question, history)
        yield Update("sources", ans)
        if ans.refused:
            yield Update("final", ans)
            return
        query = standalone(ans.question, history)  # what retrieval and the model saw
        shown = _defused(ans.retrieved)  # what the model may read, and so what may support it
        draft = Draft()
        for delta in self.generator.stream(query, shown, ans.lang, draft):
            if ans.timings.first_token_ms is None:
                ans.timings.first_token_ms = _ms(t0 + draft.load_s)  # answering, not a cold model load
            yield Update("token", ans, delta)
        t0 += draft.load_s
        ans.draft, ans.timings.gen_tokens_per_s = draft.text, draft.tokens_per_s
        if draft.error:
            ans.error, ans.answer = draft.error, draft.text
        else:
            checks = {"retrieval": max(p.score for p in ans.retrieved), "probe": draft.probe}
            if (why := self.verifier.check(ans, shown, query, draft.text, checks)) is not None:
                self._refuse(ans, t0, why)
        ans.timings.total_ms = _ms(t0)
        yield Update("final", ans)

    def _relevant(self, passages: list[Passage]) -> bool:
        """Is the best passage close enough to the question to let anything be answered from it?"""
        return bool(passages) and passages[0].score >= self.settings.retrieval.min_score

    def _refuse(self, ans: Answer, t0: float, why: str) -> Answer:
        ans.refused, ans.answer, ans.citations = True, prompt.refusal(ans.lang), []
        ans.refusal_reason = why
        ans.timings.total_ms = _ms(t0)
        return ans


def _defused(passages: list[Passage]) -> list[Passage]:
    """Passages with their order-giving sentences blanked (same offsets): data, never instructions."""
    return [replace(p, text=defuse(p.text)) if p.suspicious else p for p in passages]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
