"""Ingest speed: the app's pipeline (read, chunk, embed, write to Chroma) vs a bare
SentenceTransformer.encode of the same chunks; the free re-sync; the same ingest in float32."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from config.settings import Settings
from index import store
from index.embedder import document_text, embed_model, resolved_precision
from ingest.clean import clean_inline
from ingest.pipeline import sync_folder


def isolated(settings: Settings, workdir: Path, collection: str) -> Settings:
    """The same settings writing to a store of their own, so the user's index is never touched."""
    return settings.model_copy(update={
        "chroma": settings.chroma.model_copy(update={"path": workdir / "chroma", "host": None,
                                                     "collection": collection}),
        "ingest": settings.ingest.model_copy(update={"docstore_dir": workdir / "docstore"}),
    })


def _encode_rate(model, texts: list[str], batch_size: int) -> float:
    t0 = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    return len(texts) / (time.perf_counter() - t0)


def run(settings: Settings, docs: Path, workdir: Path) -> dict[str, Any]:
    cfg = isolated(settings, workdir, "bench-ingest")
    cfg = cfg.model_copy(update={"ingest": cfg.ingest.model_copy(update={"corpus_dir": docs})})
    embedder = embed_model(cfg.embed)
    embedder.get_text_embedding("warm-up")  # the model load is start-up, not ingest

    t0 = time.perf_counter()
    report = sync_folder(cfg, show_progress=False, reset=True)
    app_rate = report.embedded_chunks / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    again = sync_folder(cfg, show_progress=False)
    resync_s = time.perf_counter() - t0

    got = store.collection(cfg.chroma).get(include=["documents", "metadatas"])
    texts = [document_text(cfg.embed, clean_inline(c), m.get("title"))
             for c, m in zip(got["documents"], got["metadatas"], strict=True)]
    model = embedder._model  # the same SentenceTransformer, so only the pipeline around it differs
    bare_rate = _encode_rate(model, texts, cfg.embed.batch_size)

    out: dict[str, Any] = {
        "chunks": report.embedded_chunks, "documents": report.documents,
        "app_chunks_per_s": round(app_rate, 2), "bare_chunks_per_s": round(bare_rate, 2),
        "ratio": round(app_rate / bare_rate, 3), "resync_s": round(resync_s, 3),
        "resync_embedded": again.embedded_chunks, "precision": resolved_precision(cfg.embed),
    }
    if out["precision"] == "bfloat16":  # the same ingest with float32 embeddings, for the speed-up
        fp32 = isolated(cfg, workdir / "fp32", "bench-ingest-fp32")
        fp32 = fp32.model_copy(update={"embed": cfg.embed.model_copy(update={"precision": "float32"})})
        embed_model(fp32.embed).get_text_embedding("warm-up")
        t0 = time.perf_counter()
        slow = sync_folder(fp32, show_progress=False, reset=True)
        fp32_rate = slow.embedded_chunks / (time.perf_counter() - t0)
        out |= {"fp32_chunks_per_s": round(fp32_rate, 2), "bf16_speedup": round(app_rate / fp32_rate, 2)}
    return out
