"""A model behind any OpenAI-compatible server (vLLM, llama.cpp's server, LM Studio…), through the `openai`
client. The reply probability comes from the server's `top_logprobs` (vLLM and llama.cpp's server return them)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from config.settings import LLMSettings
from llm.base import Message, check_served, share

TOP = 20  # alternatives asked for the probe's one token (OpenAI's maximum)


class OpenAIBackend:
    def __init__(self, cfg: LLMSettings) -> None:
        import openai

        self.cfg = cfg
        self.client = openai.OpenAI(base_url=cfg.openai_base_url, api_key=cfg.openai_api_key.get_secret_value(),
                                    timeout=cfg.timeout_s, max_retries=0)

    def describe(self) -> str:
        return f"openai ({self.cfg.openai_model} at {self.cfg.openai_base_url})"

    def check(self) -> None:
        check_served(self.describe(), self.cfg.openai_model, lambda: [m.id for m in self.client.models.list()])

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
               seed: int | None = None, schema: dict[str, Any] | None = None) -> Iterator[str]:
        finished = False
        structured = {"response_format": {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}}
        for chunk in self.client.chat.completions.create(
                model=self.cfg.openai_model, messages=list(messages), stream=True,  # type: ignore[arg-type]
                max_tokens=max_tokens, temperature=temperature, seed=seed, **(structured if schema else {})):
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            finished = finished or choice.finish_reason is not None
            if choice.delta.content:
                yield choice.delta.content
        if not finished:
            raise ConnectionError("the answer stream stopped before the end (server gone?)")

    def reply_probability(self, messages: Sequence[Message], reply: str, other: str) -> float | None:
        response = self.client.chat.completions.create(
            model=self.cfg.openai_model, messages=list(messages), max_tokens=1,  # type: ignore[arg-type]
            temperature=0.0, logprobs=True, top_logprobs=TOP)
        content = response.choices[0].logprobs.content if response.choices[0].logprobs else None
        return share([(t.token, t.logprob) for t in content[0].top_logprobs] if content else [], reply, other)
