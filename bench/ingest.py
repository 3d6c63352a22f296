"""Ingest speed: the app's pipeline (read, chunk, embed, write to Chroma) vs a bare encode of the same
chunks by the same model; the free re-sync; the same ingest with torch in float32 (the baseline of the
speed-ups, and of quality: cosine of the vectors, retrieval doc-hit@5 and evidence-hit@5 on the gold set)
and with the OpenVINO backend when it is not already the default."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from config.settings import ROOT, Settings
from index import store
from index.embedder import document_text, embed_model, resolved_backend, resolved_precision
from ingest.clean import clean_inline
from ingest.pipeline import SyncReport, sync_folder

CORPUS, GOLD = ROOT / "corpus", ROOT / "eval" / "gold.jsonl"  # the shipped documents and their gold set


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


def run(settings: Settings, docs: Path, workdir: Path, gold: Path | None = None) -> dict[str, Any]:
    """gold: a gold set for `docs`, to check that the default embeddings retrieve as well as float32."""
    cfg = isolated(settings, workdir, "bench-ingest")
    cfg = cfg.model_copy(update={"ingest": cfg.ingest.model_copy(update={"corpus_dir": docs})})
    embedder = embed_model(cfg.embed)
    embedder.get_text_embedding("warm-up")  # the model load is start-up, not ingest

    # The first ingest in a process is slower: OpenVINO prepares its kernels for each new input shape (~70 ms
    # each). It is the speed a user sees and the one compared with torch; the pipeline's overhead is measured
    # on a second ingest, like the bare encode after it, once the shapes are known to both.
    first_rate, _ = _timed_ingest(cfg)
    app_rate, report = _timed_ingest(cfg)

    t0 = time.perf_counter()
    again = sync_folder(cfg, show_progress=False)
    resync_s = time.perf_counter() - t0

    got = store.collection(cfg.chroma).get(include=["documents", "metadatas"])
    texts = [document_text(cfg.embed, clean_inline(c), m.get("title"))
             for c, m in zip(got["documents"], got["metadatas"], strict=True)]
    model = embedder.encoder  # the same encoder, so only the pipeline around it differs
    bare_rate = _encode_rate(model, texts, cfg.embed.batch_size)

    out: dict[str, Any] = {
        "chunks": report.embedded_chunks, "documents": report.documents,
        "first_chunks_per_s": round(first_rate, 2), "app_chunks_per_s": round(app_rate, 2),
        "bare_chunks_per_s": round(bare_rate, 2),
        "ratio": round(app_rate / bare_rate, 3), "resync_s": round(resync_s, 3),
        "resync_embedded": again.embedded_chunks, "precision": resolved_precision(cfg.embed),
        "backend": resolved_backend(cfg.embed),
    }
    fp32 = _variant_settings(cfg, workdir, "fp32", backend="torch", precision="float32")
    fp32_rate, fp32_vectors = _variant_ingest(fp32)
    mine = _vectors(cfg)
    agreement = [float(np.dot(v, fp32_vectors[i])) for i, v in mine.items()]
    out |= {"fp32_chunks_per_s": round(fp32_rate, 2), "speedup_vs_fp32": round(first_rate / fp32_rate, 2),
            "cosine_to_fp32_min": round(min(agreement), 4), "cosine_to_fp32_mean": round(float(np.mean(agreement)), 4)}
    if out["backend"] != "openvino":
        ov_rate, ov_vectors = _variant_ingest(_variant_settings(cfg, workdir, "openvino", backend="openvino"))
        ov_agreement = [float(np.dot(v, ov_vectors[i])) for i, v in mine.items()]
        out |= {"openvino_chunks_per_s": round(ov_rate, 2), "openvino_speedup_vs_fp32": round(ov_rate / fp32_rate, 2),
                "openvino_cosine_min": round(min(ov_agreement), 4),
                "openvino_cosine_mean": round(float(np.mean(ov_agreement)), 4)}
    else:  # the default is the OpenVINO backend: its figures are the app's
        out |= {"openvino_chunks_per_s": out["first_chunks_per_s"], "openvino_speedup_vs_fp32": out["speedup_vs_fp32"],
                "openvino_cosine_min": out["cosine_to_fp32_min"], "openvino_cosine_mean": out["cosine_to_fp32_mean"]}
    gold = gold or (GOLD if docs.resolve() == CORPUS.resolve() else None)
    if gold is not None:
        out |= _retrieval_quality(cfg, fp32, docs, gold, workdir)
    return out


def _retrieval_quality(cfg: Settings, fp32: Settings, docs: Path, gold: Path, workdir: Path) -> dict[str, Any]:
    """doc-hit@5 and evidence-hit@5 on the gold set, with the default embeddings and with torch float32."""
    from eval.gold import load, read_docs
    from eval.run import RunOptions, evaluate

    items, texts = load(gold), read_docs(docs)
    out: dict[str, Any] = {}
    for name, variant in (("default", cfg), ("fp32", fp32)):
        opts = RunOptions(docs=docs, out=workdir / f"eval-{name}", collection=variant.chroma.collection,
                          retrieval_only=True)
        overall = evaluate(variant, items, texts, opts)[0]["overall"]
        out |= {f"{name}_doc_hit@5": overall["doc_hit@5"], f"{name}_evidence_hit@5": overall["evidence_hit@5"]}
    out["retrieval_within_0.01_of_fp32"] = all(
        abs(out[f"default_{k}"] - out[f"fp32_{k}"]) <= 0.01 for k in ("doc_hit@5", "evidence_hit@5"))
    return out


def _vectors(cfg: Settings) -> dict[str, Any]:
    got = store.collection(cfg.chroma).get(include=["embeddings"])
    return dict(zip(got["ids"], got["embeddings"], strict=True))


def _variant_settings(cfg: Settings, workdir: Path, name: str, **embed: str) -> Settings:
    variant = isolated(cfg, workdir / name, f"bench-ingest-{name}")
    return variant.model_copy(update={"embed": cfg.embed.model_copy(update=embed)})


def _timed_ingest(cfg: Settings) -> tuple[float, SyncReport]:
    """An ingest from scratch: chunks/s and its report."""
    t0 = time.perf_counter()
    report = sync_folder(cfg, show_progress=False, reset=True)
    return report.embedded_chunks / (time.perf_counter() - t0), report


def _variant_ingest(variant: Settings) -> tuple[float, dict[str, Any]]:
    """The same ingest into a store of its own with other embedding settings: chunks/s and the vectors."""
    embed_model(variant.embed).get_text_embedding("warm-up")  # loading (or converting) is not ingest
    return _timed_ingest(variant)[0], _vectors(variant)
