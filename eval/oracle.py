"""Oracle retrieval (`python -m eval --oracle`): the passage holding an item's gold evidence is made sure to
be among those the model reads, and the rest of the engine runs unchanged. The answers then measure the
model and the answer checks alone: what better retrieval could reach, and where the remaining errors lie.

When the real retrieval already gives the model that passage, nothing changes (the answer is the usual
one); otherwise it is put first, above every other score, taken from the shown passages, from deeper in
the ranking, or cut from the document when the evidence straddles two chunks."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from eval.gold import GoldItem
from eval.metrics import evidence_spans
from qa.schema import Passage

POOL = 200  # how deep to look for a stored chunk that holds the evidence


class OracleRetriever:
    """Wraps the engine's retriever; set `item` before each question. Unanswerable items (no evidence)
    and questions asked while `item` is None get the real retrieval."""

    def __init__(self, retriever: Any, texts: dict[str, str], reads: Callable[[list[Passage]], list[Passage]]) -> None:
        """reads: which of the retrieved passages go to the model (the engine's `context`)."""
        self._retriever = retriever
        self._texts = texts
        self._reads = reads
        self.item: GoldItem | None = None
        # "read" (retrieval unchanged), else where each passage put first came from: shown, pool, slice
        self.placed: str | None = None

    def __getattr__(self, name: str) -> Any:  # everything but retrieve is the real retriever's
        return getattr(self._retriever, name)

    def retrieve(self, question: str, top_k: int | None = None, query: Any = None) -> list[Passage]:
        got = self._retriever.retrieve(question, top_k, query)
        read = self._reads(got) if got else []
        groups = self._evidence()
        if not got or all(any(_holds(p, spans) for p in read) for spans in groups):
            self.placed = "read" if got and groups else None
            return got
        # every group's passage goes first, the ones already read too: moving one down could drop it
        found = [self._find(question, query, got, spans) for spans in groups]
        self.placed = "+".join(where for _, where in found)
        top, fused = max(p.score for p in got), max(p.fused for p in got)
        first = [dataclasses.replace(p, score=top + 0.01 * (len(found) - k), fused=fused + 0.01 * (len(found) - k))
                 for k, (p, _) in enumerate(found)]
        taken = {(p.doc, p.start) for p in first}
        return [*first, *(p for p in got if (p.doc, p.start) not in taken)][: len(got)]

    def _evidence(self) -> list[list[tuple[str, int, int]]]:
        """Groups of evidence locations, one of each group to be read: a multi-document item needs
        its evidence in every document, others any one location."""
        if self.item is None or not self.item.answerable:
            return []
        spans = evidence_spans(self.item, self._texts)
        if self.item.type != "multi_doc":
            return [spans] if spans else []
        return [group for doc in self.item.docs if (group := [s for s in spans if s[0] == doc])]

    def _find(self, question: str, query: Any, got: list[Passage],
              spans: list[tuple[str, int, int]]) -> tuple[Passage, str]:
        """A passage holding the evidence: a shown one, a deeper one, or a window of the document."""
        if hit := next((p for p in got if _holds(p, spans)), None):
            return hit, "shown"
        if hit := next((p for p in self._retriever.retrieve(question, POOL, query) if _holds(p, spans)), None):
            return hit, "pool"
        return self._window(got[0], *spans[0]), "slice"  # the evidence straddles two chunks

    def _window(self, like: Passage, doc: str, start: int, end: int) -> Passage:
        text = self._texts[doc]
        size = max(like.end - like.start, end - start)
        lo = max(0, start - (size - (end - start)) // 2)
        hi = min(len(text), lo + size)
        return dataclasses.replace(like, doc=doc, start=lo, end=hi, text=text[lo:hi], id=f"oracle:{doc}:{lo}",
                                   title="", page=None)


def _holds(p: Passage, spans: list[tuple[str, int, int]]) -> bool:
    return any(doc == p.doc and p.start <= a and b <= p.end for doc, a, b in spans)
