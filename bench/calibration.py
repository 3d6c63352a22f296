"""Self-calibration of a 200-document collection on this machine, with questions asked meanwhile.

The documents are the eval corpora's (administrative fiches, news, Wikipedia in five languages), the longer
articles cut in two at a paragraph, up to 200 files. The job runs in a thread as in the app; a question is
asked through the chat's engine every few seconds while it runs, and must not wait for it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from bench.ingest import isolated
from bench.latency import percentiles
from calibration.job import Calibration, Progress
from config.settings import ROOT, Settings
from eval.gold import read_docs
from ingest.pipeline import sync_folder
from qa.engine import Engine

SOURCES = ["eval/datasets/service-public-fr/corpus", "corpus", "eval/datasets/squad2-en/corpus",
           *(f"eval/datasets/xquad/{lang}/corpus" for lang in ("es", "ru", "zh", "ar"))]
DOCUMENTS = 200
EVERY_S = 20.0  # a question this often while the job runs


def collection_folder(folder: Path) -> int:
    """Write up to DOCUMENTS text files made from the eval corpora; how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for source in SOURCES:
        for name, text in sorted(read_docs(ROOT / source).items()):
            paragraphs = [p for p in text.split("\n\n") if p.strip()]
            halves = [paragraphs] if len(text) < 6000 or len(paragraphs) < 4 else \
                [paragraphs[: len(paragraphs) // 2], paragraphs[len(paragraphs) // 2 :]]
            for i, part in enumerate(halves):
                if n == DOCUMENTS:
                    return n
                (folder / f"{Path(name).stem}-{i}.txt").write_text("\n\n".join(part), encoding="utf-8")
                n += 1
    return n


def run(settings: Settings, workdir: Path, questions: list[str]) -> dict[str, Any]:
    folder = workdir / "calibration-docs"
    documents = collection_folder(folder)
    cfg = isolated(settings, workdir / "calibration", "bench-calibration")
    cfg = cfg.model_copy(update={"ingest": cfg.ingest.model_copy(update={"corpus_dir": folder})})
    t0 = time.perf_counter()
    sync_folder(cfg, show_progress=False)
    ingest_s = time.perf_counter() - t0
    last: list[Progress] = []
    job = Calibration(cfg, lambda p: last.append(p))
    fitted: list[Any] = []
    thread = threading.Thread(target=lambda: fitted.append(job.run()), daemon=True)
    t0 = time.perf_counter()
    thread.start()
    engine, first, total = Engine(cfg), [], []
    while thread.is_alive():
        thread.join(EVERY_S)
        if thread.is_alive():
            asked = time.perf_counter()
            answer = engine.ask(questions[len(total) % len(questions)])
            total.append((time.perf_counter() - asked) * 1000)
            if answer.timings.first_token_ms is not None:
                first.append(answer.timings.first_token_ms)
    seconds = time.perf_counter() - t0
    items = job.items()
    fit = fitted[0] if fitted else None
    return {"documents": documents, "ingest_s": round(ingest_s, 1), "calibration_s": round(seconds, 1),
            "passages": job.planned, "usable_items": len(items), "answerable": sum(it.answerable for it in items),
            "questions_meanwhile": len(total), "meanwhile_first_token_ms": percentiles(first),
            "meanwhile_total_ms": percentiles(total),
            "fit": None if fit is None else {"probe_floor": fit.probe_floor, "threshold": fit.threshold,
                                             "supported_at": fit.supported_at, **fit.stats}}
