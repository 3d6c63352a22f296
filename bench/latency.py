"""Latency over the gold set, through the engine the chat uses: sources, first token, total."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from tqdm import tqdm

from eval.gold import GoldItem
from llm import shared_backend
from qa.engine import Engine


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    return {"p50": round(float(np.percentile(values, 50)), 1), "p95": round(float(np.percentile(values, 95)), 1),
            "n": len(values)}


def run(engine: Engine, items: list[GoldItem]) -> dict[str, Any]:
    shared_backend(engine.settings.llm)  # a warm model, as in the running app
    sources, first, total, refused = [], [], [], 0
    silent = withheld = before = 0
    for item in tqdm(items, desc="latency", unit="q"):
        t0 = time.perf_counter()
        t_first = None
        for update in engine.stream(item.question, item.turns):
            now = (time.perf_counter() - t0) * 1000
            if update.kind == "sources":
                sources.append(now)
            elif update.kind == "token" and t_first is None:
                t_first = now
        total.append((time.perf_counter() - t0) * 1000)
        if t_first is not None:
            first.append(t_first)
        final = update.answer
        refused += final.refused
        # A draft was streamed and the final answer is a refusal: said, with why (and the withheld draft kept
        # folded), or silently replaced?
        if t_first is not None and final.refused:
            if final.reason and (final.verdict != "withheld" or final.draft):
                withheld += 1
            else:
                silent += 1
        before += final.refused and t_first is None
    return {"sources_ms": percentiles(sources), "first_token_ms": percentiles(first),
            "total_ms": percentiles(total), "questions": len(items), "refused": refused,
            "silently_replaced": silent, "withheld": withheld, "refused_before_draft": before}
