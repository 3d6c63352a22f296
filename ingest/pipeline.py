"""Folder -> chunks -> embeddings -> Chroma, through llama-index's IngestionPipeline with a docstore.

Node ids are `<doc>#<n>`, so re-running never duplicates; the docstore keeps each document's hash so
unchanged files cost nothing, changed files have their chunks replaced, deleted files are removed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core import Document
from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.schema import BaseNode, NodeRelationship, TextNode, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore
from tqdm import tqdm

from config.settings import EmbedSettings, Settings
from index import store
from index.embedder import embed_documents
from ingest.chunker import chunk_spans
from ingest.clean import clean_inline
from ingest.reader import Skipped, read_folder

META_KEYS = ["doc", "title", "char_start", "char_end", "doc_hash", "chunk", "pipeline", "page"]


class SentenceChunker(TransformComponent):
    """Documents -> passages of whole sentences, each keeping its character span in the file."""

    chunk_chars: int = 700
    overlap: int = 1

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for doc in nodes:
            text = doc.get_content()
            meta = {k: v for k, v in doc.metadata.items() if k != "pages"}
            # A PDF is chunked page by page, so that every passage (and citation) has one page.
            parts = _pages(doc.metadata.get("pages", "")) or [(0, len(text), 0)]
            spans = [(ps + s, ps + e, n) for ps, pe, n in parts
                     for s, e in chunk_spans(text[ps:pe], self.chunk_chars, self.overlap)]
            for i, (start, end, page) in enumerate(spans):
                out.append(TextNode(
                    id_=f"{doc.id_}#{i}",
                    text=text[start:end],
                    start_char_idx=start,
                    end_char_idx=end,
                    metadata={**meta, "char_start": start, "char_end": end, "chunk": i,
                              **({"page": page} if page else {})},
                    excluded_embed_metadata_keys=META_KEYS,
                    excluded_llm_metadata_keys=META_KEYS,
                    relationships={NodeRelationship.SOURCE: doc.as_related_node_info()},
                ))
        return out


def _pages(flat: str) -> list[tuple[int, int, int]]:
    """ "0-1200:1;1202-2400:2" -> [(0, 1200, 1), (1202, 2400, 2)]"""
    out = []
    for part in filter(None, flat.split(";")):
        span, page = part.split(":")
        start, end = span.split("-")
        out.append((int(start), int(end), int(page)))
    return out


class CleanTextEmbedding(TransformComponent):
    """Embeds what a reader sees (link markup and emphasis removed); the stored text stays verbatim."""

    embed: EmbedSettings  # the model loads only when something needs embedding
    show_progress: bool = False
    batch: int = 64

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        if not nodes:
            return nodes
        texts = [clean_inline(n.get_content()) for n in nodes]
        titles = [n.metadata.get("title") for n in nodes]
        # Shortest first, across the whole run: batches of similar lengths pad little (sentence-transformers
        # sorts only within one call, and the progress bar needs several calls).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]) + len(titles[i] or ""))
        with tqdm(total=len(texts), unit="chunk", desc="embedding", disable=not self.show_progress) as bar:
            for lo in range(0, len(order), self.batch):
                part = order[lo : lo + self.batch]
                vectors = embed_documents(self.embed, [texts[i] for i in part], [titles[i] for i in part])
                for i, vector in zip(part, vectors, strict=True):
                    nodes[i].embedding = vector
                bar.update(len(vectors))
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
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


_WRITE_LOCK = threading.Lock()  # one writer per process; across processes use the Chroma server


def plan(docs: list[Document], docstore: SimpleDocumentStore) -> SyncReport:
    """What a sync would do, from content hashes alone (nothing is embedded)."""
    known = {doc_id: h for h, doc_id in docstore.get_all_document_hashes().items()}
    report = SyncReport(documents=len(docs))
    for doc in docs:
        bucket = report.added if doc.id_ not in known else (
            report.unchanged if known[doc.id_] == doc.hash else report.changed)
        bucket.append(doc.id_)
    report.removed = sorted(set(known) - {d.id_ for d in docs})
    return report


def sync_folder(settings: Settings, show_progress: bool = True, reset: bool = False,
                dry_run: bool = False) -> SyncReport:
    """Make the collection mirror the folder: add new, replace changed, drop deleted documents."""
    cfg = settings.chroma
    with _WRITE_LOCK:
        api = store.client(cfg)
        path = store.docstore_path(cfg, settings.ingest.docstore_dir)
        if reset and not dry_run:
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
        report = plan(docs, docstore)
        report.skipped = skipped
        if dry_run:
            report.total_chunks = collection.count()
            return report
        changes = bool(report.added or report.changed or report.removed)
        if changes:
            store.mark_synced(collection)  # before any write: a retriever must not trust a half-done ingest
        vectors = store.vector_store(cfg, api)
        for doc_id in report.added:
            vectors.delete(doc_id)  # leftovers of an ingest killed before it recorded the document
        pipeline = IngestionPipeline(
            transformations=[
                SentenceChunker(chunk_chars=settings.ingest.chunk_chars, overlap=settings.ingest.overlap_sentences),
                CleanTextEmbedding(embed=settings.embed, show_progress=show_progress),
            ],
            docstore=docstore,
            vector_store=vectors,
            docstore_strategy=DocstoreStrategy.UPSERTS_AND_DELETE,
            disable_cache=True,
        )
        nodes = pipeline.run(documents=docs)
        if changes:
            store.mark_synced(collection)
        path.parent.mkdir(parents=True, exist_ok=True)
        docstore.persist(str(path))
        _record_indexed(path, report)
        report.embedded_chunks, report.total_chunks = len(nodes), collection.count()
        return report


def _record_indexed(docstore_file: Path, report: SyncReport) -> None:
    """When each document was last (re)indexed, for `python -m ingest list` and the UI."""
    sidecar = docstore_file.with_suffix(".indexed.json")
    times = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    times.update({d: now for d in report.added + report.changed})
    for d in report.removed:
        times.pop(d, None)
    sidecar.write_text(json.dumps(times, indent=1, sort_keys=True))


def indexed_times(settings: Settings) -> dict[str, str]:
    sidecar = store.docstore_path(settings.chroma, settings.ingest.docstore_dir).with_suffix(".indexed.json")
    return json.loads(sidecar.read_text()) if sidecar.exists() else {}
