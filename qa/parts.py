"""The engine's three parts, as protocols: what qa.engine.Engine needs of each, so that any of them can be
passed in (the eval's oracle retriever, the self-calibration's retriever that hides a passage, a verifier
with another fit) without touching the others."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from qa.fit import Fit
from qa.generate import Draft
from qa.schema import Citation, Passage
from qa.verify import Verdict


class Retrieving(Protocol):
    def retrieve(self, question: str, top_k: int | None = None) -> list[Passage]: ...

    def count(self) -> int: ...


class Generating(Protocol):
    def stream(self, query: str, shown: list[Passage], lang: str, draft: Draft,
               may_answer: Callable[[float | None], bool] = ...) -> Iterator[str]: ...


class Verifying(Protocol):
    @property
    def fit(self) -> Fit: ...

    def answerable(self, probe: float | None, fit: Fit) -> bool: ...

    def verify(self, question: str, lang: str, shown: list[Passage], draft: str,
               signals: dict[str, float], fit: Fit) -> Verdict: ...

    def quotes(self, question: str, passages: list[Passage]) -> list[Citation]: ...
