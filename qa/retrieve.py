"""Question -> the top passages from Chroma, as Passage objects with cosine scores."""

from __future__ import annotations

import math

from llama_index.core import VectorStoreIndex
from llama_index.core.schema import NodeWithScore

from config.settings import Settings
from index import store
from index.embedder import embed_model
from qa.schema import Passage


def to_passage(hit: NodeWithScore) -> Passage:
    node, meta = hit.node, hit.node.metadata
    # llama-index's Chroma store reports exp(-distance); cosine distance is 1 - cos.
    cosine = 1.0 + math.log(max(hit.score or 0.0, 1e-12))
    return Passage(
        doc=meta["doc"], start=int(meta["char_start"]), end=int(meta["char_end"]), score=cosine,
        text=node.get_content(), title=meta.get("title", ""), id=node.node_id,
    )


class Retriever:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.vector_store = store.vector_store(settings.chroma)
        self.index = VectorStoreIndex.from_vector_store(self.vector_store, embed_model=embed_model(settings.embed))

    def count(self) -> int:
        return self.vector_store.client.count()

    def retrieve(self, question: str, top_k: int | None = None) -> list[Passage]:
        k = top_k or self.settings.retrieval.top_k
        hits = self.index.as_retriever(similarity_top_k=k).retrieve(question)
        return [to_passage(h) for h in hits]
