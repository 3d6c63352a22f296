"""The one place that opens Chroma: embedded on disk by default, or a `chroma run` server when configured."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaClientSettings
from llama_index.vector_stores.chroma import ChromaVectorStore

from config.settings import ChromaSettings
from index.errors import IndexUnavailable


def client(cfg: ChromaSettings) -> ClientAPI:
    opts = ChromaClientSettings(anonymized_telemetry=False)
    try:
        if cfg.host:
            return chromadb.HttpClient(host=cfg.host, port=cfg.port, settings=opts)
        cfg.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(cfg.path), settings=opts)
    except Exception as e:  # chromadb raises bare ValueError/ConnectionError variants
        raise IndexUnavailable(f"cannot open the Chroma index at {describe(cfg)}: {e}") from e


def describe(cfg: ChromaSettings) -> str:
    return f"http://{cfg.host}:{cfg.port}" if cfg.host else str(cfg.path)


def collection(cfg: ChromaSettings, api: ClientAPI | None = None) -> Collection:
    api = api or client(cfg)
    try:
        # Cosine, so that scores and the refusal threshold read the same on every corpus.
        return api.get_or_create_collection(cfg.collection, configuration={"hnsw": {"space": "cosine"}})
    except Exception as e:
        raise IndexUnavailable(f"cannot open collection {cfg.collection!r} at {describe(cfg)}: {e}") from e


# Rows per `get` when reading a whole collection: one `get` of metadatas beyond ~32k rows fails in Chroma's
# SQLite layer ("too many SQL variables").
PAGE = 5000


def get_all(col: Collection, include: list[str]) -> dict[str, list]:
    """Every row of a collection, read PAGE rows at a time."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    while True:
        got = col.get(include=include, limit=PAGE, offset=len(out["ids"]))  # type: ignore[arg-type]
        for key in out:
            out[key].extend(got[key] or [])  # type: ignore[literal-required]
        if len(got["ids"]) < PAGE:
            return out


def sync_stamp(api: ClientAPI, name: str) -> str:
    """Changes whenever an ingest (in any process) changed the collection: derived indexes compare it.
    An ingest marks the collection before it writes and after, so even one killed half-way changes it;
    no row count (a count costs ~7 ms per question at 100k passages)."""
    fresh = api.get_collection(name)  # a Collection object's metadata is a snapshot: re-read it
    return f"{fresh.id}:{(fresh.metadata or {}).get('synced', '')}"


def mark_synced(col: Collection) -> None:
    # hnsw:* keys (collections made by older versions) cannot be re-sent: Chroma reads it as a change.
    kept = {k: v for k, v in (col.metadata or {}).items() if not k.startswith("hnsw:")}
    col.modify(metadata={**kept, "synced": uuid.uuid4().hex})


def vector_store(cfg: ChromaSettings, api: ClientAPI | None = None) -> ChromaVectorStore:
    return ChromaVectorStore(chroma_collection=collection(cfg, api))


def list_collections(cfg: ChromaSettings) -> list[str]:
    return sorted(c.name for c in client(cfg).list_collections())


def docstore_path(cfg: ChromaSettings, docstore_dir: Path) -> Path:
    """The ingest docstore (document hashes) lives beside the index it describes."""
    where = "embedded" if not cfg.host else re.sub(r"[^\w.-]", "_", f"{cfg.host}_{cfg.port}")
    return docstore_dir / where / f"{cfg.collection}.json"
