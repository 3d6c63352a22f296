"""Corpora as folders: each collection mirrors one folder; add and remove act on the folder, then sync.

The default collection mirrors `ingest.corpus_dir`; a folder given to `python -m ingest DIR
--collection NAME` is remembered for NAME; a collection created from the UI gets its own folder
under storage/corpora/. Uploaded file names are sanitised: a document can never be written outside
its collection's folder.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from index import store
from ingest.formats import IngestError, extract
from ingest.pipeline import SyncReport, sync_folder
from ingest.reader import Skipped
from ingest.records import records


@dataclass(frozen=True)
class DocInfo:
    doc: str
    chunks: int
    indexed_at: str
    left_out: float | None  # share of its text left out of the index as page furniture


def _registry(settings: Settings) -> Path:
    return settings.ingest.docstore_dir / "folders.json"


def folder_of(settings: Settings) -> Path:
    name = settings.chroma.collection
    if name == settings.ingest.default_collection:
        return settings.ingest.corpus_dir
    known = json.loads(_registry(settings).read_text()) if _registry(settings).exists() else {}
    return Path(known.get(name, settings.ingest.docstore_dir.parent / "corpora" / name))


def remember_folder(settings: Settings, folder: Path) -> None:
    if settings.chroma.collection == settings.ingest.default_collection:
        return
    path = _registry(settings)
    known = json.loads(path.read_text()) if path.exists() else {}
    known[settings.chroma.collection] = str(folder.resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=1, sort_keys=True))


def for_collection(settings: Settings) -> Settings:
    """Settings whose corpus_dir is the collection's folder."""
    ingest = settings.ingest.model_copy(update={"corpus_dir": folder_of(settings)})
    return settings.model_copy(update={"ingest": ingest})


def safe_name(name: str) -> str:
    """A file name with no path in it: '../../etc/passwd' -> 'passwd', 'a;rm -rf.txt' -> 'a_rm_-rf.txt'."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .")
    if not base or base.startswith("."):
        raise IngestError(f"{name!r}: not a usable file name")
    return base[:180]


Progress = Callable[[int, int, str], None]  # bytes embedded, bytes in all, "… KB/s · … left"


def add(settings: Settings, files: list[tuple[str, bytes]], show_progress: bool = False,
        on_progress: Progress | None = None) -> SyncReport:
    """Check each file, copy the readable ones into the collection's folder, then sync.

    A file that cannot be read is reported and nothing of it is written; the rest of the batch goes on.
    """
    settings = for_collection(settings)
    folder = settings.ingest.corpus_dir
    folder.mkdir(parents=True, exist_ok=True)
    limit = int(settings.ingest.max_file_mb * 1e6)
    rejected: list[tuple[str, str]] = []
    for name, data in files:
        try:
            target = safe_name(name)
            if len(data) > limit:
                raise IngestError(f"{target}: {len(data) / 1e6:.1f} MB is over the "
                                  f"{limit / 1e6:.0f} MB limit (RAG_INGEST__MAX_FILE_MB)")
            extract(data, target, Path(target).suffix)  # refuse before anything is written
            (folder / target).write_bytes(data)
        except IngestError as e:
            rejected.append((name, str(e)))
    report = sync_folder(settings, show_progress=show_progress, on_progress=on_progress)
    report.skipped = [Skipped(n, r) for n, r in rejected] + report.skipped
    return report


def remove(settings: Settings, docs: list[str], show_progress: bool = False,
           on_progress: Progress | None = None) -> SyncReport:
    settings = for_collection(settings)
    folder = settings.ingest.corpus_dir.resolve()
    for doc in docs:
        path = (folder / doc).resolve()
        if folder not in path.parents or not path.is_file():
            raise IngestError(f"{doc}: no such document in collection {settings.chroma.collection!r}")
        path.unlink()
    return sync_folder(settings, show_progress=show_progress, on_progress=on_progress)


def documents(settings: Settings) -> list[DocInfo]:
    """Every indexed document, including one left out whole (no chunks), which is the one to warn about."""
    got = store.get_all(store.collection(settings.chroma), ["metadatas"])
    counts = Counter(m["doc"] for m in got["metadatas"])
    known = records(settings)
    return [DocInfo(doc, counts.get(doc, 0), known[doc].indexed_at if doc in known else "",
                    known[doc].left_out if doc in known else None) for doc in sorted(counts.keys() | known.keys())]
