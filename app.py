"""python app.py [--collection NAME] [--host H] [--port P]: the chat UI and the HTTP API on one port,
thin layers over qa.Engine."""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from api import create_api  # noqa: E402
from calibration.jobs import Jobs  # noqa: E402
from config import Settings, get_settings  # noqa: E402
from config.settings import SettingsError  # noqa: E402
from index import store  # noqa: E402
from index.embedder import ModelMissing, embed_model  # noqa: E402
from index.store import IndexUnavailable  # noqa: E402
from ingest import library  # noqa: E402
from ingest.pipeline import sync_folder  # noqa: E402
from llm import BackendUnavailable, check_reachable, shared_backend  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.engines import Engines  # noqa: E402
from ui import page  # noqa: E402
from ui.render import CSS  # noqa: E402


class CannotStart(RuntimeError):
    """A setting or a folder to fix before the app can serve; the message says which and how."""


def prepare(settings: Settings) -> Engine:
    """Sync the corpus with its folder (free when nothing changed), then load the models once."""
    name, folder = settings.chroma.collection, library.folder_of(settings)
    try:
        indexed = name in store.list_collections(settings.chroma)
    except IndexUnavailable as e:
        raise CannotStart(f"{e}: set RAG_CHROMA__PATH to a folder you can write to, or RAG_CHROMA__HOST and "
                          "RAG_CHROMA__PORT to a running `chroma run`") from None
    if not folder.is_dir() and not indexed:
        if name == settings.ingest.default_collection:
            raise CannotStart(f"the corpus folder {folder} does not exist: put your documents there, or set "
                              "RAG_INGEST__CORPUS_DIR to their folder")
        raise CannotStart(f"there is no corpus {name!r}: index a folder with `python -m ingest DIR --collection "
                          f"{name}`, or create it in the UI's Documents tab")
    # The GGUF loads in C, off the GIL, while the embedder loads in Python: a start ~3 s shorter. Not waited
    # for here: an error below is shown at once (the process still ends when the load does).
    loading = ThreadPoolExecutor(1)
    loading.submit(shared_backend, settings.llm)  # a failure is said by `check_reachable` below
    loading.shutdown(wait=False)
    try:
        embed_model(settings.embed)
    except (ModelMissing, IndexUnavailable):
        raise
    except Exception as e:  # a model folder torch cannot read, a hub id with no network: one line, not a traceback
        raise CannotStart(f"the embedding model {settings.embed.model} cannot be loaded ({_first_line(e)}): run "
                          "`make models`, or set RAG_EMBED__MODEL to a sentence-transformers model folder") from None
    if folder.is_dir():
        for skip in sync_folder(library.for_collection(settings), show_progress=True).skipped:
            print(f"skipped {skip.reason}", file=sys.stderr)
    else:
        print(f"warning: the corpus folder {folder} does not exist: serving what is already indexed", file=sys.stderr)
    engine = Engine(settings)
    if engine.retriever.count() == 0:
        raise CannotStart(f"the corpus {name!r} has no documents: put some in {folder}, or index a folder with "
                          f"`python -m ingest DIR --collection {name}`")
    engine.search("warm-up")  # the query path ready now, not on the first question
    try:
        check_reachable(settings.llm)  # loaded above unless it failed; this says why
    except BackendUnavailable as e:  # the UI still starts: search works, answers say what is wrong
        print(f"warning: {e}", file=sys.stderr)
    return engine


def _first_line(e: Exception) -> str:
    return next((line for line in str(e).splitlines() if line.strip()), type(e).__name__)


def serve(engine: Engine, host: str, port: int, jobs: Jobs | None = None) -> tuple[FastAPI, gr.Blocks]:
    """The API and the UI on one FastAPI app, sharing the engines (and so the one warm model) and the
    self-calibration jobs."""
    engines, jobs = Engines(engine), jobs or Jobs()
    demo = page.build(engines, jobs)
    demo.queue(default_concurrency_limit=engine.settings.ui.concurrency, max_size=engine.settings.ui.max_queue)
    app = create_api(engines, jobs)
    login = engine.settings.ui.login()
    return gr.mount_gradio_app(app, demo, path="/", server_name=host, server_port=port, css=CSS, show_error=True,
                               auth=[login] if login else None, auth_message="Sign in to ask your documents"), demo


def main(argv: list[str] | None = None) -> None:
    try:
        settings = get_settings()
    except SettingsError as e:
        raise SystemExit(f"error: {e}") from None
    parser = argparse.ArgumentParser(prog="python app.py", description=__doc__)
    parser.add_argument("--collection", default=settings.chroma.collection)
    parser.add_argument("--host", default=settings.ui.host, help="bind address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=settings.ui.port)
    args = parser.parse_args(argv)
    try:
        engine = prepare(settings.with_collection(args.collection))
    except (CannotStart, ModelMissing, IndexUnavailable, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    jobs = Jobs()
    app, _ = serve(engine, args.host, args.port, jobs)
    if why := jobs.after_change(library.for_collection(engine.settings)):
        print(f"Calibrating the answer checks of {engine.settings.chroma.collection!r} in the background ({why}); "
              "questions go first.", flush=True)
    print(f"Ready: http://{args.host}:{args.port}  (API: http://{args.host}:{args.port}/v1, docs at /docs)",
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
