"""Read a folder of documents into llama-index Documents whose id is the file's path in the corpus.

Each document carries the spans of its page furniture (ingest/clean.py, ingest/repeated.py), never chunked,
and the share of its characters they leave out of the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from llama_index.core import Document

from ingest.clean import Line, Span, classify_lines, dropped_spans, guess_title, solid
from ingest.formats import Extracted, IngestError, extract
from ingest.repeated import drop_repeated

# Document metadata that is the pipeline's own: never embedded nor shown to the model.
KEYS = ["doc", "title", "doc_hash", "pipeline", "pages", "dropped", "left_out"]


@dataclass(frozen=True)
class Skipped:
    doc: str
    reason: str


def not_a_folder(root: Path) -> IngestError:
    return IngestError(f"{root} is not a folder: give the folder of documents to index "
                       "(python -m ingest DIR) or set RAG_INGEST__CORPUS_DIR")


def scan(root: Path) -> list[Path]:
    if not root.is_dir():
        raise not_a_folder(root)
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def read_file(path: Path, doc_id: str, max_bytes: int) -> Extracted:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"{doc_id}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit "
                              "(RAG_INGEST__MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(f"{doc_id}: cannot be read ({e.strerror or e}); check that the file exists and that "
                          "you may read it") from None
    return extract(data, doc_id, path.suffix)


def left_out_share(text: str, dropped: list[Span], visible_chars: int | None = None) -> float:
    """The share of the document's characters (white space aside) that the index leaves out: its furniture,
    and for a web page what the main-text extraction left out of its visible text."""
    total = solid(text) if visible_chars is None else visible_chars
    kept = solid(text) - sum(solid(text[s:e]) for s, e in dropped)
    return min(1.0, max(0.0, 1 - kept / total)) if total else 0.0


def flat_spans(spans: list[Span]) -> str:
    """[(0, 12), (40, 52)] -> "0-12;40-52": flat, as metadata must be."""
    return ";".join(f"{s}-{e}" for s, e in spans)


def parse_spans(flat: str) -> list[Span]:
    return [(int(s), int(e)) for s, e in (part.split("-") for part in filter(None, flat.split(";")))]


def to_document(doc_id: str, extracted: Extracted, lines: list[Line], fallback_title: str) -> Document:
    text = extracted.text
    dropped = dropped_spans(lines)
    return Document(
        id_=doc_id,
        text=text,
        metadata={"doc": doc_id, "title": guess_title(text, lines, fallback=fallback_title),
                  "doc_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                  "pages": ";".join(f"{s}-{e}:{n}" for s, e, n in extracted.pages),
                  "dropped": flat_spans(dropped),
                  "left_out": round(left_out_share(text, dropped, extracted.visible_chars), 4)},
        excluded_embed_metadata_keys=KEYS,
        excluded_llm_metadata_keys=KEYS,
    )


def read_folder(root: Path, max_bytes: int) -> tuple[list[Document], list[Skipped]]:
    """Every readable document of the folder; lines repeated across them are furniture (ingest/repeated.py)."""
    read: list[tuple[Path, str, Extracted]] = []
    skipped = []
    for path in scan(root):
        doc_id = path.relative_to(root).as_posix()
        try:
            read.append((path, doc_id, read_file(path, doc_id, max_bytes)))
        except IngestError as e:
            skipped.append(Skipped(doc_id, str(e)))
    alone = [(e.text, classify_lines(e.text, e.pages)) for _, _, e in read]
    docs = [to_document(doc_id, e, lines, path.stem)
            for (path, doc_id, e), lines in zip(read, drop_repeated(alone), strict=True)]
    return docs, skipped
