"""The self-calibration of one collection: the model writes questions about sampled passages, the engine
answers them as it answers users, and the checks are fitted to how those answers turned out.

For each sampled passage (spread over the documents) the model writes a question and the words that answer it
(calibration/questions.py). The question is asked twice through the normal pipeline, with nothing refused on
the way so that every signal is recorded: as is (answerable: is the draft right?) and with the passage and its
near-duplicates hidden from retrieval (unanswerable, unless the shown passages still hold the answer; then it
is dropped). The fit (calibration/fitting.py) is stored with the collection and applies at once
(qa/fit.py). Every step is appended to a log beside the collection, so a stopped run resumes where it was;
the work runs behind the user's questions (llm/turns.py) and can be cancelled between steps.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from calibration.fitting import Item, fit
from calibration.hiding import HidingRetriever
from calibration.questions import write
from index import store
from llm import BackendUnavailable, Preempted, shared_backend, turns
from qa.engine import Engine
from qa.fit import NEUTRAL, Fit, applicable, collection_fit_path, model_fit_path, model_id, setup_of
from qa.generate import Generator
from qa.retrieve import Retriever
from qa.verify import Verifier
from text.markup import clean_inline
from text.matching import contains

MIN_CHARS = 120  # shorter passages (a heading, a caption) state too little to ask about
MIN_ITEMS = 12  # fewer usable answers than this: no fit (the model's global one keeps applying)


@dataclass
class Progress:
    state: str  # "running", "done", "cancelled", "failed"
    done: int = 0  # passages handled
    total: int = 0
    message: str = ""


def log_path(settings: Any) -> Path:
    return store.docstore_path(settings.chroma, settings.ingest.docstore_dir).with_suffix(".calibration.jsonl")


def fingerprint(settings: Any) -> dict[str, str]:
    """Each indexed document's content hash, from the ingest's docstore (read again only when it changed)."""
    path = store.docstore_path(settings.chroma, settings.ingest.docstore_dir)
    return _hashes(path, path.stat().st_mtime_ns if path.is_file() else 0)


@lru_cache(maxsize=16)
def _hashes(path: Path, _mtime: int) -> dict[str, str]:
    if not path.is_file():
        return {}
    from llama_index.core.storage.docstore import SimpleDocumentStore

    return {doc: h for h, doc in SimpleDocumentStore.from_persist_path(str(path)).get_all_document_hashes().items()}


def changed_share(before: dict[str, str], now: dict[str, str]) -> float:
    """Share of documents added, removed or changed."""
    names = before.keys() | now.keys()
    return sum(before.get(d) != now.get(d) for d in names) / len(names) if names else 0.0


def needed(settings: Any) -> str | None:
    """Why this collection should be calibrated (again), or None when its fit is current."""
    fitted = Fit.read(collection_fit_path(settings))
    if fitted is None or fitted.model != model_id(settings.llm):
        return "not calibrated for this model yet"
    if fitted.setup != setup_of(settings):
        return "calibrated with other prompts or settings"
    share = changed_share(fitted.corpus, fingerprint(settings))
    if share > settings.checks.recalibrate_after:
        return f"{share:.0%} of its documents changed since it was calibrated"
    return None


def sample(settings: Any, n: int) -> list[str]:
    """n chunk ids spread over the documents (one per document in turn), the same for the same collection."""
    got = store.get_all(store.collection(settings.chroma), ["documents", "metadatas"])
    by_doc: dict[str, list[str]] = {}
    for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
        if len(clean_inline(text)) >= MIN_CHARS and not meta.get("suspicious"):
            by_doc.setdefault(str(meta["doc"]), []).append(i)
    rng = random.Random(settings.chroma.collection)
    docs = sorted(by_doc)
    rng.shuffle(docs)
    for ids in by_doc.values():
        rng.shuffle(ids)
    chosen: list[str] = []
    while len(chosen) < n and any(by_doc.values()):
        for doc in docs:
            if by_doc[doc] and len(chosen) < n:
                chosen.append(by_doc[doc].pop())
    return chosen


class Calibration:
    """restart: forget the questions of an earlier run (else it resumes, when the collection has not changed
    noticeably since)."""

    def __init__(self, settings: Any, on_progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None, restart: bool = False) -> None:
        self.settings = settings
        self.on_progress = on_progress or (lambda _p: None)
        self.cancel = cancel or threading.Event()
        self.hiding = HidingRetriever(Retriever(settings))
        # Nothing refused on the way (an open fit): every draft and signal is recorded, to be replayed.
        self.engine = Engine(settings, retriever=self.hiding, generator=Generator(settings, background=True),
                             verifier=Verifier(settings, fit=NEUTRAL))
        self.log = log_path(settings)
        if restart:
            self.log.unlink(missing_ok=True)
        self.planned = 0

    def run(self) -> Fit | None:
        """Resume or start, answer every planned passage, fit and store. None when cancelled or too few
        questions were usable."""
        plan, done = self._resume()
        self.planned = len(plan)
        progress = Progress("running", len(done), len(plan), "writing and answering questions")
        self.on_progress(progress)
        for chunk_id in plan:
            if chunk_id in done:
                continue
            records = self._retrying(lambda c=chunk_id: self._passage(c))
            if records is None:
                self.on_progress(Progress("cancelled", progress.done, len(plan), "cancelled: the next run resumes"))
                return None
            for record in records:
                self._append(record)
            progress.done += 1
            self.on_progress(progress)
        return self._fit()

    def _retrying(self, step: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
        """A step stopped for a user's question is redone once the model is free again; None once cancelled."""
        while not self.cancel.is_set():
            try:
                return step()
            except Preempted:
                time.sleep(0.1)
        return None

    def _passage(self, chunk_id: str) -> list[dict[str, Any]]:
        t0 = time.perf_counter()
        got = self.hiding.inner.collection.get(ids=[chunk_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return [{"passage": chunk_id, "skipped": "no longer in the collection"}]
        text, meta = got["documents"][0], got["metadatas"][0]
        written = write(shared_backend(self.settings.llm), turns(self.settings.llm), text, str(meta.get("lang") or ""))
        if written is None:
            return [{"passage": chunk_id, "skipped": "no usable question", "seconds": _since(t0)}]
        base = {"passage": chunk_id, "question": written.question, "key": written.key}
        # A question too vague to find its own passage ("what is the excerpt about?") asks nothing a reader
        # would: dropped, in any language, before the model answers it.
        if chunk_id not in {p.id for p in self.hiding.inner.retrieve(written.question)}:
            return [{**base, "skipped": "too vague to find its own passage", "seconds": _since(t0)}]
        self.hiding.hidden = set()
        answered = self._ask(written.question, written.key)
        answered.pop("key_shown")
        records = [{**base, "answerable": True, **answered, "seconds": _since(t0)}]
        t1 = time.perf_counter()
        self.hiding.hidden = self.hiding.near(chunk_id)
        try:
            hidden = self._ask(written.question, written.key)
        finally:
            self.hiding.hidden = set()
        if hidden.pop("key_shown"):
            records.append({**base, "skipped": "the answer is also in other passages", "seconds": _since(t1)})
        else:
            records.append({**base, "answerable": False, **hidden, "seconds": _since(t1)})
        return records

    def _ask(self, question: str, key: str) -> dict[str, Any]:
        answer = self.engine.ask(question)
        if answer.error:
            raise BackendUnavailable(answer.error)
        signals = dict(answer.checks)
        return {"drafted": bool(answer.draft), "signals": signals,
                "right": bool(answer.draft) and not signals.get("model_refused") and contains(answer.draft, key),
                "key_shown": any(contains(p.text, key) for p in answer.retrieved)}

    def _resume(self) -> tuple[list[str], set[str]]:
        """The plan and the passages already handled, from the log, if it was made for this model and setup
        and the collection has not changed noticeably since (a passage gone since is skipped); else a new plan."""
        header, *records = _read_log(self.log) or [{}]
        if header.get("model") == model_id(self.settings.llm) and header.get("setup") == setup_of(self.settings) \
                and changed_share(header.get("corpus", {}), fingerprint(self.settings)) <= \
                self.settings.checks.recalibrate_after:
            return header["plan"], {r["passage"] for r in records if "passage" in r}
        plan = sample(self.settings, self.settings.checks.calibration_passages)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        header = {"model": model_id(self.settings.llm), "setup": setup_of(self.settings),
                  "corpus": fingerprint(self.settings), "plan": plan, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        self.log.write_text(json.dumps(header, ensure_ascii=False) + "\n", encoding="utf-8")
        return plan, set()

    def _append(self, record: dict[str, Any]) -> None:
        with self.log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    def _fit(self) -> Fit | None:
        fitted = fit_collection(self.settings)
        if fitted is None:
            usable = len(logged_items(self.settings))
            self.on_progress(Progress("failed", self.planned, self.planned,
                                      f"only {usable} usable answers: the model's global fit applies"))
            return None
        self.on_progress(Progress("done", self.planned, self.planned, fitted.describe()))
        return fitted


def _read_log(path: Path) -> list[dict[str, Any]]:
    """The log's header then records; a line cut short by a killed process is passed over."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def logged_items(settings: Any, log: list[dict[str, Any]] | None = None) -> list[Item]:
    """The usable answers of the collection's calibration log (read here unless given), as labelled items."""
    records = (_read_log(log_path(settings)) if log is None else log)[1:]
    return [logged_item(r, settings.chroma.collection) for r in records if "answerable" in r]


def fit_collection(settings: Any) -> Fit | None:
    """Fit the collection's checks to its logged answers, on the model's global fit (its weights kept when the
    answers are too few to fit them), and store the fit with the collection, stamped with the documents the
    questions were written from. None when too few answers."""
    log = _read_log(log_path(settings))
    items = logged_items(settings, log)
    if len(items) < MIN_ITEMS:
        return None
    model, setup = model_id(settings.llm), setup_of(settings)
    base = applicable(model_fit_path(model), model, setup) or NEUTRAL
    fitted = fit(items, base, source="collection", model=model, setup=setup, budget=settings.checks.budget)
    fitted = replace(fitted, corpus=log[0].get("corpus", {}))
    fitted.save(collection_fit_path(settings))
    return fitted


def logged_item(record: dict[str, Any], group: str) -> Item:
    """A log record as a labelled item: an answer to a question whose passage was hidden is never right."""
    s = record.get("signals", {})
    return Item(group=group, answerable=record["answerable"], right=record["answerable"] and bool(record.get("right")),
                drafted=bool(record.get("drafted")), signals=s, supported=int(s.get("supported", 0)),
                sentences=int(s.get("sentences", 0)), model_refused=bool(s.get("model_refused")))


def _since(t0: float) -> float:
    return round(time.perf_counter() - t0, 2)


def calibrate_now(settings: Any, restart: bool = False, show: bool = True) -> Fit | None:
    """Calibrate in this thread, with a progress bar (the CLI, the eval). Ctrl-C stops it; the next run
    resumes. None (and why, on stderr) when no fit came out."""
    from tqdm import tqdm

    bar = tqdm(total=0, desc=f"calibrating {settings.chroma.collection}", unit="passage", disable=not show)
    last: list[Progress] = []

    def shown(p: Progress) -> None:
        bar.total, bar.n = p.total, p.done
        bar.set_postfix_str(p.message[:60], refresh=True)
        last[:] = [p]

    try:
        fitted = Calibration(settings, shown, restart=restart).run()
    finally:
        bar.close()
    if fitted is None:
        print(last[0].message if last else "not calibrated", file=sys.stderr)
    elif show:
        print(f"{settings.chroma.collection}: {fitted.describe()}; probe floor {fitted.probe_floor:.2f}, "
              f"threshold {fitted.threshold:.2f}, supported from {fitted.supported_at:.2f}")
    return fitted
