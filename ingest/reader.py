"""Read a folder of documents into llama-index Documents whose id is the file's path in the corpus."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from llama_index.core import Document

from ingest.clean import classify_lines, guess_title
from ingest.formats import IngestError, extract


@dataclass(frozen=True)
class Skipped:
    doc: str
    reason: str


def scan(root: Path) -> list[Path]:
    if not root.is_dir():
        raise IngestError(f"{root}: not a folder of documents")
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def read_document(path: Path, root: Path, max_bytes: int) -> Document:
    doc_id = path.relative_to(root).as_posix()
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"{doc_id}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit "
                          "(RAG_INGEST__MAX_FILE_MB)")
    extracted = extract(path.read_bytes(), doc_id, path.suffix)
    text = extracted.text
    title = guess_title(text, classify_lines(text), fallback=path.stem)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    keys = ["doc", "title", "doc_hash", "pipeline", "pages"]
    pages = ";".join(f"{s}-{e}:{n}" for s, e, n in extracted.pages)  # flat, as Chroma metadata must be
    return Document(
        id_=doc_id,
        text=text,
        metadata={"doc": doc_id, "title": title, "doc_hash": sha, "pages": pages},
        excluded_embed_metadata_keys=keys,
        excluded_llm_metadata_keys=keys,
    )


def read_folder(root: Path, max_bytes: int) -> tuple[list[Document], list[Skipped]]:
    docs, skipped = [], []
    for path in scan(root):
        try:
            docs.append(read_document(path, root, max_bytes))
        except IngestError as e:
            skipped.append(Skipped(path.relative_to(root).as_posix(), str(e)))
    return docs, skipped
