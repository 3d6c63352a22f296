"""A BM25 keyword index over a collection's passages, with French/English analysis.

Accents folded, stop-words dropped, words stemmed with Snowball (French and English stems both kept,
since questions come in either language). Built from what Chroma holds, so it can never disagree with
the vector index; rebuilt when the collection's sync stamp changes.

Each passage is also indexed with the names of the passage before it in its document: news text says
who speaks once (« DD Dosa de Menow Ventures a écrit : ») and quotes them for several passages, so
« selon DD Dosa, quel prix… » must reach the passage holding the price, not only the one holding the name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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


# A capitalised word after a word or a comma: a name, not the first word of a sentence or a quote.
_NAME = re.compile(r"(?<=[\w,;)] )[A-ZÀ-ÖØ-Þ][\w’'-]+")


def names_before(texts: Sequence[str], metas: Sequence[Mapping[str, object]]) -> list[str]:
    """For each passage, the names in the passage just before it in the same document ("" for a first one)."""
    order = sorted(range(len(texts)), key=lambda i: (str(metas[i].get("doc", "")), int(metas[i].get("char_start", 0))))
    out = [""] * len(texts)
    for prev, i in zip(order, order[1:], strict=False):
        if metas[prev].get("doc") == metas[i].get("doc"):
            out[i] = " ".join(_NAME.findall(texts[prev]))
    return out


class KeywordIndex:
    def __init__(self, ids: list[str], texts: list[str], contexts: Sequence[str] | None = None) -> None:
        """contexts: extra text indexed with each passage (see names_before), not shown anywhere."""
        self.ids = ids
        self._vocab: dict[str, int] = {}
        contexts = contexts or [""] * len(texts)
        corpus = [[self._vocab.setdefault(t, len(self._vocab)) for t in analyse(f"{ctx} {text}")] or [0]
                  for ctx, text in zip(contexts, texts, strict=True)]
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
