"""/v1/documents: list a corpus's documents, upload files (creating the corpus if needed), remove one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel

from api.deps import ApiError, EnginesDep, JobsDep, corpus
from index.store import IndexUnavailable
from ingest import library
from ingest.formats import IngestError

router = APIRouter(tags=["documents"])


class Document(BaseModel):
    doc: str
    chunks: int
    indexed_at: str
    left_out: float | None  # share of its characters left out as page furniture (None: indexed before it was kept)


class DocumentList(BaseModel):
    object: Literal["list"] = "list"
    corpus: str
    data: list[Document]
    calibration: str  # the fit its answers are judged by, and a running self-calibration's progress


class Skipped(BaseModel):
    doc: str
    reason: str


class Added(BaseModel):
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    skipped: list[Skipped]
    chunks: int


class Removed(BaseModel):
    removed: list[str]
    chunks: int


@router.get("/v1/documents")
def list_documents(engines: EnginesDep, jobs: JobsDep, model: str | None = None) -> DocumentList:
    engine = corpus(engines, model)
    data = [Document(doc=d.doc, chunks=d.chunks, indexed_at=d.indexed_at,
                     left_out=None if d.left_out is None else round(d.left_out, 4))
            for d in library.documents(engine.settings)]
    return DocumentList(corpus=engine.settings.chroma.collection, data=data,
                        calibration=jobs.status(library.for_collection(engine.settings)))


@router.post("/v1/documents")
def upload(files: Annotated[list[UploadFile], File()], engines: EnginesDep, jobs: JobsDep,
           model: Annotated[str | None, Form()] = None) -> Added:
    """Add documents to a corpus, creating it if needed (multipart: `files`, optional `model`)."""
    engine = corpus(engines, model, create=True)
    payload = [(f.filename or "unnamed", f.file.read()) for f in files]
    try:
        report = library.add(engine.settings, payload)
    except (IngestError, IndexUnavailable) as e:
        raise ApiError(400, str(e)) from None
    engines.forget(engine.settings.chroma.collection)
    jobs.after_change(library.for_collection(engine.settings))
    if not report.added and not report.changed and report.skipped:
        raise ApiError(400, "; ".join(s.reason for s in report.skipped), param="files")
    return Added(added=report.added, changed=report.changed, unchanged=report.unchanged, chunks=report.total_chunks,
                 skipped=[Skipped(doc=s.doc, reason=s.reason) for s in report.skipped])


@router.delete("/v1/documents/{doc:path}")
def delete(doc: str, engines: EnginesDep, jobs: JobsDep, model: str | None = None) -> Removed:
    engine = corpus(engines, model)
    try:
        report = library.remove(engine.settings, [doc])
    except IngestError as e:
        raise ApiError(404, str(e), param="doc", code="document_not_found") from None
    engines.forget(engine.settings.chroma.collection)
    jobs.after_change(library.for_collection(engine.settings))
    return Removed(removed=report.removed, chunks=report.total_chunks)
