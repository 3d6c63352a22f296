"""One generation at a time per model, the user's questions before background work.

llama.cpp is not re-entrant and one answer uses every core; a server backend is queued the same way so that
the user's questions never wait behind the self-calibration's (calibration/). Background work takes a turn
only when no question waits, and gives it back between tokens as soon as one does (`Preempted`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Preempted(RuntimeError):
    """Background work stopped so that a question can go first; it is redone later."""


class Turns:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._waiting = 0  # questions waiting for (or holding) the model

    @property
    def wanted(self) -> bool:
        """Does a question wait? Background work checks this between tokens."""
        return self._waiting > 0

    @contextmanager
    def question(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
        try:
            with self._hold(lambda: not self._busy):
                yield
        finally:
            with self._cond:
                self._waiting -= 1
                self._cond.notify_all()

    @contextmanager
    def background(self) -> Iterator[None]:
        with self._hold(lambda: not self._busy and self._waiting == 0):
            yield

    @contextmanager
    def _hold(self, ready: Callable[[], bool]) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(ready)
            self._busy = True
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
