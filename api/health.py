"""GET /health: 200 when the index answers and the LLM backend is ready, else 503, with what failed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import EnginesDep
from llm import BackendUnavailable, check_reachable, describe

router = APIRouter(tags=["health"])


@router.get("/health")
def health(engines: EnginesDep) -> JSONResponse:
    llm = engines.settings.llm
    checks: dict[str, Any] = {"llm": describe(llm)}
    try:
        checks["chunks"] = engines.default.retriever.count()
        checks["index"] = "ok"
    except Exception as e:  # any Chroma failure means not ready
        checks["index"] = f"unreachable: {e}"
    try:
        check_reachable(llm)
        checks["backend"] = "ok"
    except BackendUnavailable as e:
        checks["backend"] = f"unavailable: {e}"
    except Exception as e:  # a GGUF that fails to load
        checks["backend"] = f"unavailable: {describe(llm)}: {e}"
    ready = checks["index"] == "ok" and checks["backend"] == "ok"
    return JSONResponse(status_code=200 if ready else 503, content={"status": "ok" if ready else "degraded", **checks})
