"""Folder -> chunks -> embeddings -> Chroma, with llama-index's docstore recording what is indexed.

Node ids are `<doc>#<n>`, so re-running never duplicates; the docstore keeps each document's hash so
unchanged files cost nothing, changed files have their chunks replaced, deleted files are removed.
Documents are indexed a group at a time and recorded once written: a document is in the docstore only when
all its chunks are in Chroma, so an ingest that stops half-way leaves whole documents, and the next run
completes it (chunks written for a document not yet recorded are replaced).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core import Document
from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore
from tqdm import tqdm

from config.settings import EmbedSettings, Settings
from index import store
from index.embedder import EmbeddingUnavailable, WrongDimension, embed_documents
from ingest import records
from ingest.chunker import chunk_spans
from ingest.clean import Line, clean_inline, with_dropped
from ingest.orders import OrderFinder
from ingest.reader import Skipped, parse_spans, read_folder
from text.language import detect

META_KEYS = ["doc", "title", "char_start", "char_end", "doc_hash", "chunk", "pipeline", "page", "lang", "suspicious",
             "orders"]
DOCUMENT_ONLY = {"pages", "dropped", "left_out"}  # a document's metadata that its chunks do not carry


class SentenceChunker(TransformComponent):
    """Documents -> passages of whole sentences, each keeping its character span in the file and its language
    (read once here rather than on every question)."""

    chunk_chars: int = 700
    overlap: int = 1

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for doc in nodes:
            text = doc.get_content()
            meta = {k: v for k, v in doc.metadata.items() if k not in DOCUMENT_ONLY}
            lines = with_dropped(text, parse_spans(doc.metadata.get("dropped", "")))
            # A PDF is chunked page by page, so that every passage (and citation) has one page.
            parts = _pages(doc.metadata.get("pages", "")) or [(0, len(text), 0)]
            # Every chunk stores its source's metadata: not the page and furniture spans, which are long.
            source = RelatedNodeInfo(node_id=doc.id_, node_type=doc.get_type(), metadata=meta, hash=doc.hash)
            spans = [(s, e, n) for (_, _, n), page_lines in zip(parts, _by_page(lines, parts), strict=True)
                     for s, e in chunk_spans(text, self.chunk_chars, self.overlap, page_lines)]
            for i, (start, end, page) in enumerate(spans):
                chunk = text[start:end]
                out.append(TextNode(
                    id_=f"{doc.id_}#{i}",
                    text=chunk,
                    start_char_idx=start,
                    end_char_idx=end,
                    metadata={**meta, "char_start": start, "char_end": end, "chunk": i,
                              "lang": detect(clean_inline(chunk), default=""), **({"page": page} if page else {})},
                    excluded_embed_metadata_keys=META_KEYS,
                    excluded_llm_metadata_keys=META_KEYS,
                    relationships={NodeRelationship.SOURCE: source},
                ))
        return out


def _by_page(lines: list[Line], parts: list[tuple[int, int, int]]) -> list[list[Line]]:
    """The lines of each page (pages are separated by blank lines, so no line straddles two)."""
    out: list[list[Line]] = [[] for _ in parts]
    p = 0
    for line in lines:
        while p < len(parts) - 1 and line.start >= parts[p][1]:
            p += 1
        if parts[p][0] <= line.start and line.end <= parts[p][1]:
            out[p].append(line)
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
    batch: int = 64
    expected_dim: int | None = None  # the collection's vectors' size, when it has some
    progress: Any = None  # an IngestProgress, told the bytes of text embedded after each batch

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        if not nodes:
            return nodes
        texts = [clean_inline(n.get_content()) for n in nodes]
        titles = [n.metadata.get("title") for n in nodes]
        # Each distinct (text, title) is embedded once: repeated boilerplate costs nothing twice.
        unique = list(dict.fromkeys(zip(texts, titles, strict=True)))
        # Shortest first: batches of similar lengths pad little (sentence-transformers sorts only within one
        # call, and the progress needs several calls).
        unique.sort(key=lambda pair: len(pair[0]) + len(pair[1] or ""))
        vectors: dict[tuple[str, str | None], list[float]] = {}
        for lo in range(0, len(unique), self.batch):
            part = unique[lo : lo + self.batch]
            got = embed_documents(self.embed, [t for t, _ in part], [title for _, title in part])
            self._check_dim(got)
            vectors.update(zip(part, got, strict=True))
            if self.progress is not None:
                self.progress.advance(sum(len(t.encode()) for t, _ in part))
        for node, key in zip(nodes, zip(texts, titles, strict=True), strict=True):
            node.embedding = vectors[key]
        return nodes

    def _check_dim(self, vectors: list[list[float]]) -> None:
        size = len(vectors[0]) if vectors else None
        if size is None or size == self.expected_dim:
            return
        if self.expected_dim is None:
            self.expected_dim = size  # the first batch sets it for an empty collection
            return
        raise WrongDimension(
            f"the embedding model gives {size}-dimension vectors but the collection holds {self.expected_dim}-"
            f"dimension ones (embed.backend={self.embed.backend}, model {self.embed.model_id!r}): it was indexed "
            "with another model; use that one, or re-index with `python -m ingest --reset`")


class OrderFlags(TransformComponent):
    """Passages -> each flagged with its sentences that give orders to an assistant (ingest/orders.py), found
    once here, in any language, and stored as spans: retrieval never runs the detector."""

    embed: EmbedSettings

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        found = OrderFinder(self.embed).orders([n.get_content() for n in nodes])
        for node, spans in zip(nodes, found, strict=True):
            node.metadata["suspicious"] = bool(spans)
            node.metadata["orders"] = ";".join(f"{a}-{b}" for a, b in spans)  # flat, as Chroma metadata must be
        return nodes


def progress_text(done: int, total: int, elapsed_s: float) -> str:
    """'123 / 547 KB · 3.1 KB/s · 2 min 17 s left': what an ingest shows, in the CLI and in the UI."""
    text = f"{done / 1000:,.0f} / {total / 1000:,.0f} KB"
    if done <= 0 or elapsed_s <= 0:
        return text
    rate = done / elapsed_s
    return f"{text} · {rate / 1000:,.1f} KB/s · {_duration(max(0, total - done) / rate)} left"


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class IngestProgress:
    """Bytes of text embedded, as a tqdm bar whose description carries the KB/s and the time left (Gradio's
    track_tqdm shows that description in the UI), and to an optional callback."""

    def __init__(self, total: int, show: bool, on_progress: Callable[[int, int, str], None] | None = None) -> None:
        self.total, self.done, self.t0 = total, 0, time.perf_counter()
        self.on_progress = on_progress
        self.bar = tqdm(total=total, desc=f"embedding {progress_text(0, total, 0)}", disable=not show,
                        bar_format="{desc} {percentage:3.0f}%|{bar}|", mininterval=0.5)

    def advance(self, n: int) -> None:
        self.done += n
        text = progress_text(self.done, self.total, time.perf_counter() - self.t0)
        self.bar.set_description_str(f"embedding {text}", refresh=False)
        self.bar.update(n)
        if self.on_progress:
            self.on_progress(self.done, self.total, text)

    def close(self) -> None:
        self.bar.close()


CHUNKER_VERSION = 4  # bump when chunks or their stored metadata change for the same settings


def signature(settings: Settings) -> str:
    i, e = settings.ingest, settings.embed
    return f"v{CHUNKER_VERSION}|{i.chunk_chars}|{i.overlap_sentences}|{e.model_id}|{e.document_prompt}"


@dataclass
class SyncReport:
    documents: int = 0
    embedded_chunks: int = 0
    embedded_bytes: int = 0  # of text read by the embedding model
    skipped: list[Skipped] = field(default_factory=list)
    total_chunks: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left_out: dict[str, float] = field(default_factory=dict)  # every document read: share of it not indexed


_WRITE_LOCK = threading.Lock()  # one writer per process; across processes use the Chroma server


def plan(docs: list[Document], docstore: SimpleDocumentStore) -> SyncReport:
    """What a sync would do, from content hashes alone (nothing is embedded)."""
    known = {doc_id: h for h, doc_id in docstore.get_all_document_hashes().items()}
    report = SyncReport(documents=len(docs), left_out={d.id_: d.metadata["left_out"] for d in docs})
    for doc in docs:
        bucket = report.added if doc.id_ not in known else (
            report.unchanged if known[doc.id_] == doc.hash else report.changed)
        bucket.append(doc.id_)
    report.removed = sorted(set(known) - {d.id_ for d in docs})
    return report


# Documents are embedded and recorded in groups of about this much text: an ingest that stops (a killed
# process, an embedding server gone) keeps the groups done before it, and the next run does the rest.
GROUP_CHARS = 100_000
CHECKPOINT_S = 30.0  # the docstore (which documents are done) is written at most this often, and at the end


def sync_folder(settings: Settings, show_progress: bool = True, reset: bool = False, dry_run: bool = False,
                on_progress: Callable[[int, int, str], None] | None = None) -> SyncReport:
    """Make the collection mirror the folder: add new, replace changed, drop deleted documents.

    on_progress(bytes done, bytes in all, "123 / 547 KB · 3.1 KB/s · 2 min 17 s left") after each batch."""
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
        if not (report.added or report.changed or report.removed):
            report.total_chunks = collection.count()
            return report
        store.mark_synced(collection)  # before any write: a retriever must not trust a half-done ingest
        vectors = store.vector_store(cfg, api)
        for doc_id in report.removed:
            vectors.delete(doc_id)
            docstore.delete_document(doc_id, raise_error=False)
        todo = set(report.added + report.changed)
        pending = [d for d in docs if d.id_ in todo]
        chunker = SentenceChunker(chunk_chars=settings.ingest.chunk_chars, overlap=settings.ingest.overlap_sentences)
        total = sum(len(clean_inline(n.get_content()).encode()) for n in chunker(pending))
        progress = IngestProgress(total, show_progress, on_progress)
        embedder = CleanTextEmbedding(embed=settings.embed, expected_dim=_stored_dim(collection), progress=progress)
        flags = OrderFlags(embed=settings.embed)
        done: list[str] = []
        recorded, saved = 0, time.monotonic()
        try:
            for group in _groups(pending, GROUP_CHARS):
                nodes = flags(embedder(chunker(group)))  # nothing of the group is written if this fails
                for doc in group:  # old chunks of a changed document; leftovers of a killed ingest
                    vectors.delete(doc.id_)
                vectors.add(list(nodes))
                docstore.set_document_hashes({d.id_: d.hash for d in group})
                docstore.add_documents(group, store_text=True)
                done += [d.id_ for d in group]
                report.embedded_chunks += len(nodes)
                if time.monotonic() - saved > CHECKPOINT_S:
                    _save(path, docstore, done[recorded:], report)
                    recorded, saved = len(done), time.monotonic()
        except EmbeddingUnavailable as e:
            then = "" if isinstance(e, WrongDimension) else "; the others are not in the index: run the ingest " \
                "again to complete it"
            raise type(e)(f"{e}. {len(done)} of {len(pending)} documents to (re)index were indexed before "
                          f"it{then}") from e
        finally:
            report.embedded_bytes = progress.done
            progress.close()
            _save(path, docstore, done[recorded:], report)
            store.mark_synced(collection)
        report.total_chunks = collection.count()
        return report


def _groups(docs: list[Document], chars: int) -> Iterator[list[Document]]:
    group: list[Document] = []
    size = 0
    for doc in docs:
        group.append(doc)
        size += len(doc.text)
        if size >= chars:
            yield group
            group, size = [], 0
    if group:
        yield group


def _stored_dim(collection: Any) -> int | None:
    got = collection.get(limit=1, include=["embeddings"])
    embeddings = got.get("embeddings")
    return len(embeddings[0]) if embeddings is not None and len(embeddings) else None


def _save(path: Path, docstore: SimpleDocumentStore, indexed: list[str], report: SyncReport) -> None:
    """Which documents are in the index (their hashes), and when each was (re)indexed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    docstore.persist(str(path))
    records.record(path, {d: report.left_out[d] for d in indexed},
                   known=set(docstore.get_all_document_hashes().values()))
