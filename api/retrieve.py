"""POST /v1/retrieve: search mode, no generation: the best passages with their offsets, each with its most
relevant sentence cited (the `Answer.to_dict()` of `Engine.search_answer`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ApiError, EnginesDep, corpus
from qa.engine import InvalidQuestion

router = APIRouter(tags=["retrieve"])


class RetrieveRequest(BaseModel):
    query: str
    model: str | None = Field(default=None, description="the corpus; default: the server's")
    top_k: int | None = Field(default=None, ge=1, le=50)


@router.post("/v1/retrieve")
def retrieve(req: RetrieveRequest, engines: EnginesDep) -> dict[str, Any]:
    engine = corpus(engines, req.model)
    try:
        answer = engine.search_answer(req.query)
    except InvalidQuestion as e:
        raise ApiError(400, str(e), param="query") from None
    data = answer.to_dict()
    if req.top_k:
        data["retrieved"] = data["retrieved"][: req.top_k]
        data["citations"] = [c for c in data["citations"] if c["n"] <= req.top_k]
    return data
