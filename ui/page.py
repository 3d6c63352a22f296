"""The whole page: the corpus selector above a chat tab and a documents tab."""

from __future__ import annotations

import gradio as gr

from calibration.jobs import Jobs
from qa.engines import Engines
from ui import chat, documents


def build(engines: Engines, jobs: Jobs) -> gr.Blocks:
    with gr.Blocks(title="Cited Q&A") as page:
        with gr.Row():
            gr.Markdown("### Ask your documents")
            corpus = gr.Dropdown(engines.names(), value=engines.settings.chroma.collection,
                                 label="Corpus", elem_id="corpus", allow_custom_value=False)
        with gr.Tab("Chat"):
            chat.build(engines, corpus)
        with gr.Tab("Documents"):
            documents.build(engines, corpus, jobs)
    return page
