"""Retrieval latency as the index grows to 100k passages.

Stored vectors are real chunk embeddings perturbed by noise (cosine ~0.9 to their original), their texts
and metadata copies of the real chunks, so Chroma's HNSW graph and the BM25 index have realistic shapes;
the queries are the real gold questions, embedded for real.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from llama_index.core.vector_stores import VectorStoreQuery

from bench.latency import percentiles
from config.settings import Settings
from index import store
from qa.retrieve import Retriever

NOISE = 0.0175  # per dimension, on unit vectors of 768 dimensions: cosine ~0.9 to the original


def _grow(col, real: dict[str, Any], start: int, stop: int, rng: np.random.Generator, batch: int) -> None:
    base = np.asarray(real["embeddings"], dtype=np.float32)
    n_real = len(base)
    for lo in range(start, stop, batch):
        idx = np.arange(lo, min(stop, lo + batch))
        src = idx % n_real
        vectors = base[src] + rng.normal(0, NOISE, (len(idx), base.shape[1])).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        col.add(ids=[f"syn-{i}" for i in idx], embeddings=vectors,
                documents=[real["documents"][j] for j in src],
                metadatas=[{**real["metadatas"][j], "doc": f"{real['metadatas'][j]['doc']}~{i // n_real}"}
                           for i, j in zip(idx, src, strict=True)])


def _parts(retriever: Retriever, questions: list[str], vectors: dict[str, np.ndarray]) -> dict[str, Any]:
    """Where a search's time goes: Chroma's HNSW query, BM25 over every passage, and reading the candidates'
    rows back (texts, metadata, vectors) for the fusion."""
    pool = retriever.settings.retrieval.candidates
    parts: dict[str, list[float]] = {"dense": [], "keyword": [], "fetch": []}
    for q in questions:
        t0 = time.perf_counter()
        dense = retriever.vector_store.query(VectorStoreQuery(query_embedding=vectors[q].tolist(),
                                                              similarity_top_k=pool))
        t1 = time.perf_counter()
        keyword = retriever.keyword_index(refresh=False).search(q, pool)
        t2 = time.perf_counter()
        retriever.collection.get(ids=list(dict.fromkeys([*(dense.ids or []), *(i for i, _ in keyword)])),
                                 include=["documents", "metadatas", "embeddings"])
        t3 = time.perf_counter()
        for key, ms in zip(parts, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            parts[key].append(ms * 1000)
    return {key: percentiles(ms) for key, ms in parts.items()}


def run(settings: Settings, source: Settings, questions: list[str], sizes: list[int]) -> dict[str, Any]:
    """settings: an isolated store for the synthetic collection; source: where the real chunks are."""
    real = store.collection(source.chroma).get(include=["embeddings", "documents", "metadatas"])
    api = store.client(settings.chroma)
    col = store.collection(settings.chroma, api)
    rng = np.random.default_rng(0)
    batch = min(api.get_max_batch_size(), 5000)
    retriever = Retriever(settings)
    vectors = {}
    embed_ms = []
    for q in questions:
        t0 = time.perf_counter()
        vectors[q] = retriever.embed_query(q)
        embed_ms.append((time.perf_counter() - t0) * 1000)
    rows = []
    have = 0
    for size in sorted(sizes):
        t0 = time.perf_counter()
        _grow(col, real, have, size, rng, batch)
        have = size
        store.mark_synced(col)
        grow_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        retriever.retrieve(questions[0], query=vectors[questions[0]])  # builds the keyword index
        build_s = time.perf_counter() - t0
        search_ms, with_embed_ms = [], []
        for q, e in zip(questions, embed_ms, strict=True):
            t0 = time.perf_counter()
            retriever.retrieve(q, query=vectors[q])
            ms = (time.perf_counter() - t0) * 1000
            search_ms.append(ms)
            with_embed_ms.append(ms + e)
        rows.append({"chunks": col.count(), "add_s": round(grow_s, 1), "keyword_build_s": round(build_s, 1),
                     "search_ms": percentiles(search_ms), "with_embedding_ms": percentiles(with_embed_ms),
                     "parts_ms": _parts(retriever, questions, vectors)})
    return {"query_embedding_ms": percentiles(embed_ms), "sizes": rows}
