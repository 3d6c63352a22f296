"""retrieve -> decide answerability -> prompt -> generate (streamed) -> attribute and verify citations.

The one engine behind the CLI, the UI and the eval. `stream` yields updates as they happen: the sources
first (before the model is called), then tokens, then the final, verified answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from config.settings import Settings
from index.embedder import similarity
from qa import conflict, prompt, verify
from qa.cite import Attribution, attribute, best_sentences
from qa.followup import Turn, standalone
from qa.injection import defuse
from qa.language import detect_language
from qa.llm import BackendUnavailable, describe, generation_lock, shared_llm, yes_probability
from qa.retrieve import Retriever
from qa.schema import Answer, Passage
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
        self._similarity = partial(similarity, settings.embed)

    @property
    def backend(self) -> dict[str, str]:
        return {"llm": f"{self.settings.llm.backend}:{self.settings.llm.model_name}",
                "embed": self.settings.embed.model.rstrip("/").rsplit("/", 1)[-1]}

    def llm(self):
        try:
            return shared_llm(self.settings.llm)
        except BackendUnavailable:
            raise
        except Exception as e:
            raise BackendUnavailable(f"cannot start {describe(self.settings.llm)}: {e}") from e

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
        ans = Answer(question=question, lang=detect_language(question), backend=self.backend)
        ans.retrieved = self.retriever.retrieve(question)
        ans.timings.retrieve_ms = _ms(t0)
        if not self._relevant(ans.retrieved):
            return self._refuse(ans, t0, _NOTHING_CLOSE)
        ans.citations = best_sentences(question, ans.retrieved, self._similarity)
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
        ans = Answer(question=question, lang=detect_language(question), backend=self.backend)
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
        lang, query = ans.lang, standalone(ans.question, history)  # what retrieval and the model saw

        draft, tokens, t_first = "", 0, None
        checks = {"retrieval": max(p.score for p in ans.retrieved)}
        try:
            loading = time.perf_counter()
            llm = self.llm()
            t0 += time.perf_counter() - loading  # timings describe answering, not a cold model load
            with generation_lock(self.settings.llm):
                shown = _defused(ans.retrieved)  # what the model may read, and so what may support it
                context = self.context(shown)
                messages = prompt.build_messages(query, context, lang, numbers=[shown.index(p) + 1 for p in context])
                # Before the answer, on the same reading of the passages (the answer reuses it).
                checks["probe"] = yes_probability(llm, prompt.probe_messages(query, messages), then=messages)
                last = None
                for chunk in llm.stream_chat(messages):
                    last = chunk
                    if not chunk.delta:
                        continue
                    if t_first is None:
                        t_first = time.perf_counter()
                        ans.timings.first_token_ms = _ms(t0)
                    tokens += 1
                    draft += chunk.delta
                    yield Update("token", ans, chunk.delta)
            if last is not None and not _finished(last.raw):
                raise ConnectionError("the answer stream stopped before the end (server gone?)")
        except Exception as e:  # a backend that is down, or dies mid-answer
            ans.error = f"The language model ({describe(self.settings.llm)}) failed: {_reason(e)}"
            ans.answer = draft
            ans.timings.total_ms = _ms(t0)
            yield Update("final", ans)
            return
        if t_first is not None and tokens > 1:
            ans.timings.gen_tokens_per_s = round((tokens - 1) / max(time.perf_counter() - t_first, 1e-6), 2)
        ans.draft = draft
        result = self._attribute(ans, shown, query, draft)
        checks["support"] = result.support
        verdict = verify.decide(checks, result.supported_sentences, verify.is_refusal_sentence(draft),
                                self.settings.checks)
        ans.checks = {**checks, "confidence": verdict.confidence}
        ans.candidate = result.text
        yield Update("final", self._finish(ans, shown, query, result, verdict.reason, t0))

    def context(self, passages: list[Passage]) -> list[Passage]:
        """The passages close to the best score (the best one always among them), in the shown order — and
        the one closest to the question by meaning alone: the keyword bonus can rank it 4th or 5th (a
        paraphrase shares few words), and it then replaces the last of the others."""
        cfg = self.settings.retrieval
        floor = passages[0].score - cfg.context_margin
        chosen = [p for p in passages if p.score >= floor][: cfg.context_passages]
        closest = max(passages, key=lambda p: p.score)
        if closest not in chosen:
            chosen = [*chosen[: cfg.context_passages - 1], closest]
        return [p for p in passages if p in chosen]

    def _relevant(self, passages: list[Passage]) -> bool:
        """Is the best passage close enough to the question to let anything be answered from it?"""
        return bool(passages) and passages[0].score >= self.settings.retrieval.min_score

    def _attribute(self, ans: Answer, shown: list[Passage], query: str, draft: str) -> Attribution:
        """The draft with verified citations. Embedding similarity counts where the answer's language is not
        the passages' (their words cannot match)."""
        cross = any(detect_language(p.text) != ans.lang for p in shown)
        return attribute(draft, shown, query, self._similarity, cross_lingual=cross,
                         threshold=self.settings.checks.cite_support)

    def _finish(self, ans: Answer, shown: list[Passage], query: str, result: Attribution, why: str | None,
                t0: float) -> Answer:
        if why is not None:
            return self._refuse(ans, t0, why)
        ans.answer, ans.citations, ans.unsupported = result.text, result.citations, result.unsupported
        if conflicts := conflict.find(result.citations, shown, query, self._similarity):
            ans.answer = f"{ans.answer}\n\n{conflict.note(conflicts, ans.lang)}"  # say so, cite both
            ans.citations = [*ans.citations, *(c.other for c in conflicts)]
        ans.timings.total_ms = _ms(t0)
        return ans

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


def _field(obj: object, name: str) -> object:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _finished(raw: object) -> bool:
    """Did the backend say the answer ended (Ollama's done, OpenAI/llama.cpp's finish_reason)?"""
    if raw is None:
        return True
    if (done := _field(raw, "done")) is not None:
        return bool(done)
    if choices := _field(raw, "choices"):
        return _field(choices[0], "finish_reason") is not None
    return True


def _reason(e: Exception) -> str:
    text = str(e).strip() or type(e).__name__
    if "connect" in text.lower() or isinstance(e, ConnectionError):
        return f"cannot connect ({text}). Is the server running?"
    return text
