"""Sentences of a document that give orders to an AI assistant ("ignore your instructions and…"), found once at
ingest, in any language and with no word list:
1. candidates, by meaning: each sentence's cosine, through the multilingual embedding, to examples of such orders
   (prompts/injection.txt) — a loose bar, to miss none;
2. confirmed by the language model, asked whether the sentence is addressed to an AI assistant: its P("yes"),
   read from its own distribution as for the answer probe.
The passage keeps its text and is shown flagged; the engine blanks these sentences before the model reads it
(qa/engine.py). Both bars are measured by `python -m eval.injection` (BENCHMARKS.md).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from config.settings import Settings
from index.embedder import embed_documents
from llm import BackendUnavailable, shared_backend, turns
from llm.prompts import lines, load
from text.markup import clean_inline
from text.sentences import Span, sentence_spans

CANDIDATE = 0.42  # cosine to the nearest example: every order of the dev set is above it
CONFIRMED = 0.5  # the model's P(yes) that the sentence addresses an AI assistant
ALONE = 0.52  # without a language model, the embedding alone (flags ~0.1 % of document sentences)


class OrderFinder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        examples = lines("injection")
        self._examples = np.asarray(embed_documents(settings.embed, examples, [None] * len(examples)))

    def closeness(self, sentences: Sequence[str]) -> np.ndarray:
        """Each sentence's cosine to its nearest example."""
        if not sentences:
            return np.zeros(0)
        # Shortest first: batches of similar lengths pad little (and give the OpenVINO encoder few shapes).
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        vectors = embed_documents(self.settings.embed, [clean_inline(sentences[i]) for i in order],
                                  [None] * len(order))
        scores = np.empty(len(sentences))
        scores[order] = (np.asarray(vectors) @ self._examples.T).max(axis=1)
        return scores

    def addressed(self, sentences: Sequence[str]) -> np.ndarray:
        """The model's P(yes) that each sentence gives orders to an AI assistant."""
        backend = shared_backend(self.settings.llm)
        with turns(self.settings.llm).question():  # someone is waiting for this ingest
            return np.asarray([backend.reply_probability(
                [{"role": "user", "content": load("order_probe").format(sentence=clean_inline(s))}], "yes", "no")
                for s in sentences])

    def is_order(self, sentences: Sequence[str]) -> list[bool]:
        close = self.closeness(sentences)
        candidates = [i for i, c in enumerate(close) if c >= CANDIDATE]
        found = [False] * len(sentences)
        try:
            confirmed = self.addressed([sentences[i] for i in candidates])
            for i, p in zip(candidates, confirmed, strict=True):
                found[i] = bool(p >= CONFIRMED)
        except BackendUnavailable as e:
            print(f"warning: {e}; order-giving sentences judged by the embedding alone", file=sys.stderr)
            for i in candidates:
                found[i] = bool(close[i] >= ALONE)
        return found

    def orders(self, texts: Sequence[str]) -> list[list[Span]]:
        """For each passage, the spans of its order-giving sentences. Each distinct sentence is judged once
        (passages overlap by a sentence)."""
        spans = [sentence_spans(t) for t in texts]
        distinct = list(dict.fromkeys(t[a:b] for t, ss in zip(texts, spans, strict=True) for a, b in ss))
        verdict = dict(zip(distinct, self.is_order(distinct), strict=True))
        return [[(a, b) for a, b in ss if verdict[t[a:b]]] for t, ss in zip(texts, spans, strict=True)]
