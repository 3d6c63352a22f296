"""python app.py [--collection NAME] [--host H] [--port P]: the chat UI and the HTTP API on one port,
thin layers over qa.Engine."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from html import escape

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from api.routes import create_api  # noqa: E402
from config import Settings, get_settings  # noqa: E402
from index.embedder import similarity  # noqa: E402
from index.store import IndexUnavailable  # noqa: E402
from ingest import library  # noqa: E402
from ingest.pipeline import sync_folder  # noqa: E402
from qa.backends import BackendUnavailable, check_reachable, shared_backend  # noqa: E402
from qa.engine import Engine, InvalidQuestion  # noqa: E402
from qa.engines import Engines  # noqa: E402
from qa.followup import Turn  # noqa: E402
from qa.schema import Answer  # noqa: E402
from ui import documents  # noqa: E402
from ui.render import CSS, answer_markdown, sources_html  # noqa: E402

EXAMPLES = [
    "Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?",
    "Who launched DeepSeek?",
    "Quel modèle de génération d'images DeepSeek a-t-il dévoilé ?",
    "How much does Alibaba plan to spend on AI data centers?",
    "Combien d'employés compte Nvidia ?",
]


def conversation(history: list) -> list[Turn]:
    """Gradio's message history as (role, text) turns, as the API passes them to the engine."""
    turns: list[Turn] = []
    for message in history:
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(b.get("text", "") for b in content if isinstance(b, dict))
        if isinstance(content, str) and message.get("role") in ("user", "assistant"):
            turns.append((message["role"], content))
    return turns


def build(engines: Engines) -> gr.Blocks:

    def panel_of(engine: Engine, answer: Answer, pending: bool = False) -> str:
        """The sources panel; a refusal's shows the closest passages, their best sentence found by meaning too."""
        return sources_html(answer, pending, partial(similarity, engine.settings.embed) if answer.refused else None)

    def respond(message: str, history: list, search_only: bool = False,
                collection: str | None = None) -> Iterator[tuple[str, str]]:
        try:
            current = engines.get(collection)
            if search_only:
                answer = current.search_answer(message)
                yield answer_markdown(answer), panel_of(current, answer)
                return
            draft, panel, answer = "", "", None
            for update in current.stream(message, conversation(history)):
                answer = update.answer
                if update.kind == "sources":
                    panel = sources_html(answer, pending=True)  # shown before the model starts
                    yield "…", panel
                elif update.kind == "token":
                    draft += update.delta
                    yield escape(draft), panel
            yield answer_markdown(answer), panel_of(current, answer)
        except (InvalidQuestion, IndexUnavailable, BackendUnavailable, ValueError) as e:
            yield f"⚠️ {escape(str(e))}", sources_html(None)

    def show_sources(message: str, history: list, search_only: bool, collection: str | None):
        if search_only:  # instant anyway, and its panel is final: leave it to `respond`
            return gr.skip()
        try:
            current = engines.get(collection)
            answer = current.preview(message, conversation(history))
        except (InvalidQuestion, IndexUnavailable, ValueError):
            return gr.skip()  # `respond` says what is wrong, in the chat
        return panel_of(current, answer, pending=not answer.refused)

    settings = engines.settings
    with gr.Blocks(title="Cited Q&A") as demo:
        with gr.Row():
            gr.Markdown("### Ask your documents")
            corpus = gr.Dropdown(engines.names(), value=settings.chroma.collection,
                                 label="Corpus", elem_id="corpus", allow_custom_value=False)
        with gr.Tab("Chat"), gr.Row():
            with gr.Column(scale=3):
                sources = gr.HTML(sources_html(None), render=False, elem_id="sources")
                search_only = gr.Checkbox(False, label="Search only: show the best passages, no generated answer",
                                          elem_id="search-only")
                textbox = gr.Textbox(placeholder="Posez une question · Ask a question", elem_id="question")
                chatbot = gr.Chatbot(height=560, elem_id="chat", sanitize_html=True)
                # Straight from the Enter key: registered before the chat's own listeners, it runs first and
                # reads the box before the chat empties it. The chat's chain (empty the box, show the
                # message, queue: ~150 ms) then calls `respond`, which reuses this very search.
                textbox.submit(show_sources, [textbox, chatbot, search_only, corpus], [sources], queue=False,
                               show_progress="hidden", api_visibility="private")
                gr.ChatInterface(
                    respond,
                    chatbot=chatbot,
                    textbox=textbox,
                    additional_inputs=[search_only, corpus],
                    additional_outputs=[sources],
                    # The question alone: the additional inputs keep their current values, and the examples show
                    # as the question text in the empty chat (no "Search only" / corpus columns).
                    examples=[[q] for q in EXAMPLES],
                    run_examples_on_click=True,
                    api_name="respond",
                    fill_height=False,
                )
            with gr.Column(scale=2):
                sources.render()
        with gr.Tab("Documents"):
            documents.build(engines, corpus)
    return demo


def prepare(settings: Settings) -> Engine:
    """Sync the corpus with its folder (free when nothing changed), then load the models once."""
    # The GGUF loads in C, off the GIL, while the embedder loads in Python: a start ~3 s shorter.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(shared_backend, settings.llm)
        synced = library.for_collection(settings)
        if synced.ingest.corpus_dir.is_dir():
            report = sync_folder(synced, show_progress=True)
            for skip in report.skipped:
                print(f"skipped {skip.reason}", file=sys.stderr)
        engine = Engine(settings)
        if engine.retriever.count() == 0:
            raise SystemExit(f"The collection {settings.chroma.collection!r} is empty: "
                             "index documents first with `python -m ingest DIR --collection NAME`.")
        engine.search("warm-up")  # loads the embedder now, not on the first question
    try:
        check_reachable(settings.llm)  # loaded above unless it failed; this says why
    except BackendUnavailable as e:  # the UI still starts: search works, answers say what is wrong
        print(f"warning: {e}", file=sys.stderr)
    return engine


def serve(engine: Engine, host: str, port: int) -> tuple[FastAPI, gr.Blocks]:
    """The API and the UI on one FastAPI app, sharing the engines (and so the one warm model)."""
    engines = Engines(engine)
    demo = build(engines)
    demo.queue(default_concurrency_limit=engine.settings.ui.concurrency, max_size=engine.settings.ui.max_queue)
    app = create_api(engines)
    login = engine.settings.ui.login()
    return gr.mount_gradio_app(app, demo, path="/", server_name=host, server_port=port, css=CSS, show_error=True,
                               auth=[login] if login else None, auth_message="Sign in to ask your documents"), demo


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python app.py", description=__doc__)
    parser.add_argument("--collection", default=settings.chroma.collection)
    parser.add_argument("--host", default=settings.ui.host, help="bind address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=settings.ui.port)
    args = parser.parse_args(argv)
    try:
        settings = settings.with_collection(args.collection)
        engine = prepare(settings)
    except (IndexUnavailable, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    app, _ = serve(engine, args.host, args.port)
    print(f"Ready: http://{args.host}:{args.port}  (API: http://{args.host}:{args.port}/v1, docs at /docs)",
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
