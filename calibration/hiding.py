"""Retrieval with some passages hidden: a question written from a passage, asked while that passage and its
near-duplicates cannot be found, is a question about the collection that the collection (most likely) does
not answer — an unanswerable question in any language, with no word list."""

from __future__ import annotations

from qa.retrieve import Retriever
from qa.schema import Passage

DUPLICATE = 0.9  # cosine above which another chunk says the same thing


class HidingRetriever:
    def __init__(self, inner: Retriever) -> None:
        self.inner = inner
        self.hidden: set[str] = set()

    def count(self) -> int:
        return self.inner.count()

    def retrieve(self, question: str, top_k: int | None = None) -> list[Passage]:
        k = top_k or self.inner.settings.retrieval.top_k
        found = self.inner.retrieve(question, k + len(self.hidden))
        return [p for p in found if p.id not in self.hidden][:k]

    def near(self, source: str) -> set[str]:
        """The chunk, the chunks that overlap it in its document, and those almost the same by meaning."""
        col = self.inner.collection
        got = col.get(ids=[source], include=["embeddings", "metadatas"])
        if not got["ids"]:
            return {source}
        meta = got["metadatas"][0]
        same_doc = col.get(where={"doc": meta["doc"]}, include=["metadatas"])
        out = {source} | {i for i, m in zip(same_doc["ids"], same_doc["metadatas"], strict=True)
                          if m["char_start"] < meta["char_end"] and meta["char_start"] < m["char_end"]}
        close = col.query(query_embeddings=[got["embeddings"][0]], n_results=12, include=["distances"])
        return out | {i for i, d in zip(close["ids"][0], close["distances"][0], strict=True) if 1 - d >= DUPLICATE}
