"""A BM25 keyword index over a collection's passages, with French/English analysis.

Accents folded, stop-words dropped, words stemmed with Snowball (French and English stems both kept,
since questions come in either language). Built from what Chroma holds, so it can never disagree with
the vector index; rebuilt when the collection's sync stamp changes.
"""

from __future__ import annotations

from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

from ingest.clean import clean_inline
from qa.text import STOP, words


@lru_cache(maxsize=2)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(lang)


def analyse(text: str) -> list[str]:
    tokens = [w for w in words(clean_inline(text)) if w not in STOP and (len(w) > 1 or w.isdigit())]
    fr = _stemmer("french").stemWords(tokens)
    en = _stemmer("english").stemWords(tokens)
    return [t for pair in zip(fr, en, strict=True) for t in dict.fromkeys(pair)]


class KeywordIndex:
    def __init__(self, ids: list[str], texts: list[str]) -> None:
        self.ids = ids
        self._vocab: dict[str, int] = {}
        corpus = [[self._vocab.setdefault(t, len(self._vocab)) for t in analyse(text)] or [0] for text in texts]
        self._bm25 = bm25s.BM25()
        if ids:
            self._bm25.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=self._vocab), show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = [self._vocab[t] for t in analyse(query) if t in self._vocab]
        if not tokens or not self.ids:
            return []
        scores = self._bm25.get_scores(tokens)
        if len(scores) > k:  # a partial sort: at 100k passages a full one costs more than the search
            top = np.argpartition(-scores, k)[:k]
            top = top[np.argsort(-scores[top])]
        else:
            top = np.argsort(-scores)
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
