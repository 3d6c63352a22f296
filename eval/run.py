"""Run gold questions through the same engine as the chat, one at a time, and write the four outputs."""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from calibration.job import calibrate_now, needed
from config.settings import Settings
from eval import report
from eval.gold import GoldItem
from eval.metrics import score_item, summarise
from eval.oracle import OracleRetriever
from eval.split import half
from ingest.pipeline import sync_folder
from qa.engine import Engine
from qa.fit import NEUTRAL, Fits, setup_of
from qa.generate import context
from qa.retrieve import Retriever
from qa.verify import Verifier


@dataclass
class RunOptions:
    docs: Path
    out: Path
    collection: str | None = None
    retrieval_only: bool = False
    oracle: bool = False  # give the model each item's gold evidence passage (eval/oracle.py)
    # Wait for the collection's self-calibration (as a user's collection has it) before answering.
    self_calibrate: bool = True
    # Refuse nothing on the way (every draft and signal recorded), for fits to be replayed (eval/replay.py).
    open_fit: bool = False


def corpus_hash(texts: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + hashlib.sha256(texts[name].encode()).digest())
    return digest.hexdigest()


def eval_collection(docs: Path) -> str:
    """The eval's own collection for a corpus folder: never the user's, and one per folder (two
    folders both named "corpus" must not share, and keep re-indexing, one collection)."""
    where = docs.resolve()
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", where.name).strip("-_")[:40] or "corpus"
    return f"eval-{slug}-{hashlib.sha256(str(where).encode()).hexdigest()[:6]}"


def prepare(settings: Settings, opts: RunOptions) -> Settings:
    """Point the settings at the eval collection and make it mirror the corpus (free when unchanged)."""
    settings = settings.with_collection(opts.collection or eval_collection(opts.docs))
    settings = settings.model_copy(update={"ingest": settings.ingest.model_copy(
        update={"corpus_dir": opts.docs.resolve()})})
    report = sync_folder(settings, show_progress=True)
    if report.embedded_chunks:
        print(f"indexed {report.embedded_chunks} chunks into {settings.chroma.collection!r}")
    if opts.self_calibrate and not opts.retrieval_only and (why := needed(settings)):
        print(f"calibrating {settings.chroma.collection!r} ({why}) before the questions, as the app does")
        calibrate_now(settings)
    return settings


def engine_for(settings: Settings, texts: dict[str, str], opts: RunOptions) -> Engine:
    """The chat's engine, with the oracle's retriever or an open fit passed in when asked for."""
    retriever = OracleRetriever(Retriever(settings), texts, partial(context, cfg=settings.retrieval)) \
        if opts.oracle else None
    return Engine(settings, retriever=retriever, verifier=Verifier(settings, fit=NEUTRAL) if opts.open_fit else None)


def run(engine: Engine, items: list[GoldItem], texts: dict[str, str], opts: RunOptions) -> list[dict[str, Any]]:
    opts.out.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    scores: list[dict[str, float | None]] = []
    bar = tqdm(items, desc="eval", unit="q")
    with (opts.out / "results.jsonl").open("w", encoding="utf-8") as f:
        for item in bar:
            record = {"id": item.id, "type": item.type, "lang": item.lang, "half": half(item.id),
                      **ask(engine, item, opts)}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            results.append(record)
            scores.append(score_item(item, record, texts))
            bar.set_postfix(_running(scores), refresh=False)
    return results


def ask(engine: Engine, item: GoldItem, opts: RunOptions) -> dict[str, Any]:
    if isinstance(oracle := engine.retriever, OracleRetriever):
        oracle.item = item
        return {**engine.ask(item.question, history=item.turns).to_dict(), "oracle": oracle.placed}
    if opts.retrieval_only:
        t0 = time.perf_counter()
        passages = engine.preview(item.question, item.turns).retrieved
        return {"question": item.question, "retrieved": [p.public() for p in passages],
                "timings": {"retrieve_ms": round((time.perf_counter() - t0) * 1000, 1), "first_token_ms": None,
                            "total_ms": round((time.perf_counter() - t0) * 1000, 1), "gen_tokens_per_s": None}}
    return engine.ask(item.question, history=item.turns).to_dict()


def _running(scores: list[dict[str, float | None]]) -> dict[str, str]:
    out = {}
    for key, label in (("accuracy", "acc"), ("first_draft_accuracy", "draft"), ("doc_hit@5", "hit@5"),
                       ("refusal", "refuse")):
        values = [v for s in scores if (v := s[key]) is not None]
        if values:
            out[label] = f"{sum(values) / len(values):.2f}"
    return out


def write_summary(items: list[GoldItem], results: list[dict[str, Any]], texts: dict[str, str],
                  settings: Settings, opts: RunOptions) -> dict[str, Any]:
    summary = summarise(items, results, texts)
    summary["run"] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "items": len(items),
        "retrieval_only": opts.retrieval_only,
        "oracle_retrieval": opts.oracle,
        "corpus": str(opts.docs),
        "corpus_sha256": corpus_hash(texts),
        "collection": settings.chroma.collection,
        "llm": f"{settings.llm.backend}:{settings.llm.model_name}",
        "embed": settings.embed.model,
        "settings": settings.model_dump(mode="json"),
        "fit": "open (every draft answered; fits replayed)" if opts.open_fit else Fits(settings).current().describe(),
        "setup": setup_of(settings),
    }
    (opts.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def evaluate(settings: Settings, items: list[GoldItem], texts: dict[str, str],
             opts: RunOptions, dev_failures_only: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One gold set end to end: sync its eval collection, ask every item through a fresh Engine on it, and
    write results.jsonl, summary.json, report.md and report.png to opts.out. Raises IndexUnavailable or
    ValueError when the corpus cannot be indexed or the engine cannot start."""
    settings = prepare(settings, opts)
    engine = engine_for(settings, texts, opts)
    results = run(engine, items, texts, opts)
    summary = write_summary(items, results, texts, settings, opts)
    text = report.markdown(summary, items, results, dev_failures_only=dev_failures_only)
    (opts.out / "report.md").write_text(text, encoding="utf-8")
    report.plot(summary, results, opts.out / "report.png")
    return summary, results
