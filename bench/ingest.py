"""Ingest speed: the app's pipeline (read, chunk, embed, write to Chroma) vs a bare
SentenceTransformer.encode of the same chunks; the free re-sync; the same ingest with torch in float32
(the baseline of the speed-ups) and with the OpenVINO backend (speed and agreement of its vectors)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

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
    fp32_rate, _ = _variant_ingest(cfg, workdir, "fp32", backend="torch", precision="float32")
    ov_rate, ov_vectors = _variant_ingest(cfg, workdir, "openvino", backend="openvino")
    mine = store.collection(cfg.chroma).get(ids=list(ov_vectors), include=["embeddings"])
    agreement = [float(np.dot(v, ov_vectors[i])) for i, v in zip(mine["ids"], mine["embeddings"], strict=True)]
    return out | {
        "fp32_chunks_per_s": round(fp32_rate, 2), "speedup_vs_fp32": round(app_rate / fp32_rate, 2),
        "openvino_chunks_per_s": round(ov_rate, 2), "openvino_speedup_vs_fp32": round(ov_rate / fp32_rate, 2),
        "openvino_cosine_min": round(min(agreement), 4), "openvino_cosine_mean": round(float(np.mean(agreement)), 4),
    }


def _variant_ingest(cfg: Settings, workdir: Path, name: str, **embed: str) -> tuple[float, dict[str, Any]]:
    """The same ingest into a store of its own with other embedding settings: chunks/s and the vectors."""
    variant = isolated(cfg, workdir / name, f"bench-ingest-{name}")
    variant = variant.model_copy(update={"embed": cfg.embed.model_copy(update=embed)})
    embed_model(variant.embed).get_text_embedding("warm-up")  # loading (or converting) is not ingest
    t0 = time.perf_counter()
    report = sync_folder(variant, show_progress=False, reset=True)
    rate = report.embedded_chunks / (time.perf_counter() - t0)
    got = store.collection(variant.chroma).get(include=["embeddings"])
    return rate, dict(zip(got["ids"], got["embeddings"], strict=True))
