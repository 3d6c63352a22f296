"""The app's self-calibration jobs: at most one per collection, each in a background thread, behind the
user's questions (llm/turns.py). The Documents tab and the start-up ask here what runs and how far."""

from __future__ import annotations

import sys
import threading
from typing import Any

from calibration.job import Calibration, Progress, needed
from qa.fit import Fits


class Jobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, tuple[threading.Thread, threading.Event]] = {}
        self._progress: dict[str, Progress] = {}
        self._changed: dict[str, Any] = {}  # collections changed while their job ran: looked at again after it

    def after_change(self, settings: Any) -> str | None:
        """After an ingest changed the collection: calibrate it again if it changed noticeably (and the
        settings ask for self-calibration); if its job is running, once that job ends."""
        if not settings.checks.self_calibrate:
            return None
        with self._lock:
            if settings.chroma.collection in self._running:
                self._changed[settings.chroma.collection] = settings
                return None
        return self.start(settings)

    def status(self, settings: Any) -> str:
        """One line for the Documents tab and the API: the fit that applies, and the job's progress."""
        fit = Fits(settings).current()
        line = f"Answer checks {fit.describe()}."
        if fit.source == "collection" and fit.calibrated:
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
        """Start calibrating the collection if it needs it, or anew with new questions (`force`); why it
        started, or None."""
        name = settings.chroma.collection
        why = "asked for" if force else needed(settings)
        with self._lock:
            if why is None or name in self._running:
                return None
            cancel = threading.Event()
            self._progress[name] = Progress("running", message=why)
            thread = threading.Thread(target=self._run, args=(settings, cancel, force), daemon=True,
                                      name=f"calibration-{name}")
            self._running[name] = (thread, cancel)
        thread.start()
        return why

    def _run(self, settings: Any, cancel: threading.Event, restart: bool) -> None:
        name = settings.chroma.collection

        def report(p: Progress) -> None:
            self._progress[name] = p

        try:
            Calibration(settings, report, cancel, restart=restart).run()
        except Exception as e:  # a backend gone, an index unreadable: said in the tab, the app goes on
            print(f"warning: the calibration of {name!r} stopped: {e}", file=sys.stderr)
            self._progress[name] = Progress("failed", message=f"calibration stopped: {e}")
        finally:
            with self._lock:
                self._running.pop(name, None)
                changed = self._changed.pop(name, None)
        if changed is not None and not cancel.is_set():
            self.start(changed)

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
