"""Question + retrieved passages -> the model's draft, streamed: which passages it reads, the prompt, the probe.

One job: talk to the language model. What the draft is worth is decided afterwards (qa/verify.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from llama_index.core.llms import LLM

from config.settings import Settings
from qa import prompt
from qa.llm import BackendUnavailable, describe, generation_lock, shared_llm, yes_probability
from qa.schema import Passage


@dataclass
class Draft:
    """What the model wrote for one question, filled in as it streams."""

    text: str = ""
    probe: float = 0.5  # the model's P("yes") that the passages answer, read before it answers
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


class Generator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def llm(self) -> LLM:
        """The warm model (loaded on first use, shared by every engine with the same settings)."""
        try:
            return shared_llm(self.settings.llm)
        except BackendUnavailable:
            raise
        except Exception as e:
            raise BackendUnavailable(f"cannot start {describe(self.settings.llm)}: {e}") from e

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

    def stream(self, query: str, shown: list[Passage], lang: str, draft: Draft) -> Iterator[str]:
        """The answer's pieces as the model writes them, into `draft` too. `shown`: the passages as the user
        sees them numbered; the model reads the context among them, under the same numbers. A backend that is
        down or dies mid-answer ends the stream with draft.error set (what was written stays in draft.text)."""
        try:
            loading = time.perf_counter()
            llm = self.llm()
            draft.load_s = time.perf_counter() - loading
            with generation_lock(self.settings.llm):
                context = self.context(shown)
                messages = prompt.build_messages(query, context, lang, numbers=[shown.index(p) + 1 for p in context])
                # Before the answer, on the same reading of the passages (the answer reuses it).
                draft.probe = yes_probability(llm, prompt.probe_messages(query, messages), then=messages)
                last = None
                for chunk in llm.stream_chat(messages):
                    last = chunk
                    if not chunk.delta:
                        continue
                    if draft.first_token_at is None:
                        draft.first_token_at = time.perf_counter()
                    draft.tokens += 1
                    draft.text += chunk.delta
                    yield chunk.delta
            draft.ended_at = time.perf_counter()
            if last is not None and not _finished(last.raw):
                raise ConnectionError("the answer stream stopped before the end (server gone?)")
        except Exception as e:
            draft.error = f"The language model ({describe(self.settings.llm)}) failed: {_reason(e)}"


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
