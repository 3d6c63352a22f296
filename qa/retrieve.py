"""Question -> the best passages: dense similarity (Chroma) plus a bounded keyword (BM25) bonus.

Every returned passage carries its cosine similarity to the question (computed from its stored
embedding, whichever ranking found it), so answerability thresholds read the same whatever retriever
surfaced the passage.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

import numpy as np
from llama_index.core.vector_stores import VectorStoreQuery
from llama_index.vector_stores.chroma import ChromaVectorStore

from config.settings import Settings
from index import store
from index.embedder import embed_model
from index.keyword import KeywordIndex, names_before
from qa.schema import Passage
from text.language import detect
from text.markup import clean_inline


class _Pending:
    """One search in flight or just done, shared for a few seconds by whoever asks the same."""

    TTL_S = 10.0

    def __init__(self) -> None:
        self.future: Future[list[Passage]] = Future()
        self.t0 = time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() - self.t0 > self.TTL_S or (self.future.done() and self.future.exception() is not None)


def _unavailable(settings: Settings, e: Exception) -> store.IndexUnavailable:
    return store.IndexUnavailable(
        f"the index at {store.describe(settings.chroma)} cannot be searched ({e}); "
        "if it is a Chroma server, check that it is running")


class Retriever:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = store.client(settings.chroma)
        self.collection = store.collection(settings.chroma, self.api)
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)
        self.embed = embed_model(settings.embed)
        self._stamp = ""
        self._keyword: KeywordIndex | None = None
        self._lock = threading.Lock()
        self._recent: dict[tuple[str, str, int | None], _Pending] = {}
        self._recent_lock = threading.Lock()

    def count(self) -> int:
        return self.collection.count()

    def refresh(self, stamp: str | None = None) -> None:
        """Drop what was derived from the collection if an ingest (in any process) changed it."""
        stamp = stamp or store.sync_stamp(self.api, self.settings.chroma.collection)
        with self._lock:
            if stamp != self._stamp:
                self._stamp, self._keyword = stamp, None

    def keyword_index(self, refresh: bool = True) -> KeywordIndex:
        """Built from what Chroma holds, so the keyword and vector indexes always agree."""
        if refresh:
            self.refresh()
        with self._lock:
            if self._keyword is None:
                got = store.get_all(self.collection, ["documents", "metadatas"])
                texts = got["documents"]
                self._keyword = KeywordIndex(got["ids"], texts, names_before(texts, got["metadatas"]))
            return self._keyword

    def embed_query(self, question: str) -> np.ndarray:
        return np.asarray(self.embed.get_query_embedding(question))

    def retrieve(self, question: str, top_k: int | None = None, query: np.ndarray | None = None) -> list[Passage]:
        """query: the question's embedding, when the caller already has it.

        The same question asked twice at once (the UI shows the sources from one event while the
        chat's answer starts from another) is searched once: the second caller gets the first's result."""
        try:
            stamp = store.sync_stamp(self.api, self.settings.chroma.collection)
        except Exception as e:
            raise _unavailable(self.settings, e) from e
        if query is not None:
            return self._retrieve(question, top_k, query, stamp)
        key = (stamp, question, top_k)
        with self._recent_lock:
            pending = self._recent.get(key)
            mine = pending is None or pending.expired()
            if mine:
                pending = self._recent[key] = _Pending()
                for old in [k for k, v in self._recent.items() if v.expired()]:
                    del self._recent[old]
        assert pending is not None
        if mine:
            try:
                pending.future.set_result(self._retrieve(question, top_k, None, stamp))
            except BaseException as e:
                pending.future.set_exception(e)
        return list(pending.future.result())

    def _retrieve(self, question: str, top_k: int | None, query: np.ndarray | None, stamp: str) -> list[Passage]:
        cfg = self.settings.retrieval
        pool = max(cfg.candidates, top_k or cfg.top_k)
        query = self.embed_query(question) if query is None else query
        try:
            self.refresh(stamp)
            dense = self.vector_store.query(VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=pool))
            keyword = dict(self.keyword_index(refresh=False).search(question, pool)) if cfg.keyword_weight else {}
            ids = list(dict.fromkeys([*(dense.ids or []), *keyword]))
            got = self.collection.get(ids=ids, include=["documents", "metadatas", "embeddings"]) if ids else None
        except Exception as e:  # a Chroma server that went away, a store that cannot be read
            raise _unavailable(self.settings, e) from e
        if got is None or not got["ids"]:
            return []
        # Every candidate's cosine from its stored vector, whichever ranking found it (ids removed by an
        # ingest since the ranking was computed are simply absent).
        cosines = np.asarray(got["embeddings"]) @ query
        rows = {i: (float(c), d, m) for i, c, d, m in zip(got["ids"], cosines, got["documents"], got["metadatas"],
                                                         strict=True)}
        # Dense similarity leads; keyword evidence (exact names, numbers, rare words) adds a bounded bonus.
        top_bm25 = max(keyword.values(), default=0.0) or 1.0
        fused = {i: rows[i][0] + cfg.keyword_weight * keyword.get(i, 0.0) / top_bm25 for i in ids if i in rows}
        best = sorted(fused, key=fused.__getitem__, reverse=True)[: top_k or cfg.top_k]
        return [_passage(i, *rows[i], fused[i]) for i in best]  # built for the few returned only


def _passage(node_id: str, cosine: float, text: str, meta: Mapping[str, Any], fused: float) -> Passage:
    # Language and order-giving sentences come from the ingest (an older index is re-ingested at its next sync).
    lang = meta["lang"] if "lang" in meta else detect(clean_inline(text), default="")
    orders = [(int(a), int(b)) for a, b in (span.split("-") for span in str(meta.get("orders") or "").split(";")
                                            if span)]
    return Passage(doc=str(meta["doc"]), start=int(meta["char_start"]), end=int(meta["char_end"]), score=cosine,
                   text=text, title=str(meta.get("title", "")), id=node_id, fused=fused,
                   page=meta.get("page"), orders=orders, lang=str(lang))
