"""An HTTP API beside the UI, in the same process: OpenAI-compatible chat completions with citations,
retrieval (search mode), documents, health. Every answer goes through the same engine as the chat.

Streaming sends the sources first, then the verified answer: the text a client shows is the checked
one, with its [n] markers, never a draft the citation checks later changed.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse

from api.openai_types import ChatRequest, RetrieveRequest, error
from index.store import IndexUnavailable
from ingest import library
from ingest.formats import IngestError
from qa.backends import BackendUnavailable, check_reachable, describe, shared_backend
from qa.engine import Engine, InvalidQuestion
from qa.engines import Engines
from qa.followup import Turn
from qa.schema import Answer


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.response = error(status, message, kind, param, code)


def create_api(engines: Engines) -> FastAPI:
    settings = engines.settings
    app = FastAPI(title="Cited Q&A API", version="1.0",
                  description="OpenAI-compatible chat completions over your documents, with verified citations.")

    def authorised(request: Request) -> None:
        key = settings.ui.api_key
        if key is None:
            return
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not secrets.compare_digest(given.encode(), key.get_secret_value().encode()):
            raise ApiError(401, "Invalid or missing API key (send 'Authorization: Bearer <key>').",
                           "invalid_request_error", code="invalid_api_key")

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return exc.response

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        return error(400, f"{where}: {first.get('msg', 'invalid request')}" if where else "invalid request",
                     param=where or None)

    def corpus(model: str | None, create: bool = False) -> Engine:
        name = re.sub(r"^corpus:", "", model or settings.chroma.collection)
        if create:
            try:
                settings.with_collection(name)
            except ValueError as e:
                raise ApiError(400, str(e), param="model") from None
        elif name not in engines.names():
            raise ApiError(404, f"The model {model!r} does not exist: use one of "
                           f"{', '.join('corpus:' + n for n in engines.names())}.", param="model",
                           code="model_not_found")
        return engines.get(name)

    guard = [Depends(authorised)]

    @app.get("/v1/models", dependencies=guard)
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [
            {"id": f"corpus:{name}", "object": "model", "created": 0, "owned_by": "cited-qa"}
            for name in engines.names()]}

    @app.post("/v1/chat/completions", dependencies=guard)
    def chat(req: ChatRequest):
        engine = corpus(req.model)
        last = max((i for i, m in enumerate(req.messages) if m.role == "user"), default=None)
        if last is None:
            raise ApiError(400, "messages must contain a user message: the last one is the question",
                           param="messages")
        # The conversation before the question, as the UI passes it: the engine makes follow-ups standalone.
        question = req.messages[last].text()
        history: list[Turn] = [(m.role, m.text()) for m in req.messages[:last] if m.role in ("user", "assistant")]
        try:
            engine.validate(question)
        except InvalidQuestion as e:
            raise ApiError(400, str(e), param="messages") from None
        if req.stream:
            try:
                shared_backend(engine.settings.llm)  # a model that cannot load is a 503 before the stream starts
            except BackendUnavailable as e:
                raise ApiError(503, str(e), "server_error", code="backend_unavailable") from None
            return StreamingResponse(_stream(engine, question, history, req.model),
                                     media_type="text/event-stream")
        answer = _answer(engine, question, history)
        return _completion(answer, req.model)

    @app.post("/v1/retrieve", dependencies=guard)
    def retrieve(req: RetrieveRequest) -> dict[str, Any]:
        engine = corpus(req.model)
        try:
            answer = engine.search_answer(req.query)
        except InvalidQuestion as e:
            raise ApiError(400, str(e), param="query") from None
        data = answer.to_dict()
        if req.top_k:
            data["retrieved"] = data["retrieved"][: req.top_k]
            data["citations"] = [c for c in data["citations"] if c["n"] <= req.top_k]
        return data

    @app.get("/v1/documents", dependencies=guard)
    def list_documents(model: str | None = None) -> dict[str, Any]:
        engine = corpus(model)
        return {"object": "list", "corpus": engine.settings.chroma.collection, "data": [
            {"doc": d.doc, "chunks": d.chunks, "indexed_at": d.indexed_at}
            for d in library.documents(engine.settings)]}

    @app.post("/v1/documents", dependencies=guard)
    def upload(files: list[UploadFile] = File(...), model: str | None = Form(None)) -> dict[str, Any]:  # noqa: B008
        """Add documents to a corpus, creating it if needed."""
        engine = corpus(model, create=True)
        payload = [(f.filename or "unnamed", f.file.read()) for f in files]
        try:
            report = library.add(engine.settings, payload)
        except (IngestError, IndexUnavailable) as e:
            raise ApiError(400, str(e)) from None
        engines.forget(engine.settings.chroma.collection)
        if not report.added and not report.changed and report.skipped:
            raise ApiError(400, "; ".join(s.reason for s in report.skipped), param="files")
        return {"added": report.added, "changed": report.changed, "unchanged": report.unchanged,
                "skipped": [{"doc": s.doc, "reason": s.reason} for s in report.skipped],
                "chunks": report.total_chunks}

    @app.delete("/v1/documents/{doc:path}", dependencies=guard)
    def delete(doc: str, model: str | None = None) -> dict[str, Any]:
        engine = corpus(model)
        try:
            report = library.remove(engine.settings, [doc])
        except IngestError as e:
            raise ApiError(404, str(e), param="doc", code="document_not_found") from None
        engines.forget(engine.settings.chroma.collection)
        return {"removed": report.removed, "chunks": report.total_chunks}

    @app.get("/health", dependencies=guard)
    def health() -> JSONResponse:
        engine = engines.default
        checks: dict[str, Any] = {"llm": describe(settings.llm)}
        try:
            checks["chunks"] = engine.retriever.count()
            checks["index"] = "ok"
        except Exception as e:  # any Chroma failure means not ready
            checks["index"] = f"unreachable: {e}"
        try:
            check_reachable(settings.llm)
            checks["backend"] = "ok"
        except BackendUnavailable as e:
            checks["backend"] = f"unavailable: {e}"
        except Exception as e:  # a GGUF that fails to load
            checks["backend"] = f"unavailable: {describe(settings.llm)}: {e}"
        ready = checks["index"] == "ok" and checks["backend"] == "ok"
        return JSONResponse(status_code=200 if ready else 503, content={"status": "ok" if ready else "degraded",
                                                                        **checks})

    return app


def _answer(engine: Engine, question: str, history: list[Turn]) -> Answer:
    try:
        answer = engine.ask(question, history)
    except (IndexUnavailable, BackendUnavailable) as e:
        raise ApiError(503, str(e), "server_error", code="backend_unavailable") from None
    if answer.error:
        raise ApiError(503, answer.error, "server_error", code="backend_unavailable")
    return answer


def _completion(answer: Answer, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "rag": answer.to_dict(),  # citations and passages; standard clients ignore unknown fields
    }


def _stream(engine: Engine, question: str, history: list[Turn], model: str) -> Iterator[str]:
    ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    answer = None
    try:
        for update in engine.stream(question, history):
            answer = update.answer
            if update.kind == "sources":
                yield chunk({"role": "assistant"}, rag={"retrieved": [p.public() for p in answer.retrieved]})
    except (IndexUnavailable, BackendUnavailable) as e:
        yield f"data: {json.dumps({'error': {'message': str(e), 'type': 'server_error'}})}\n\n"
        yield "data: [DONE]\n\n"
        return
    if answer is None or answer.error:
        message = answer.error if answer else "no answer"
        yield f"data: {json.dumps({'error': {'message': message, 'type': 'server_error'}})}\n\n"
    else:
        for piece in re.findall(r"\S+\s*", answer.answer):
            yield chunk({"content": piece})
        yield chunk({}, "stop", rag=answer.to_dict())
    yield "data: [DONE]\n\n"
