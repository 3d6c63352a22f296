"""What the engine asks of a language model, whatever serves it: the `Backend` protocol.

Three implementations, each on its library's public API: llama-cpp-python's `Llama` (the bundled GGUF,
in-process), the `ollama` client and the `openai` client (any OpenAI-compatible server: vLLM, llama.cpp's
server, LM Studio). The probability of a reply is read from the model's own distribution on every one of
them (llama.cpp's logits, the servers' `top_logprobs`), never guessed from the text of a reply.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class BackendUnavailable(RuntimeError):
    """The model cannot be loaded or reached; the message says which backend and what to do."""


class Backend(Protocol):
    def describe(self) -> str:
        """'llamacpp (models/x.gguf)', 'ollama (qwen2.5:1.5b at http://…)': what to name in a message."""
        ...

    def check(self) -> None:
        """Raise BackendUnavailable unless the model answers (loaded, or served by a reachable server)."""
        ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
               seed: int | None = None, schema: dict[str, Any] | None = None) -> Iterator[str]:
        """The reply's text as it is written; with `schema`, constrained to JSON matching it (a grammar, or the
        server's structured output). Raises (ConnectionError…) if the backend fails or the stream stops
        before the model ended its reply."""
        ...

    def reply_probability(self, messages: Sequence[Message], reply: str, other: str) -> float | None:
        """P(reply) / (P(reply) + P(other)) for the first token of the model's next reply (e.g. "yes" vs
        "no", any case, with or without a leading space), from the model's own probabilities; None when the
        backend gives none (a server that returns no log-probabilities)."""
        ...


def check_served(where: str, model: str, served: Callable[[], list[str]]) -> None:
    """BackendUnavailable unless the server answers with a list of models holding `model`."""
    try:
        names = served()
    except Exception as e:  # refused, timed out, an HTTP error, a reply that is not a model list
        raise BackendUnavailable(f"{where} does not answer: {e}") from None
    if model not in names:
        raise BackendUnavailable(f"{where} does not serve {model!r} (it has: {', '.join(names) or 'none'})")


def spellings(word: str) -> set[str]:
    """The ways a tokenizer may start a one-word reply: yes, Yes, YES, each with or without a leading space."""
    forms = {word, word.lower(), word.capitalize(), word.upper()}
    return forms | {f" {f}" for f in forms}


def mass(top: Iterable[tuple[str, float]], word: str) -> float:
    """Probability mass of the tokens that spell `word` among (token, logprob) pairs."""
    wanted = spellings(word)
    return sum(math.exp(lp) for token, lp in top if token in wanted)


def share(top: Iterable[tuple[str, float]], reply: str, other: str) -> float | None:
    """P(reply) / (P(reply) + P(other)) from a server's top logprobs (None without them). A reply missing from
    the list is given at most the least probable listed token's probability: one seen spelling is no certainty."""
    pairs = list(top)
    if not pairs:
        return None
    floor = math.exp(min(lp for _, lp in pairs))
    yes, no = mass(pairs, reply), mass(pairs, other)
    if yes == 0 and no == 0:
        return 0.5
    yes, no = yes or floor, no or floor
    return yes / (yes + no)
