"""Metrics over results (structured answers) and the gold file. Definitions are in the README.

Each item is scored on its own (`score_item`), then scores are averaged overall, per type and per
language (`summarise`). A metric that does not apply to an item (accuracy on an unanswerable one) is
None for that item and left out of the average.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from statistics import mean, quantiles
from typing import Any

from config.settings import ROOT
from eval.gold import GoldItem
from eval.split import half
from text.matching import contains, normalise


def _refusal_sentences(folder=ROOT / "prompts") -> tuple[str, ...]:
    """This app's refusal sentence in every language it has one for (prompts/refusal*.txt)."""
    return tuple(sorted({n for p in folder.glob("refusal*.txt")
                         if (n := normalise(p.read_text(encoding="utf-8")))}))


REFUSAL_SENTENCES = _refusal_sentences()


def is_refusal(result: dict[str, Any]) -> bool:
    """The `refused` flag, or one of the app's refusal sentences (any language) in the answer."""
    if result.get("refused"):
        return True
    text = normalise(result.get("answer") or "")
    return any(f" {s} " in f" {text} " for s in REFUSAL_SENTENCES)


def correct(item: GoldItem, result: dict[str, Any]) -> bool:
    if is_refusal(result) or result.get("error"):
        return False
    answer = result.get("answer") or ""
    if item.type == "multi_doc":
        return all(contains(answer, k) for k in item.must_include)
    return any(contains(answer, k) for k in item.must_include)


def draft_correct(item: GoldItem, result: dict[str, Any]) -> bool:
    """Would the model's draft (before the checks), taken as the answer, be right? A draft that is itself a refusal
    sentence is not; no draft (the model was not called) is not either."""
    if result.get("error"):
        return False
    return correct(item, {"answer": result.get("draft") or "", "refused": False})


def evidence_spans(item: GoldItem, texts: dict[str, str]) -> list[tuple[str, int, int]]:
    """Every location of every evidence string in the gold documents."""
    spans = []
    for ev in item.evidence:
        for doc in item.docs:
            text, start = texts.get(doc, ""), 0
            while (i := text.find(ev, start)) >= 0:
                spans.append((doc, i, i + len(ev)))
                start = i + 1
    return spans


def _covered(spans: list[tuple[str, int, int]], passages: list[dict], docs: Iterable[str], need_all: bool) -> bool:
    hits = {doc for doc, s, e in spans if any(p["doc"] == doc and p["start"] <= s and e <= p["end"] for p in passages)}
    wanted = {doc for doc, _, _ in spans} & set(docs)
    return wanted <= hits if need_all else bool(hits)


def score_item(item: GoldItem, result: dict[str, Any], texts: dict[str, str]) -> dict[str, float | None]:
    retrieved = result.get("retrieved", [])
    gold = set(item.docs)
    refused = is_refusal(result)
    s: dict[str, float | None] = {
        "doc_hit@1": None, "doc_hit@3": None, "doc_hit@5": None, "mrr": None, "evidence_hit@5": None,
        "accuracy": None, "first_draft_accuracy": None, "false_refusal": None, "answered_wrong": None,
        "refusal": None,
        "citation_precision": None, "citation_span_precision": None, "citation_coverage": None,
        "invalid_citations": float(invalid_citations(result)),
    }
    if not item.answerable:
        s["refusal"] = float(refused) if "answer" in result else None
        return s
    ranks = [i for i, p in enumerate(retrieved, 1) if p["doc"] in gold]
    for k in (1, 3, 5):
        s[f"doc_hit@{k}"] = float(bool(ranks) and ranks[0] <= k)
    s["mrr"] = 1.0 / ranks[0] if ranks else 0.0
    s["evidence_hit@5"] = float(_covered(evidence_spans(item, texts), retrieved[:5], gold,
                                         need_all=item.type == "multi_doc"))
    if "answer" not in result:  # retrieval-only run
        return s
    ok = correct(item, result)
    s["accuracy"] = float(ok)
    s["first_draft_accuracy"] = float(draft_correct(item, result))
    s["false_refusal"] = float(refused)
    s["answered_wrong"] = float(not refused and not result.get("error") and not ok)
    cites = result.get("citations", []) if not refused else []
    if cites:
        spans = evidence_spans(item, texts)
        s["citation_precision"] = mean(float(c["doc"] in gold) for c in cites)
        s["citation_span_precision"] = mean(
            float(any(d == c["doc"] and c["start"] < e and s_ < c["end"] for d, s_, e in spans)) for c in cites)
    if ok:
        s["citation_coverage"] = float(any(c["doc"] in gold for c in cites))
    return s


def invalid_citations(result: dict[str, Any]) -> int:
    """Citation numbers that do not map to a shown passage, in the list or in the answer text."""
    shown = {i: p for i, p in enumerate(result.get("retrieved", []), 1)}
    bad = sum(1 for c in result.get("citations", []) if c["n"] not in shown or c["doc"] != shown[c["n"]]["doc"])
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", result.get("answer", ""))}
    return bad + len(markers - shown.keys())


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    if len(values) == 1:
        return {"p50": values[0], "p95": values[0]}
    q = quantiles(values, n=100, method="inclusive")
    return {"p50": round(q[49], 1), "p95": round(q[94], 1)}


def aggregate(scores: list[dict[str, float | None]], results: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(scores)}
    for key in scores[0] if scores else []:
        values = [v for s in scores if (v := s[key]) is not None]
        if key == "invalid_citations":
            out[key] = int(sum(values))
        else:
            out[key] = round(mean(values), 4) if values else None
    timings = [r.get("timings", {}) for r in results]
    for name in ("retrieve_ms", "first_token_ms", "total_ms"):
        out[name] = _percentiles([t[name] for t in timings if t.get(name) is not None])
    rates = [t["gen_tokens_per_s"] for t in timings if t.get("gen_tokens_per_s")]
    out["gen_tokens_per_s"] = round(mean(rates), 2) if rates else None
    return out


def summarise(items: list[GoldItem], results: list[dict[str, Any]], texts: dict[str, str]) -> dict[str, Any]:
    scores = [score_item(it, r, texts) for it, r in zip(items, results, strict=True)]
    summary: dict[str, Any] = {"overall": aggregate(scores, results), "by_type": {}, "by_lang": {}, "by_half": {}}
    for bucket, of in (("by_type", lambda it: it.type), ("by_lang", lambda it: it.lang),
                       ("by_half", lambda it: half(it.id))):
        for value in sorted({of(it) for it in items}):
            idx = [i for i, it in enumerate(items) if of(it) == value]
            summary[bucket][value] = aggregate([scores[i] for i in idx], [results[i] for i in idx])
    return summary
