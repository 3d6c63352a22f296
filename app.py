"""python app.py [--collection NAME] [--host H] [--port P]: the chat UI, a thin Gradio layer over qa.Engine."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from html import escape

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from config import Settings, get_settings  # noqa: E402
from index.store import IndexUnavailable  # noqa: E402
from ingest.pipeline import sync_folder  # noqa: E402
from qa.engine import Engine, InvalidQuestion  # noqa: E402
from qa.llm import BackendUnavailable  # noqa: E402
from ui.render import CSS, answer_markdown, sources_html  # noqa: E402

EXAMPLES = [
    "Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?",
    "Who founded DeepSeek?",
    "Quel modèle de génération d'images DeepSeek a-t-il dévoilé ?",
    "How much did the training of DeepSeek's model cost?",
    "Quel est le chiffre d'affaires de Mistral AI en 2024 ?",
]


def user_turns(history: list) -> list[str]:
    """The user's earlier questions from Gradio's message history (content is text or a list of blocks)."""
    turns = []
    for message in history:
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(b.get("text", "") for b in content if isinstance(b, dict))
        if isinstance(content, str) and content.strip():
            turns.append(content)
    return turns


def build(engine: Engine) -> gr.Blocks:
    def respond(message: str, history: list, search_only: bool = False) -> Iterator[tuple[str, str]]:
        try:
            if search_only:
                answer = engine.search_answer(message)
                yield answer_markdown(answer), sources_html(answer)
                return
            draft, panel, answer = "", "", None
            for update in engine.stream(message, user_turns(history)):
                answer = update.answer
                if update.kind == "sources":
                    panel = sources_html(answer, pending=True)  # shown before the model starts
                    yield "…", panel
                elif update.kind == "token":
                    draft += update.delta
                    yield escape(draft), panel
            yield answer_markdown(answer), sources_html(answer)
        except (InvalidQuestion, IndexUnavailable, BackendUnavailable) as e:
            yield f"⚠️ {escape(str(e))}", sources_html(None)

    with gr.Blocks(title="Cited Q&A") as demo:
        gr.Markdown(f"### Ask your documents · corpus `{engine.settings.chroma.collection}`")
        with gr.Row():
            with gr.Column(scale=3):
                sources = gr.HTML(sources_html(None), render=False, elem_id="sources")
                search_only = gr.Checkbox(False, label="Search only: show the best passages, no generated answer",
                                          render=False, elem_id="search-only")
                gr.ChatInterface(
                    respond,
                    chatbot=gr.Chatbot(height=560, elem_id="chat", sanitize_html=True),
                    textbox=gr.Textbox(placeholder="Posez une question · Ask a question", elem_id="question"),
                    additional_inputs=[search_only],
                    additional_outputs=[sources],
                    examples=[[q, False] for q in EXAMPLES],
                    run_examples_on_click=True,
                    api_name="respond",
                    fill_height=False,
                )
            with gr.Column(scale=2):
                search_only.render()
                sources.render()
    return demo


def prepare(settings: Settings) -> Engine:
    """Index the default corpus if needed (free when nothing changed), then load the models once."""
    if settings.chroma.collection == get_settings().chroma.collection:
        report = sync_folder(settings, show_progress=True)
        for skip in report.skipped:
            print(f"skipped {skip.reason}", file=sys.stderr)
    engine = Engine(settings)
    if engine.retriever.count() == 0:
        raise SystemExit(f"The collection {settings.chroma.collection!r} is empty: "
                         "index documents first with `python -m ingest DIR --collection NAME`.")
    engine.search("warm-up")  # loads the embedder now, not on the first question
    try:
        engine.llm()
    except BackendUnavailable as e:  # the UI still starts: search works, answers say what is wrong
        print(f"warning: {e}", file=sys.stderr)
    return engine


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
    demo = build(engine)
    demo.queue(default_concurrency_limit=settings.ui.concurrency, max_size=settings.ui.max_queue)
    print(f"Ready: http://{args.host}:{args.port}", flush=True)
    demo.launch(server_name=args.host, server_port=args.port, css=CSS, show_error=True)


if __name__ == "__main__":
    main()
