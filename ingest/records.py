"""What `python -m ingest list` and the Documents tab show of each indexed document beyond its chunks: when it
was last (re)indexed and the share of its text left out of the index as page furniture.

A JSON file next to the docstore, {doc: {"indexed_at": "2025-01-31 12:00:00", "left_out": 0.03}}, written with
the docstore and pruned to its documents.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from index import store


@dataclass(frozen=True)
class Record:
    indexed_at: str = ""
    left_out: float | None = None  # None: indexed before the share was recorded


def _sidecar(docstore_file: Path) -> Path:
    return docstore_file.with_suffix(".indexed.json")


def _load(sidecar: Path) -> dict[str, dict]:
    raw = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    # An index written before the share was recorded kept the time alone.
    return {doc: v if isinstance(v, dict) else {"indexed_at": v} for doc, v in raw.items()}


def record(docstore_file: Path, indexed: dict[str, float], known: set[str]) -> None:
    """`indexed`: documents just (re)indexed, with their share left out; `known`: every document in the docstore."""
    sidecar = _sidecar(docstore_file)
    entries = _load(sidecar)
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    entries.update({doc: {"indexed_at": now, "left_out": share} for doc, share in indexed.items()})
    entries = {doc: v for doc, v in entries.items() if doc in known}
    sidecar.write_text(json.dumps(entries, indent=1, sort_keys=True))


def records(settings: Settings) -> dict[str, Record]:
    sidecar = _sidecar(store.docstore_path(settings.chroma, settings.ingest.docstore_dir))
    return {doc: Record(v.get("indexed_at", ""), v.get("left_out")) for doc, v in _load(sidecar).items()}


def percent(share: float | None) -> str:
    """0.031 -> "3.1 %"; unknown -> "?"."""
    return "?" if share is None else f"{100 * share:.1f} %"


def over(share: float | None, settings: Settings) -> bool:
    return share is not None and share > settings.ingest.left_out_warning


def warning(doc: str, share: float, settings: Settings) -> str:
    return (f"{doc}: {percent(share)} of its text is left out of the index as page furniture (over the "
            f"{percent(settings.ingest.left_out_warning)} bound, RAG_INGEST__LEFT_OUT_WARNING): check that this "
            "file holds the text you meant to index")
