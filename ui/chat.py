"""The chat tab: a question box, the streamed answer with its [n] markers, and the sources panel beside it,
filled from the Enter key before the model starts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from html import escape

import gradio as gr

from index.embedder import similarity
from index.store import IndexUnavailable
from llm import BackendUnavailable
from qa.engine import Engine, InvalidQuestion
from qa.engines import Engines
from qa.followup import Turn
from qa.schema import Answer
from ui.render import answer_markdown, draft_markdown, sources_html

_ADDED = re.compile(r'<div class="verdict[^"]*">.*?</div>|<details class="withheld">.*?</details>', re.S)

EXAMPLES = [
    "Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?",
    "Who launched DeepSeek?",
    "Quel modèle de génération d'images DeepSeek a-t-il dévoilé ?",
    "How much does Alibaba plan to spend on AI data centers?",
    "Combien d'employés compte Nvidia ?",
]


def conversation(history: list) -> list[Turn]:
    """Gradio's message history as (role, text) turns, as the API passes them to the engine: the answers'
    words, without the verdict line or a withheld draft this page added to them."""
    turns: list[Turn] = []
    for message in history:
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(b.get("text", "") for b in content if isinstance(b, dict))
        if isinstance(content, str) and message.get("role") in ("user", "assistant"):
            turns.append((message["role"], _ADDED.sub(" ", content)))
    return turns


def panel_of(engine: Engine, answer: Answer, pending: bool = False) -> str:
    """The sources panel; a refusal's shows the closest passages, their best sentence found by meaning too."""
    return sources_html(answer, pending, partial(similarity, engine.settings.embed) if answer.refused else None)


def build(engines: Engines, corpus: gr.Dropdown) -> None:
    """The tab's content; `corpus` is the page's corpus selector."""

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
                    yield draft_markdown(draft), panel
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

    with gr.Row():
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
