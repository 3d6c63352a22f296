"""What every route shares: the engines (one per corpus, shared with the UI, and so one generation queue),
the API key, and errors in OpenAI's shape."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from openai.types import ErrorObject

from calibration.jobs import Jobs
from qa.engine import Engine
from qa.engines import Engines


class ApiError(Exception):
    """Raised by a route, answered as OpenAI's error JSON: {"error": {"message", "type", "param", "code"}}."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = ErrorObject(message=message, type=kind, param=param, code=code)

    def response(self) -> JSONResponse:
        return JSONResponse(status_code=self.status, content={"error": self.error.model_dump()})


def unavailable(message: str) -> ApiError:
    """The index or the model cannot serve: the client may retry later."""
    return ApiError(503, message, "server_error", code="backend_unavailable")


def get_engines(request: Request) -> Engines:
    return request.app.state.engines


EnginesDep = Annotated[Engines, Depends(get_engines)]


def get_jobs(request: Request) -> Jobs:
    return request.app.state.jobs


JobsDep = Annotated[Jobs, Depends(get_jobs)]


def authorised(request: Request, engines: EnginesDep) -> None:
    key = engines.settings.ui.api_key
    if key is None:
        return
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not secrets.compare_digest(given.encode(), key.get_secret_value().encode()):
        raise ApiError(401, "Invalid or missing API key (send 'Authorization: Bearer <key>').",
                       code="invalid_api_key")


def corpus(engines: Engines, model: str | None, create: bool = False) -> Engine:
    """The engine of a model name ("corpus:<name>" or "<name>"; None: the server's corpus). `create`: a new
    corpus is made on first use (an upload), otherwise an unknown one is a 404."""
    name = re.sub(r"^corpus:", "", model or engines.settings.chroma.collection)
    if create:
        try:
            engines.settings.with_collection(name)
        except ValueError as e:
            raise ApiError(400, str(e), param="model") from None
    elif name not in engines.names():
        raise ApiError(404, f"The model {model!r} does not exist: use one of "
                       f"{', '.join('corpus:' + n for n in engines.names())}.", param="model", code="model_not_found")
    return engines.get(name)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422 becomes OpenAI's 400, naming the first field at fault."""
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else "invalid request"
        return ApiError(400, message, param=where or None).response()
