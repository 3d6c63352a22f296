"""GET /v1/models: one model per corpus, `corpus:<name>`, in the list shape the openai client reads."""

from __future__ import annotations

from fastapi import APIRouter
from openai.pagination import SyncPage
from openai.types import Model

from api.deps import EnginesDep

router = APIRouter(tags=["models"])


@router.get("/v1/models")
def models(engines: EnginesDep) -> SyncPage[Model]:
    return SyncPage[Model](object="list", data=[
        Model(id=f"corpus:{name}", object="model", created=0, owned_by="cited-qa") for name in engines.names()])
