"""summary -> report.md (tables, worst failures) and report.png (metrics per type, latency)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.gold import GoldItem
from eval.metrics import correct, is_refusal
from eval.split import half

METRICS = ["doc_hit@1", "doc_hit@5", "mrr", "evidence_hit@5", "accuracy", "first_draft_accuracy", "false_refusal",
           "answered_wrong", "refusal", "citation_precision", "citation_span_precision", "citation_coverage",
           "invalid_citations"]


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, dict):
        return "/".join(_fmt(x) for x in v.values())
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _table(rows: dict[str, dict[str, Any]], keys: list[str]) -> list[str]:
    lines = ["| | n | " + " | ".join(keys) + " |", "|---" * (len(keys) + 2) + "|"]
    for name, m in rows.items():
        lines.append(f"| {name} | {m['n']} | " + " | ".join(_fmt(m.get(k)) for k in keys) + " |")
    return lines


def markdown(summary: dict[str, Any], items: list[GoldItem], results: list[dict[str, Any]], worst: int = 10,
             dev_failures_only: bool = False) -> str:
    """dev_failures_only: list the failures of dev items alone (test items are only ever scored)."""
    run, overall = summary["run"], summary["overall"]
    lines = [f"# Eval report — {run['date']}", "",
             f"{run['items']} items · corpus `{run['corpus']}` (sha256 {run['corpus_sha256'][:12]}) · "
             f"collection `{run['collection']}` · LLM `{run['llm']}` · embeddings `{Path(run['embed']).name}`"
             + (" · **retrieval only**" if run["retrieval_only"] else "")
             + (" · **oracle retrieval** (each item's gold evidence among the passages the model reads)"
                if run.get("oracle_retrieval") else ""), "",
             "## Overall", ""]
    lines += _table({"all": overall}, METRICS)
    lines += ["", "Latency p50/p95 (ms): retrieve " + _fmt(overall["retrieve_ms"]) + " · first token "
              + _fmt(overall["first_token_ms"]) + " · total " + _fmt(overall["total_ms"])
              + f" · generation {_fmt(overall['gen_tokens_per_s'])} tokens/s", "", "## By type", ""]
    lines += _table(summary["by_type"], METRICS)
    lines += ["", "## By language", ""]
    lines += _table(summary["by_lang"], METRICS)
    if summary.get("by_half"):
        lines += ["", "## By half (dev: may be read to find what to fix; test: only scored)", ""]
        lines += _table(summary["by_half"], METRICS)
    if not run["retrieval_only"]:
        lines += ["", "## Failures", ""]
        failures = [(it, r) for it, r in zip(items, results, strict=True)
                    if (it.answerable and not correct(it, r)) or (not it.answerable and not is_refusal(r))]
        if dev_failures_only:
            hidden = sum(half(it.id) == "test" for it, _ in failures)
            failures = [(it, r) for it, r in failures if half(it.id) == "dev"]
            lines.append(f"Dev items only: the {hidden} failures of test items are not listed (test items are "
                         "only ever scored).")
            lines.append("")
        if not failures:
            lines.append("None.")
        for it, r in failures[:worst]:
            cites = "; ".join(f"[{c['n']}] {c['doc']}: «{c['quote'][:120]}»" for c in r.get("citations", []))
            lines += [f"### {it.id} ({it.type}, {it.lang})", f"- question: {it.question}",
                      f"- expected: {it.answer} (docs: {', '.join(it.docs) or 'none — should refuse'})",
                      f"- got: {r.get('answer', '')}" + (f" — error: {r['error']}" if r.get("error") else ""),
                      f"- retrieved: {', '.join(p['doc'] for p in r.get('retrieved', []))}",
                      f"- cited: {cites or 'nothing'}", ""]
        if len(failures) > worst:
            lines.append(f"… and {len(failures) - worst} more in results.jsonl.")
    return "\n".join(lines) + "\n"


def plot(summary: dict[str, Any], results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_type = summary["by_type"]
    shown = ["doc_hit@5", "evidence_hit@5", "accuracy", "refusal", "citation_precision"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [2.2, 1]})
    types = list(by_type)
    width = 0.8 / len(shown)
    for i, key in enumerate(shown):
        values = [by_type[t].get(key) or 0.0 for t in types]
        ax1.bar([x + i * width for x in range(len(types))], values, width, label=key)
    ax1.set_xticks([x + width * (len(shown) - 1) / 2 for x in range(len(types))])
    ax1.set_xticklabels([f"{t}\n(n={by_type[t]['n']})" for t in types], fontsize=8)
    ax1.set_ylim(0, 1.05)
    ax1.set_title("Metrics per question type (refusal: unanswerable items only)")
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=len(shown), frameon=False)
    ax1.grid(axis="y", alpha=0.3)
    series = {name: [r["timings"][key] / 1000 for r in results if r.get("timings", {}).get(key)]
              for name, key in (("retrieve", "retrieve_ms"), ("first token", "first_token_ms"), ("total", "total_ms"))}
    series = {k: v for k, v in series.items() if v}
    if series:
        ax2.boxplot(list(series.values()), tick_labels=list(series), showfliers=True)
    ax2.set_ylabel("seconds")
    ax2.set_title("Latency per question")
    ax2.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{summary['run']['llm']} · {summary['run']['items']} items · {summary['run']['date']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare(summary: dict[str, Any], old_path: Path) -> str:
    old = json.loads(old_path.read_text(encoding="utf-8"))
    lines = [f"Compared with {old_path} ({old.get('run', {}).get('date', '?')}):",
             "| metric | before | after | delta |", "|---|---|---|---|"]
    for key in METRICS + ["retrieve_ms", "first_token_ms", "total_ms", "gen_tokens_per_s"]:
        a, b = old["overall"].get(key), summary["overall"].get(key)
        if isinstance(a, dict):
            a, b, key = a.get("p50"), (b or {}).get("p50"), f"{key} p50"
        delta = f"{b - a:+.3f}" if isinstance(a, int | float) and isinstance(b, int | float) else "–"
        lines.append(f"| {key} | {_fmt(a)} | {_fmt(b)} | {delta} |")
    return "\n".join(lines) + "\n"
