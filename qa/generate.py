"""Question + retrieved passages -> the model's draft, streamed: which passages it reads, the prompt, the probe.

One job: talk to the language model (llm). What the draft is worth is decided afterwards (qa/verify.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import openai

from config.settings import RetrievalSettings, Settings
from llm import Backend, BackendUnavailable, Preempted, describe, shared_backend, turns
from qa import prompt
from qa.schema import Passage, best


@dataclass
class Draft:
    """What the model wrote for one question, filled in as it streams."""

    text: str = ""
    probe: float | None = None  # the model's P("yes") that the passages answer, read before it writes (None:
    # a server that returns no log-probabilities)
    answered: bool = False  # the probe let the model write (stage 1 of the checks)
    tokens: int = 0
    load_s: float = 0.0  # a cold model load before answering (not part of the answer's timings)
    first_token_at: float | None = None
    ended_at: float | None = None
    error: str | None = None  # the backend failed: what to tell the user

    @property
    def tokens_per_s(self) -> float | None:
        if self.first_token_at is None or self.ended_at is None or self.tokens < 2:
            return None
        return round((self.tokens - 1) / max(self.ended_at - self.first_token_at, 1e-6), 2)


def context(passages: list[Passage], cfg: RetrievalSettings) -> list[Passage]:
    """The passages the model reads: those close to the best score, at most `context_passages`, in the shown
    order — always with the best passage by meaning (the keyword bonus can rank it 4th or 5th: a paraphrase
    shares few words), which then replaces the last of the others."""
    top = best(passages)
    if top is None:
        return []
    chosen = [p for p in passages if p.score >= top.score - cfg.context_margin][: cfg.context_passages]
    if top not in chosen:
        chosen = [*chosen[: cfg.context_passages - 1], top]
    return [p for p in passages if p in chosen]


class Generator:
    """background: work nobody waits for (the self-calibration): it goes after the user's questions and
    stops between tokens when one arrives (Preempted)."""

    def __init__(self, settings: Settings, backend: Backend | None = None, background: bool = False) -> None:
        self.settings = settings
        self._backend = backend
        self.background = background

    def backend(self) -> Backend:
        """The warm model (loaded on first use, shared by every engine with the same settings)."""
        return self._backend or shared_backend(self.settings.llm)

    def context(self, passages: list[Passage]) -> list[Passage]:
        return context(passages, self.settings.retrieval)

    def stream(self, query: str, shown: list[Passage], lang: str, draft: Draft,
               may_answer: Callable[[float | None], bool] = lambda _: True) -> Iterator[str]:
        """The answer's pieces as the model writes them, into `draft` too. First the probe, on the same reading
        of the passages (the answer reads on from it); `may_answer(probe)` False: no draft is written.
        `shown`: the passages as the user sees them numbered; the model reads the context among them, under
        the same numbers. A backend that is down or dies mid-answer ends the stream with draft.error set (what
        was written stays in draft.text)."""
        order = turns(self.settings.llm)
        try:
            loading = time.perf_counter()
            backend = self.backend()
            draft.load_s = time.perf_counter() - loading
            with order.background() if self.background else order.question():
                chosen = self.context(shown)
                messages = prompt.build_messages(query, chosen, lang, numbers=[shown.index(p) + 1 for p in chosen])
                draft.probe = backend.reply_probability(prompt.probe_messages(query, messages), *prompt.REPLIES)
                if not may_answer(draft.probe):
                    return
                draft.answered = True
                for delta in backend.stream(messages, max_tokens=self.settings.llm.max_tokens,
                                            temperature=self.settings.llm.temperature):
                    if self.background and order.wanted:
                        raise Preempted("a question is waiting")
                    if draft.first_token_at is None:
                        draft.first_token_at = time.perf_counter()
                    draft.tokens += 1
                    draft.text += delta
                    yield delta
                draft.ended_at = time.perf_counter()
        except Preempted:
            raise
        except BackendUnavailable as e:
            draft.error = str(e)
        except Exception as e:
            draft.error = f"The language model ({describe(self.settings.llm)}) failed: {_reason(e)}"


def _reason(e: Exception) -> str:
    text = str(e).strip() or type(e).__name__
    if isinstance(e, ConnectionError | httpx.ConnectError | openai.APIConnectionError):
        return f"cannot connect ({text}). Is the server running?"
    return text
