"""Folder -> chunks -> embeddings -> Chroma, through llama-index's IngestionPipeline with a docstore.

Node ids are `<doc>#<n>`, so re-running never duplicates; the docstore keeps each document's hash so
unchanged files cost nothing, changed files have their chunks replaced, deleted files are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.schema import BaseNode, NodeRelationship, TextNode, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore

from config.settings import EmbedSettings, Settings
from index import store
from index.embedder import embed_model
from ingest.chunker import chunk_spans
from ingest.clean import clean_inline
from ingest.reader import Skipped, read_folder

META_KEYS = ["doc", "title", "char_start", "char_end", "doc_hash", "chunk", "pipeline"]


class SentenceChunker(TransformComponent):
    """Documents -> passages of whole sentences, each keeping its character span in the file."""

    chunk_chars: int = 700
    overlap: int = 1

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for doc in nodes:
            text = doc.get_content()
            for i, (start, end) in enumerate(chunk_spans(text, self.chunk_chars, self.overlap)):
                out.append(TextNode(
                    id_=f"{doc.id_}#{i}",
                    text=text[start:end],
                    start_char_idx=start,
                    end_char_idx=end,
                    metadata={**doc.metadata, "char_start": start, "char_end": end, "chunk": i},
                    excluded_embed_metadata_keys=META_KEYS,
                    excluded_llm_metadata_keys=META_KEYS,
                    relationships={NodeRelationship.SOURCE: doc.as_related_node_info()},
                ))
        return out


class CleanTextEmbedding(TransformComponent):
    """Embeds what a reader sees (link markup and emphasis removed); the stored text stays verbatim."""

    embed: EmbedSettings  # the model loads only when something needs embedding

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        if not nodes:
            return nodes
        texts = [clean_inline(n.get_content()) for n in nodes]
        model = embed_model(self.embed)
        vectors = model.get_text_embedding_batch(texts, show_progress=kwargs.get("show_progress", False))
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector
        return nodes


CHUNKER_VERSION = 1  # bump when chunk boundaries change for the same settings


def signature(settings: Settings) -> str:
    i, e = settings.ingest, settings.embed
    return f"v{CHUNKER_VERSION}|{i.chunk_chars}|{i.overlap_sentences}|{e.model}|{e.document_prompt}"


@dataclass
class SyncReport:
    documents: int = 0
    embedded_chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    total_chunks: int = 0


def sync_folder(settings: Settings, show_progress: bool = True, reset: bool = False) -> SyncReport:
    """Make the collection mirror the folder: add new, replace changed, drop deleted documents."""
    cfg = settings.chroma
    api = store.client(cfg)
    path = store.docstore_path(cfg, settings.ingest.docstore_dir)
    if reset:
        if cfg.collection in {c.name for c in api.list_collections()}:
            api.delete_collection(cfg.collection)
        path.unlink(missing_ok=True)
    docs, skipped = read_folder(settings.ingest.corpus_dir, int(settings.ingest.max_file_mb * 1e6))
    for doc in docs:  # part of each document's hash: changing how we chunk or embed re-indexes everything
        doc.metadata["pipeline"] = signature(settings)
    docstore = SimpleDocumentStore.from_persist_path(str(path)) if path.exists() else SimpleDocumentStore()
    collection = store.collection(cfg, api)
    if collection.count() == 0 and docstore.docs:
        docstore = SimpleDocumentStore()  # the index was emptied behind our back: rebuild it
    pipeline = IngestionPipeline(
        transformations=[
            SentenceChunker(chunk_chars=settings.ingest.chunk_chars, overlap=settings.ingest.overlap_sentences),
            CleanTextEmbedding(embed=settings.embed),
        ],
        docstore=docstore,
        vector_store=store.vector_store(cfg, api),
        docstore_strategy=DocstoreStrategy.UPSERTS_AND_DELETE,
        disable_cache=True,
    )
    before = docstore.get_all_document_hashes()
    nodes = pipeline.run(documents=docs, show_progress=show_progress)
    if nodes or docstore.get_all_document_hashes() != before:
        store.mark_synced(collection)
    path.parent.mkdir(parents=True, exist_ok=True)
    docstore.persist(str(path))
    return SyncReport(len(docs), len(nodes), skipped, collection.count())
