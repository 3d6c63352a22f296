"""The app's self-calibration jobs: at most one per collection, each in a background thread, behind the
user's questions (llm/turns.py). The Documents tab and the start-up ask here what runs and how far."""

from __future__ import annotations

import threading
import traceback
from typing import Any

from calibration.job import Calibration, Progress, needed
from qa.fit import Fits


class Jobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, tuple[threading.Thread, threading.Event]] = {}
        self._progress: dict[str, Progress] = {}

    def after_change(self, settings: Any) -> str | None:
        """After an ingest changed the collection: calibrate it again if it changed noticeably (and the
        settings ask for self-calibration)."""
        return self.start(settings) if settings.checks.self_calibrate else None

    def status(self, settings: Any) -> str:
        """One line for the Documents tab and the API: the fit that applies, and the job's progress."""
        fit = Fits(settings).current()
        line = f"Answer checks {fit.describe()}."
        if fit.source == "collection" and fit.questions:
            line += (f" Questions under P(yes) {fit.probe_floor:.2f} get no draft; drafts under confidence "
                     f"{fit.threshold:.2f} are withheld; 'supported' from {fit.supported_at:.2f}.")
        progress = self.progress(settings.chroma.collection)
        if self.running(settings.chroma.collection) and progress:
            line += (f" Calibrating: {progress.done} / {progress.total or '?'} passages — the model writes and "
                     "answers questions about this corpus; your questions go first.")
        elif progress and progress.state in ("failed", "cancelled"):
            line += f" Last calibration: {progress.message}."
        elif fit.source != "collection" and (why := needed(settings)):
            line += f" This corpus is {why}."
        return line

    def start(self, settings: Any, force: bool = False) -> str | None:
        """Start calibrating the collection if it needs it (or `force`); why it started, or None."""
        name = settings.chroma.collection
        why = "asked for" if force else needed(settings)
        with self._lock:
            if why is None or name in self._running:
                return None
            cancel = threading.Event()
            self._progress[name] = Progress("running", message=why)
            thread = threading.Thread(target=self._run, args=(settings, cancel), daemon=True,
                                      name=f"calibration-{name}")
            self._running[name] = (thread, cancel)
        thread.start()
        return why

    def _run(self, settings: Any, cancel: threading.Event) -> None:
        name = settings.chroma.collection

        def report(p: Progress) -> None:
            self._progress[name] = p

        try:
            Calibration(settings, report, cancel).run()
        except Exception as e:  # a backend gone, an index unreadable: said in the tab, the app goes on
            traceback.print_exc()
            self._progress[name] = Progress("failed", message=f"calibration stopped: {e}")
        finally:
            with self._lock:
                self._running.pop(name, None)

    def cancel(self, collection: str) -> bool:
        with self._lock:
            job = self._running.get(collection)
        if job:
            job[1].set()
        return job is not None

    def running(self, collection: str) -> bool:
        with self._lock:
            return collection in self._running

    def progress(self, collection: str) -> Progress | None:
        return self._progress.get(collection)

    def wait(self, collection: str, timeout: float | None = None) -> None:
        with self._lock:
            job = self._running.get(collection)
        if job:
            job[0].join(timeout)
