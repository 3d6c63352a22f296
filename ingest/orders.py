"""Sentences of a document that give orders to an AI assistant ("ignore your instructions and…"), found once at
ingest, by meaning, in any language and with no word list: each sentence's cosine, through the multilingual
embedding, to examples of such orders (prompts/injection.txt, English). The passage keeps its text and is shown
flagged; the engine blanks these sentences before the model reads it (qa/engine.py).

The bar is measured by `python -m eval.injection` on orders in eight languages and the sentences of every eval
corpus (BENCHMARKS.md). Asking the bundled model to confirm each candidate was measured and not kept: to flag as
few document sentences it had to miss 30 % of the orders the embedding alone finds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from config.settings import EmbedSettings
from index.embedder import embed_documents
from llm.prompts import lines
from text.markup import clean_inline
from text.sentences import Span, sentence_spans
from text.tokens import words

ORDER = 0.52  # cosine to the nearest example that flags ~0.1 % of the dev document sentences
MIN_WORDS = 3  # a fragment ("»", "Notes :") orders nothing, and its embedding is noise (Chinese: characters)


class OrderFinder:
    def __init__(self, embed: EmbedSettings) -> None:
        self.embed = embed
        examples = lines("injection")
        self._examples = np.asarray(embed_documents(embed, examples, [None] * len(examples)))

    def closeness(self, sentences: Sequence[str]) -> np.ndarray:
        """Each sentence's cosine to its nearest example."""
        if not sentences:
            return np.zeros(0)
        # Shortest first: batches of similar lengths pad little (and give the OpenVINO encoder few shapes).
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        vectors = embed_documents(self.embed, [clean_inline(sentences[i]) for i in order], [None] * len(order))
        scores = np.empty(len(sentences))
        scores[order] = (np.asarray(vectors) @ self._examples.T).max(axis=1)
        return scores

    def orders(self, texts: Sequence[str]) -> list[list[Span]]:
        """For each passage, the spans of its order-giving sentences. Each distinct sentence is judged once
        (passages overlap by a sentence)."""
        spans = [[(a, b) for a, b in sentence_spans(t) if len(words(t[a:b])) >= MIN_WORDS] for t in texts]
        distinct = list(dict.fromkeys(t[a:b] for t, ss in zip(texts, spans, strict=True) for a, b in ss))
        verdict = dict(zip(distinct, self.closeness(distinct) >= ORDER, strict=True))
        return [[(a, b) for a, b in ss if verdict[t[a:b]]] for t, ss in zip(texts, spans, strict=True)]
