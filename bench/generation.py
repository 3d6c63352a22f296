"""Generation speed: the app's llama.cpp path vs raw llama-cpp-python on the identical prompt."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from statistics import median
from typing import Any

from llm import shared_backend
from qa import prompt
from qa.engine import Engine
from qa.generate import context
from text.language import detect

LONG_ANSWER = {"fr": "Résume en détail, en cinq phrases, tout ce que disent ces extraits.",
               "en": "Summarise in detail, in five sentences, everything these excerpts say."}


def _rate(chunks: Iterable[Any]) -> tuple[float, int]:
    """Tokens per second after the first token (the decode rate), and the token count."""
    first, last, n = None, 0.0, 0
    for _chunk in chunks:
        now = time.perf_counter()
        first = first or now
        last, n = now, n + 1
    return ((n - 1) / (last - first) if first and n > 1 else 0.0), n


def _app_stream(engine: Engine, messages) -> Iterator[Any]:
    cfg = engine.settings.llm
    yield from shared_backend(cfg).stream(messages, max_tokens=cfg.max_tokens, temperature=cfg.temperature)


def run(engine: Engine, questions: list[str]) -> dict[str, Any]:
    cfg = engine.settings.llm
    if cfg.backend != "llamacpp":
        return {"skipped": f"the raw baseline is llama-cpp-python; the backend is {cfg.backend}"}
    from llama_cpp import Llama

    raw = Llama(model_path=str(cfg.model_path), n_ctx=cfg.n_ctx, n_threads=cfg.n_threads, n_batch=512,
                verbose=False)
    app_rates, raw_rates, tokens = [], [], []
    for question in questions:
        lang = detect(question)
        # The passages of a real question, and a request long enough (~100+ tokens) for a steady rate.
        read = context(engine.retriever.retrieve(question), engine.settings.retrieval)
        messages = prompt.build_messages(LONG_ANSWER.get(lang, LONG_ANSWER["en"]), read, lang)
        app_rate, n_app = _rate(_app_stream(engine, messages))
        tokens = shared_backend(cfg).tokens(messages)  # the app's own prompt, token for token
        raw_rate, n_raw = _rate(raw.create_completion(tokens, max_tokens=cfg.max_tokens,
                                                      temperature=cfg.temperature, stream=True))
        app_rates.append(app_rate)
        raw_rates.append(raw_rate)
        tokens.append((n_app, n_raw))
    del raw
    app, base = median(app_rates), median(raw_rates)
    return {"app_tokens_per_s": round(app, 2), "raw_tokens_per_s": round(base, 2),
            "ratio": round(app / base, 3) if base else None, "tokens": tokens, "questions": len(questions)}
