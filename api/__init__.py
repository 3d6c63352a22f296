"""The OpenAI-compatible HTTP API, served beside the UI in the same process: one router per concern (chat
completions, models, retrieve, documents, health), every answer from the same engines as the chat."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from api import chat, documents, health, models, retrieve
from api.deps import authorised, install_error_handlers
from calibration.jobs import Jobs
from qa.engines import Engines


def create_api(engines: Engines, jobs: Jobs) -> FastAPI:
    app = FastAPI(title="Cited Q&A API", version="1.0",
                  description="OpenAI-compatible chat completions over your documents, with verified citations.")
    app.state.engines = engines
    app.state.jobs = jobs  # the self-calibrations, shared with the UI
    install_error_handlers(app)
    for part in (chat, models, retrieve, documents, health):
        app.include_router(part.router, dependencies=[Depends(authorised)])
    return app
