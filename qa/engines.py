"""One engine per corpus, shared by the UI and the API."""

from __future__ import annotations

import threading

from index import store
from qa.engine import Engine


class Engines:
    """One engine per corpus, created on first use; all share the embedder and the warm LLM."""

    def __init__(self, first: Engine) -> None:
        self.settings = first.settings
        self.default = first
        self._engines = {first.settings.chroma.collection: first}
        self._lock = threading.Lock()

    def get(self, collection: str | None) -> Engine:
        name = collection or self.settings.chroma.collection
        with self._lock:
            if name not in self._engines:
                self._engines[name] = Engine(self.settings.with_collection(name))
            return self._engines[name]

    def names(self) -> list[str]:
        """The corpora a user can pick (the eval's own collections are not among them)."""
        listed = set(store.list_collections(self.settings.chroma)) | {self.settings.chroma.collection}
        return sorted(n for n in listed if not n.startswith("eval-"))

    def forget(self, collection: str) -> None:
        """After its documents changed: the next question re-opens the corpus."""
        with self._lock:
            if collection != self.settings.chroma.collection:
                self._engines.pop(collection, None)
