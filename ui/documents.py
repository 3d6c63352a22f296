"""The documents view: choose or create a corpus, upload files with progress, list and delete documents."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from calibration.jobs import Jobs
from config import Settings
from index import store
from ingest import library
from ingest.formats import SUPPORTED, IngestError
from ingest.pipeline import SyncReport
from ingest.records import over, percent, warning
from qa.engines import Engines


def table(settings: Settings, collection: str) -> list[list]:
    rows = []
    for d in library.documents(settings.with_collection(collection)):
        flag = " ⚠" if over(d.left_out, settings) else ""
        rows.append([d.doc, d.chunks, d.indexed_at, percent(d.left_out) + flag])
    return rows


def report_html(report: SyncReport, action: str, settings: Settings) -> str:
    lines = [f"<b>{escape(action)}</b>: {len(report.added)} added, {len(report.changed)} updated, "
             f"{len(report.removed)} removed · {report.embedded_chunks} chunks embedded · "
             f"{report.total_chunks} chunks in the corpus"]
    # What each (re)indexed document lost to page furniture, so that a bad extraction shows.
    indexed = report.added + report.changed
    shares = sorted((d, report.left_out[d]) for d in indexed if report.left_out.get(d))
    if shares:
        whole = len(indexed) - len(shares)
        lines.append('<div class="left-out">Left out of the index as page furniture: ' + ", ".join(
            f"{escape(d)} {percent(share)}" for d, share in shares) + (f" · {whole} indexed whole" if whole else "")
            + "</div>")
    lines += [f'<div class="skip">⚠ {escape(warning(d, share, settings))}</div>'
              for d, share in shares if over(share, settings)]
    lines += [f'<div class="skip">⚠ {escape(s.reason)}</div>' for s in report.skipped]
    return "".join(lines)


def progress_to(progress: Callable[..., Any]) -> library.Progress:
    """An ingest's progress as Gradio's bar: the fraction of text embedded, described with KB/s and time left."""
    def update(done: int, total: int, text: str) -> None:
        progress(done / total if total else 1.0, desc=f"Embedding {text}")
    return update


def build(engines: Engines, corpus: gr.Dropdown, jobs: Jobs) -> None:
    """The tab's content; `corpus` is the page's corpus selector, `jobs` the self-calibrations."""
    settings = engines.settings

    def of(collection: str) -> Settings:
        return library.for_collection(settings.with_collection(collection))

    with gr.Row():
        new_name = gr.Textbox(label="New corpus", placeholder="letters, digits, - or _", scale=3)
        create = gr.Button("Create", scale=1)
    upload = gr.File(label=f"Add documents ({', '.join(SUPPORTED)})", file_count="multiple",
                     elem_id="upload")
    add_btn = gr.Button("Index these files", variant="primary", elem_id="index-files")
    status = gr.HTML(elem_id="doc-status")
    docs = gr.Dataframe(headers=["document", "chunks", "indexed", "left out"],
                        datatype=["str", "number", "str", "str"],
                        interactive=False, elem_id="doc-table", value=table(settings, settings.chroma.collection))
    with gr.Row():
        victim = gr.Dropdown(label="Document to delete", choices=[], scale=3, elem_id="victim")
        delete = gr.Button("Delete", variant="stop", scale=1, elem_id="delete-doc")
    # The self-calibration: the fit this corpus's answers are judged by, and the job's progress, polled.
    calibration = gr.HTML(escape(jobs.status(of(settings.chroma.collection))), elem_id="calibration")
    with gr.Row():
        calibrate = gr.Button("Calibrate the answer checks now", scale=2, elem_id="calibrate")
        stop = gr.Button("Stop calibrating", scale=1, elem_id="calibrate-stop")
    ticker = gr.Timer(2.0)

    def refresh(collection: str):
        rows = table(settings, collection)
        return rows, gr.update(choices=[r[0] for r in rows], value=None)

    def do_create(name: str):
        try:
            target = settings.with_collection(name.strip())
        except ValueError as e:
            return gr.update(), f'<div class="skip">⚠ {escape(str(e))}</div>'
        store.collection(target.chroma)
        library.folder_of(target).mkdir(parents=True, exist_ok=True)
        return gr.update(choices=engines.names(), value=target.chroma.collection), \
            f"Corpus <b>{escape(target.chroma.collection)}</b> created: add documents to it."

    # gr.Progress as a default argument is how Gradio injects the progress bar.
    def do_add(files: list[str] | None, collection: str, progress=gr.Progress()):  # noqa: B008
        if not files:
            return "Choose one or more files first.", *refresh(collection)
        progress(0, desc="Reading files")
        payload = [(Path(f).name, Path(f).read_bytes()) for f in files]
        try:
            report = library.add(settings.with_collection(collection), payload, on_progress=progress_to(progress))
        except (IngestError, store.IndexUnavailable) as e:
            return f'<div class="skip">⚠ {escape(str(e))}</div>', *refresh(collection)
        engines.forget(collection)
        jobs.after_change(of(collection))
        return report_html(report, "Indexed", settings), *refresh(collection)

    def do_delete(doc: str | None, collection: str):
        if not doc:
            return "Choose a document to delete.", *refresh(collection)
        try:
            report = library.remove(settings.with_collection(collection), [doc])
        except (IngestError, store.IndexUnavailable) as e:
            return f'<div class="skip">⚠ {escape(str(e))}</div>', *refresh(collection)
        engines.forget(collection)
        jobs.after_change(of(collection))
        return report_html(report, f"Deleted {doc}", settings), *refresh(collection)

    create.click(do_create, [new_name], [corpus, status])
    add_btn.click(do_add, [upload, corpus], [status, docs, victim], concurrency_id="ingest")
    delete.click(do_delete, [victim, corpus], [status, docs, victim], concurrency_id="ingest")
    corpus.change(refresh, [corpus], [docs, victim])

    def status(collection: str) -> str:
        return escape(jobs.status(of(collection)))

    def start(collection: str) -> str:
        jobs.start(of(collection), force=True)
        return status(collection)

    def cancel(collection: str) -> str:
        jobs.cancel(collection)
        return status(collection)

    calibrate.click(start, [corpus], [calibration])
    stop.click(cancel, [corpus], [calibration])
    ticker.tick(status, [corpus], [calibration], queue=False, show_progress="hidden")
    corpus.change(status, [corpus], [calibration])
