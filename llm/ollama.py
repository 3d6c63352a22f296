"""A model served by Ollama, through the `ollama` client. The reply probability comes from the server's
`top_logprobs` (Ollama ≥ 0.12.11 returns them; an older server's answer has none: no probe then)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from config.settings import LLMSettings
from llm.base import Message, check_served, share

TOP = 20  # alternatives asked for the probe's one token


class OllamaBackend:
    def __init__(self, cfg: LLMSettings) -> None:
        import ollama

        self.cfg = cfg
        self.client = ollama.Client(host=cfg.ollama_host, timeout=cfg.timeout_s)

    def describe(self) -> str:
        return f"ollama ({self.cfg.ollama_model} at {self.cfg.ollama_host})"

    def _options(self, **extra: Any) -> dict[str, Any]:
        # num_ctx always: without it Ollama silently truncates long prompts to its default context.
        return {"num_ctx": self.cfg.n_ctx, **extra}

    def check(self) -> None:
        check_served(self.describe(), self.cfg.ollama_model, lambda: [m.model or "" for m in self.client.list().models])

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
               seed: int | None = None, schema: dict[str, Any] | None = None) -> Iterator[str]:
        options = self._options(num_predict=max_tokens, temperature=temperature,
                                **({"seed": seed} if seed is not None else {}))
        done = False
        for part in self.client.chat(model=self.cfg.ollama_model, messages=list(messages), stream=True,
                                     options=options, format=schema):
            done = done or bool(part.done)
            if part.message.content:
                yield part.message.content
        if not done:
            raise ConnectionError("the answer stream stopped before the end (server gone?)")

    def reply_probability(self, messages: Sequence[Message], reply: str, other: str) -> float | None:
        response = self.client.chat(model=self.cfg.ollama_model, messages=list(messages), stream=False,
                                    logprobs=True, top_logprobs=TOP,
                                    options=self._options(num_predict=1, temperature=0.0))
        first = (response.logprobs or [None])[0]
        return share([(t.token, t.logprob) for t in (first.top_logprobs or [])] if first else [], reply, other)
