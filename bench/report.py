"""Bench results -> one table (figure, raw baseline, ratio, target) and PNG plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _get(results: dict[str, Any], path: str) -> Any:
    value: Any = results
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


# (label, value path, baseline path, target: (op, threshold) or None, unit)
ROWS: list[tuple[str, str, str | None, tuple[str, float] | None, str]] = [
    ("generation tokens/s (app vs raw llama-cpp)", "generation.app_tokens_per_s", "generation.raw_tokens_per_s",
     None, "tok/s"),
    ("generation ratio", "generation.ratio", None, (">=", 0.9), ""),
    ("sources shown p50 (engine)", "latency.sources_ms.p50", None, ("<=", 300), "ms"),
    ("sources shown p95 (engine)", "latency.sources_ms.p95", None, None, "ms"),
    ("first token p50", "latency.first_token_ms.p50", None, ("<=", 2500), "ms"),
    ("first token p95", "latency.first_token_ms.p95", None, ("<=", 5000), "ms"),
    ("total p50", "latency.total_ms.p50", None, ("<=", 4000), "ms"),
    ("total p95", "latency.total_ms.p95", None, None, "ms"),
    ("answers streamed, then replaced without the draft shown", "latency.silently_replaced", None, ("<=", 0), ""),
    ("drafts streamed, then withheld with why (folded)", "latency.withheld", None, None, ""),
    ("refused before any draft", "latency.refused_before_draft", None, None, ""),
    ("ingest chunks/s, shapes warm (app vs bare encode)", "ingest.app_chunks_per_s", "ingest.bare_chunks_per_s",
     None, "ch/s"),
    ("ingest ratio", "ingest.ratio", None, (">=", 0.9), ""),
    ("re-sync of the unchanged corpus", "ingest.resync_s", None, ("<", 2), "s"),
    ("re-sync embeddings computed", "ingest.resync_embedded", None, ("<=", 0), ""),
    ("first ingest in a process (default backend) vs torch float32", "ingest.first_chunks_per_s",
     "ingest.fp32_chunks_per_s", None, "ch/s"),
    ("default backend speed-up", "ingest.speedup_vs_fp32", None, None, "x"),
    ("default vectors: min cosine to torch float32's", "ingest.cosine_to_fp32_min", None, (">=", 0.99), ""),
    ("default doc-hit@5 vs torch float32", "ingest.default_doc_hit@5", "ingest.fp32_doc_hit@5", None, ""),
    ("default evidence-hit@5 vs torch float32", "ingest.default_evidence_hit@5", "ingest.fp32_evidence_hit@5",
     None, ""),
    ("ingest with OpenVINO vs torch float32", "ingest.openvino_chunks_per_s", "ingest.fp32_chunks_per_s", None,
     "ch/s"),
    ("OpenVINO ingest speed-up", "ingest.openvino_speedup_vs_fp32", None, (">=", 2), "x"),
    ("OpenVINO vectors: min cosine to the default's", "ingest.openvino_cosine_min", None, (">=", 0.99), ""),
    ("query embedding p50", "scale.query_embedding_ms.p50", None, None, "ms"),
    ("second start to a ready UI", "app.second_start_s", None, ("<=", 15), "s"),
    ("peak RSS (app process)", "app.peak_rss_mb", None, ("<=", 4096), "MB"),
    ("UI: Enter -> sources p50", "app.ui.sources_ms.p50", None, ("<=", 300), "ms"),
    ("UI: Enter -> sources p95", "app.ui.sources_ms.p95", None, None, "ms"),
    ("UI: Enter -> first token p50", "app.ui.first_token_ms.p50", None, ("<=", 3000), "ms"),
    ("UI: Enter -> first token p95", "app.ui.first_token_ms.p95", None, ("<=", 5000), "ms"),
    ("self-calibration of a 200-document collection", "calibration.calibration_s", None, ("<=", 600), "s"),
    ("usable questions it wrote and answered", "calibration.usable_items", None, None, ""),
    ("questions asked meanwhile: first token p50", "calibration.meanwhile_first_token_ms.p50", None, None, "ms"),
    ("questions asked meanwhile: total p50", "calibration.meanwhile_total_ms.p50", None, None, "ms"),
]


def _check(value: Any, target: tuple[str, float] | None) -> str:
    if target is None or value is None:
        return ""
    op, threshold = target
    ok = {">=": value >= threshold, "<=": value <= threshold, "<": value < threshold}[op]
    return f"{op} {threshold:g} {'✅' if ok else '❌'}"


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    return f"{v:,.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def table(results: dict[str, Any]) -> str:
    lines = ["| figure | app | raw baseline | target |", "|---|---|---|---|"]
    for label, path, base, target, unit in ROWS:
        value = _get(results, path)
        if value is None:
            continue
        baseline = _get(results, base) if base else None
        lines.append(f"| {label} | {_fmt(value)} {unit} | {_fmt(baseline) + ' ' + unit if baseline else ''} "
                     f"| {_check(value, target)} |")
    for row in _get(results, "scale.sizes") or []:
        n = row["chunks"]
        lines.append(f"| retrieval at {n:,} chunks, p50/p95 without query embedding | "
                     f"{_fmt(row['search_ms']['p50'])}/{_fmt(row['search_ms']['p95'])} ms | | "
                     + (_check(row["search_ms"]["p95"], ("<=", 50)) if n >= 100_000 else "") + " |")
        lines.append(f"| retrieval at {n:,} chunks, p50/p95 with query embedding | "
                     f"{_fmt(row['with_embedding_ms']['p50'])}/{_fmt(row['with_embedding_ms']['p95'])} ms | | "
                     + (_check(row["with_embedding_ms"]["p95"], ("<=", 150)) if n >= 100_000 else "") + " |")
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    if sizes := _get(results, "scale.sizes"):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        n = [r["chunks"] for r in sizes]
        for key, label in (("search_ms", "dense + keyword + fusion"), ("with_embedding_ms", "+ query embedding")):
            for q, style in (("p50", "-o"), ("p95", "--o")):
                ax.plot(n, [r[key][q] for r in sizes], style, label=f"{label} {q}")
        ax.axhline(50, color="grey", lw=0.8, ls=":")
        ax.axhline(150, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("chunks in the index")
        ax.set_ylabel("ms per question")
        ax.set_title("Retrieval latency as the index grows")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / "scale.png", dpi=110)
        plt.close(fig)
        written.append(out / "scale.png")
    bars = {label: (_get(results, f"{sec}.p50"), _get(results, f"{sec}.p95"))
            for label, sec in (("sources", "latency.sources_ms"), ("first token", "latency.first_token_ms"),
                               ("total", "latency.total_ms"), ("UI sources", "app.ui.sources_ms"),
                               ("UI first token", "app.ui.first_token_ms"))}
    bars = {k: v for k, v in bars.items() if v[0] is not None}
    if bars:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        x = range(len(bars))
        ax.bar([i - 0.2 for i in x], [v[0] / 1000 for v in bars.values()], 0.4, label="p50")
        ax.bar([i + 0.2 for i in x], [v[1] / 1000 for v in bars.values()], 0.4, label="p95")
        ax.set_xticks(list(x))
        ax.set_xticklabels(list(bars), fontsize=8)
        ax.set_ylabel("seconds after the question")
        ax.set_title("Latency over the gold set (engine) and in Chromium (UI)")
        ax.legend()
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / "latency.png", dpi=110)
        plt.close(fig)
        written.append(out / "latency.png")
    return written
